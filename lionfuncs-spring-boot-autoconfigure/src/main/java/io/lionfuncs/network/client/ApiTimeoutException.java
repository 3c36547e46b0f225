package io.lionfuncs.network.client;

import org.jspecify.annotations.Nullable;

/**
 * No complete response arrived within the client's timeout. A kind of
 * {@link ApiConnectionException}: the response never came; when the connect itself timed
 * out, {@link #isConnectFailure()} is {@code true}.
 */
public class ApiTimeoutException extends ApiConnectionException {

	/**
	 * Creates an exception.
	 * @param message what went wrong, without secrets
	 * @param details the request and, if the body was too slow, the response
	 * @param connectFailure whether the connect itself timed out
	 * @param cause the underlying failure, or {@code null}
	 */
	public ApiTimeoutException(String message, ExchangeDetails details, boolean connectFailure,
			@Nullable Throwable cause) {
		super(message, details, connectFailure, cause);
	}

}
