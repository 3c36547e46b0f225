package io.lionfuncs.network.client;

import org.jspecify.annotations.Nullable;

/**
 * The client's circuit breaker did not permit the call, so the request was not sent. The
 * cause, when there is one, is the failure of this call's previous attempt. Never
 * retried: an open breaker stops the retries.
 */
public class CircuitBreakerOpenException extends ApiClientException {

	private final String circuitBreakerName;

	/**
	 * Creates an exception.
	 * @param message what went wrong
	 * @param details the request that was not sent
	 * @param circuitBreakerName the name of the breaker that refused the call
	 * @param cause the previous attempt's failure, or {@code null}
	 */
	public CircuitBreakerOpenException(String message, ExchangeDetails details, String circuitBreakerName,
			@Nullable Throwable cause) {
		super(message, details, cause);
		this.circuitBreakerName = circuitBreakerName;
	}

	/**
	 * The name of the breaker that refused the call.
	 * @return the breaker's name
	 */
	public String circuitBreakerName() {
		return this.circuitBreakerName;
	}

}
