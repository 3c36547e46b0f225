package io.lionfuncs.network.client;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * Which failures of an {@link AsyncApiClient} call are worth another attempt, and which
 * say something about the health of the service. {@link RetrySettings} and
 * {@link CircuitBreakerSettings} build their Resilience4j configurations from these
 * rules; use them as well in a Resilience4j configuration of your own, e.g.
 * {@code RetryConfig.custom().retryOnException(ApiFailures::isRetryable)}.
 */
public final class ApiFailures {

	private ApiFailures() {
	}

	/**
	 * Whether the failure is transient and the request safe to send again.
	 * <ul>
	 * <li>connection failures, timeouts, 502, 503 and 504 are transient, and retried for
	 * idempotent methods ({@code GET}, {@code HEAD}, {@code OPTIONS}, {@code TRACE},
	 * {@code PUT}, {@code DELETE});</li>
	 * <li>other methods ({@code POST}, {@code PATCH}) are retried only when the request
	 * provably was not processed: the connection was never established, the server
	 * answered 429, or it answered 503 with {@code Retry-After};</li>
	 * <li>nothing else is retried: other statuses, unreadable bodies, an open circuit
	 * breaker.</li>
	 * </ul>
	 * @param failure the failure of one attempt
	 * @return whether another attempt may be made
	 */
	public static boolean isRetryable(Throwable failure) {
		if (!(failure instanceof ApiClientException exception) || failure instanceof CircuitBreakerOpenException) {
			return false;
		}
		boolean idempotent = exception.details().isIdempotent();
		if (exception instanceof ApiConnectionException connection) {
			return connection.isConnectFailure() || idempotent;
		}
		Integer status = exception.statusCode();
		if (status == null) {
			return false;
		}
		return switch (status) {
			case 429 -> true;
			case 503 -> idempotent || exception.retryAfter() != null;
			case 502, 504 -> idempotent;
			default -> false;
		};
	}

	/**
	 * Whether the failure says the service is unhealthy, so that it should count against
	 * a circuit breaker: connection failures, timeouts and 5xx statuses. A 4xx is the
	 * caller's problem and says the service is up.
	 * @param failure the failure of one attempt
	 * @return whether the failure counts against the service
	 */
	public static boolean isServiceFailure(Throwable failure) {
		return failure instanceof ApiConnectionException || failure instanceof ServerException;
	}

	/**
	 * Whether the failure is the server rate limiting the caller (429). A circuit breaker
	 * should neither count it as a failure (the service is up) nor as a success.
	 * @param failure the failure of one attempt
	 * @return whether it is a rate-limit response
	 */
	public static boolean isRateLimited(Throwable failure) {
		return failure instanceof RateLimitException;
	}

	/**
	 * How long the server asked the client to wait after this failure.
	 * @param failure the failure of one attempt
	 * @return the {@code Retry-After} delay, or {@code null}
	 */
	public static @Nullable Duration retryAfter(@Nullable Throwable failure) {
		return (failure instanceof ApiClientException exception) ? exception.retryAfter() : null;
	}

}
