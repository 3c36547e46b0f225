package io.lionfuncs.network.limit.redis;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * Whether the Redis behind a {@link RedisBucketStore} can be used, since when, and why
 * not.
 *
 * @param status the status
 * @param since when the status began
 * @param error why Redis is unavailable, or {@code null} while it is available
 */
public record RedisAvailability(Status status, Instant since, @Nullable String error) {

	static RedisAvailability connecting(Instant now) {
		return new RedisAvailability(Status.CONNECTING, now, null);
	}

	static RedisAvailability available(Instant now) {
		return new RedisAvailability(Status.AVAILABLE, now, null);
	}

	static RedisAvailability unavailable(Instant now, String error) {
		return new RedisAvailability(Status.UNAVAILABLE, now, error);
	}

	/**
	 * Whether reservations go to Redis.
	 * @return {@code true} when the status is {@link Status#AVAILABLE}
	 */
	public boolean isAvailable() {
		return this.status == Status.AVAILABLE;
	}

	/**
	 * The status of the Redis connection.
	 */
	public enum Status {

		/**
		 * Not connected yet: buckets follow their failure policy until the first connection
		 * is made.
		 */
		CONNECTING,

		/**
		 * Connected; reservations go to Redis.
		 */
		AVAILABLE,

		/**
		 * Redis could not be reached; buckets follow their failure policy while the store
		 * checks for its return.
		 */
		UNAVAILABLE

	}

}
