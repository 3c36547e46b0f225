package io.lionfuncs.autoconfigure.actuate.health;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lionfuncs.network.client.AsyncApiClient;

import org.springframework.boot.health.contributor.Health;

/**
 * Adds each client's circuit breaker state to the lionfuncs health; an open breaker
 * turns it DOWN only when configured to.
 *
 * @since 0.1.0
 */
public class CircuitBreakerHealthDetails implements LionfuncsHealthIndicator.HealthDetailsContributor {

	private final List<AsyncApiClient> clients;

	private final boolean downWhenOpen;

	public CircuitBreakerHealthDetails(List<AsyncApiClient> clients, boolean downWhenOpen) {
		this.clients = clients;
		this.downWhenOpen = downWhenOpen;
	}

	@Override
	public boolean contribute(Health.Builder builder) {
		boolean open = false;
		Map<String, String> states = new LinkedHashMap<>();
		for (AsyncApiClient client : this.clients) {
			CircuitBreaker breaker = client.getCircuitBreaker();
			if (breaker != null) {
				CircuitBreaker.State state = breaker.getState();
				states.put(client.getName(), state.name());
				open |= state == CircuitBreaker.State.OPEN || state == CircuitBreaker.State.FORCED_OPEN;
			}
		}
		builder.withDetail("circuitBreakers", states);
		return open && this.downWhenOpen;
	}

}
