package io.lionfuncs.network.client;

import org.jspecify.annotations.Nullable;

/**
 * The server refused the credentials: status 401 (Unauthorized) or 403 (Forbidden).
 * Never retried.
 */
public class AuthenticationException extends ApiClientException {

	/**
	 * Creates an exception.
	 * @param message what went wrong, without secrets
	 * @param details the request and the response
	 * @param cause the underlying failure, or {@code null}
	 */
	public AuthenticationException(String message, ExchangeDetails details, @Nullable Throwable cause) {
		super(message, details, cause);
	}

}
