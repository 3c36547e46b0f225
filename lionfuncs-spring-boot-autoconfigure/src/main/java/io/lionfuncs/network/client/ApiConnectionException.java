package io.lionfuncs.network.client;

import org.jspecify.annotations.Nullable;

/**
 * No complete response arrived: the connection was refused, reset or closed before or
 * during the response, or the host could not be resolved.
 * {@link #isConnectFailure()} tells whether the connection was never established (or
 * closed before the request was written), in which case the request provably did not
 * reach the server and may be retried whatever its method.
 */
public class ApiConnectionException extends ApiClientException {

	private final boolean connectFailure;

	/**
	 * Creates an exception.
	 * @param message what went wrong, without secrets
	 * @param details the request and, if the failure came mid-response, the response
	 * @param connectFailure whether the request provably was not sent: the connection was
	 * never established, or closed before the request was written
	 * @param cause the underlying failure, or {@code null}
	 */
	public ApiConnectionException(String message, ExchangeDetails details, boolean connectFailure,
			@Nullable Throwable cause) {
		super(message, details, cause);
		this.connectFailure = connectFailure;
	}

	/**
	 * Whether the connection was never established (refused, unresolvable host, connect
	 * timeout) or closed before the request was written, so the request provably did not
	 * reach the server.
	 * @return whether the request was never sent
	 */
	public boolean isConnectFailure() {
		return this.connectFailure;
	}

}
