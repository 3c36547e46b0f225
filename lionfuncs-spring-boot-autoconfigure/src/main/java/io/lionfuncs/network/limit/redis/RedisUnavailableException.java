package io.lionfuncs.network.limit.redis;

import org.jspecify.annotations.Nullable;

/**
 * Thrown (as the failure of a reservation) when Redis cannot be reached and the bucket
 * fails closed.
 */
public class RedisUnavailableException extends RuntimeException {

	/**
	 * Creates a new exception.
	 * @param message what could not be done and why
	 * @param cause the failure that made Redis unavailable, if known
	 */
	public RedisUnavailableException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
