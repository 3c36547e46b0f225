package io.lionfuncs.network.client;

import java.time.Duration;
import java.util.Map;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ApiFailures#isRetryable}: which failures are retried, per method.
 */
class ApiFailuresTests {

	private static final String URI = "https://api.example.com/v1/items";

	@ParameterizedTest(name = "{0} {1} -> {2}")
	@CsvSource(textBlock = """
			GET,    429,            true
			GET,    429-after,      true
			GET,    500,            false
			GET,    502,            true
			GET,    503,            true
			GET,    504,            true
			GET,    400,            false
			GET,    401,            false
			GET,    404,            false
			PUT,    503,            true
			DELETE, 504,            true
			POST,   429,            true
			POST,   500,            false
			POST,   502,            false
			POST,   503,            false
			POST,   503-after,      true
			POST,   504,            false
			PATCH,  429,            true
			PATCH,  503,            false
			GET,    connect,        true
			GET,    reset,          true
			GET,    timeout,        true
			POST,   connect,        true
			POST,   connect-timeout, true
			POST,   reset,          false
			POST,   timeout,        false
			PATCH,  reset,          false
			GET,    breaker-open,   false
			GET,    unreadable,     false
			""")
	void retryableFailures(String method, String failure, boolean retryable) {
		assertThat(ApiFailures.isRetryable(failure(method, failure))).isEqualTo(retryable);
	}

	@ParameterizedTest(name = "{0} counts against the service: {1}")
	@CsvSource(textBlock = """
			500,          true
			503,          true
			connect,      true
			reset,        true
			timeout,      true
			404,          false
			401,          false
			429,          false
			breaker-open, false
			""")
	void serviceFailures(String failure, boolean serviceFailure) {
		assertThat(ApiFailures.isServiceFailure(failure("GET", failure))).isEqualTo(serviceFailure);
	}

	static ApiClientException failure(String method, String kind) {
		ExchangeDetails request = ExchangeDetails.request(method, URI);
		return switch (kind) {
			case "connect" -> new ApiConnectionException("refused", request, true, null);
			case "connect-timeout" -> new ApiTimeoutException("connect timeout", request, true, null);
			case "reset" -> new ApiConnectionException("reset", request, false, null);
			case "timeout" -> new ApiTimeoutException("timeout", request, false, null);
			case "breaker-open" -> new CircuitBreakerOpenException("open", request, "b",
					CallNotPermittedException.createCallNotPermittedException(
							io.github.resilience4j.circuitbreaker.CircuitBreaker.ofDefaults("b")));
			case "unreadable" -> new ApiClientException("unreadable", response(method, 200, null), null);
			default -> {
				boolean after = kind.endsWith("-after");
				int status = Integer.parseInt(after ? kind.substring(0, kind.indexOf('-')) : kind);
				ExchangeDetails details = response(method, status, after ? Duration.ofSeconds(1) : null);
				yield switch (status) {
					case 401 -> new AuthenticationException("401", details, null);
					case 404 -> new ResourceNotFoundException("404", details, null);
					case 429 -> new RateLimitException("429", details, null);
					default -> (status >= 500) ? new ServerException("5xx", details, null)
							: new ApiClientException("4xx", details, null);
				};
			}
		};
	}

	private static ExchangeDetails response(String method, int status, Duration retryAfter) {
		return new ExchangeDetails(method, URI, status, Map.of(), null, retryAfter);
	}

}
