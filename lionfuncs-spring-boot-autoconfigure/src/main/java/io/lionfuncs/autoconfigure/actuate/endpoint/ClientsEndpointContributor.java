package io.lionfuncs.autoconfigure.actuate.endpoint;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lionfuncs.network.client.AsyncApiClient;
import org.jspecify.annotations.Nullable;

/**
 * The {@code clients} section of the {@code lionfuncs} endpoint: each client's base URL
 * (credentials redacted) and circuit breaker state.
 *
 * @since 0.1.0
 */
public class ClientsEndpointContributor implements LionfuncsEndpointContributor {

	private final List<AsyncApiClient> clients;

	public ClientsEndpointContributor(List<AsyncApiClient> clients) {
		this.clients = clients;
	}

	@Override
	public String section() {
		return "clients";
	}

	@Override
	public Map<String, ClientDescriptor> describe() {
		Map<String, ClientDescriptor> clients = new LinkedHashMap<>();
		for (AsyncApiClient client : this.clients) {
			CircuitBreaker breaker = client.getCircuitBreaker();
			clients.put(client.getName(),
					new ClientDescriptor(io.lionfuncs.network.Redactor.defaults().url(client.getBaseUrl()),
							(breaker != null) ? breaker.getState().name() : null,
							(breaker != null) ? breaker.getName() : null, client.getTimeout().toString()));
		}
		return clients;
	}

	/**
	 * A client.
	 *
	 * @param baseUrl the base URL, credentials redacted
	 * @param circuitBreaker the breaker's state, {@code null} without a breaker
	 * @param circuitBreakerName the Resilience4j instance name
	 * @param timeout the timeout of each attempt, ISO-8601
	 */
	public record ClientDescriptor(@Nullable String baseUrl, @Nullable String circuitBreaker,
			@Nullable String circuitBreakerName, String timeout) {
	}

}
