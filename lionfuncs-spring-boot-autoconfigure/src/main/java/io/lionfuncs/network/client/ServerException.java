package io.lionfuncs.network.client;

import org.jspecify.annotations.Nullable;

/**
 * The server failed: a 5xx status. 502, 503 and 504 are retried for idempotent methods;
 * a 503 with {@code Retry-After} for every method.
 */
public class ServerException extends ApiClientException {

	/**
	 * Creates an exception.
	 * @param message what went wrong, without secrets
	 * @param details the request and the response
	 * @param cause the underlying failure, or {@code null}
	 */
	public ServerException(String message, ExchangeDetails details, @Nullable Throwable cause) {
		super(message, details, cause);
	}

}
