package io.lionfuncs.network.client;

import org.jspecify.annotations.Nullable;

/**
 * The server is rate limiting the caller: status 429. {@link #retryAfter()} says how long
 * the server asked to wait. Retried for every method, since the server declined the
 * request without processing it, but never before {@code Retry-After}.
 */
public class RateLimitException extends ApiClientException {

	/**
	 * Creates an exception.
	 * @param message what went wrong, without secrets
	 * @param details the request and the response
	 * @param cause the underlying failure, or {@code null}
	 */
	public RateLimitException(String message, ExchangeDetails details, @Nullable Throwable cause) {
		super(message, details, cause);
	}

}
