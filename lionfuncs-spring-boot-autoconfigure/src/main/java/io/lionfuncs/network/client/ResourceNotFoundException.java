package io.lionfuncs.network.client;

import org.jspecify.annotations.Nullable;

/**
 * The server has no such resource: status 404. Never retried.
 */
public class ResourceNotFoundException extends ApiClientException {

	/**
	 * Creates an exception.
	 * @param message what went wrong, without secrets
	 * @param details the request and the response
	 * @param cause the underlying failure, or {@code null}
	 */
	public ResourceNotFoundException(String message, ExchangeDetails details, @Nullable Throwable cause) {
		super(message, details, cause);
	}

}
