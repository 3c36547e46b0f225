package io.lionfuncs.network.limit.redis;

import java.time.Duration;

import io.lionfuncs.network.limit.BucketSettings;

/**
 * How an executor's buckets live in Redis.
 *
 * @param keyPrefix prefix of the keys, which are {@code <keyPrefix>:<executor>:<bucket>}
 * @param onRedisFailure what reservations do while Redis cannot be reached
 * @param expectedReplicas replicas sharing the buckets; under
 * {@link RedisFailurePolicy#FAIL_OPEN} each replica falls back to this share of the rate
 * and capacity
 * @param timeout how long one Redis operation may take before Redis counts as unavailable
 * @param maxUnavailableWait under {@link RedisFailurePolicy#FAIL_CLOSED}, how long
 * reservations wait for an unavailable Redis to answer again before they fail, counted
 * from the start of the outage; zero fails them at once
 */
public record RedisBucketOptions(String keyPrefix, RedisFailurePolicy onRedisFailure, int expectedReplicas,
		Duration timeout, Duration maxUnavailableWait) {

	/** The timeout when none is given. */
	public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);

	/**
	 * The longest wait for an unavailable Redis when none is given: long enough for a
	 * blip (a slow command, a restart, a failover to a replica), short enough that a
	 * real outage fails calls while their callers still wait for an answer.
	 */
	public static final Duration DEFAULT_MAX_UNAVAILABLE_WAIT = Duration.ofSeconds(5);

	public RedisBucketOptions {
		if (keyPrefix == null || keyPrefix.isBlank()) {
			throw new IllegalArgumentException("Redis key prefix must not be empty");
		}
		if (onRedisFailure == null) {
			throw new IllegalArgumentException("Redis failure policy must not be null");
		}
		if (expectedReplicas < 1) {
			throw new IllegalArgumentException("Expected replicas must be at least 1 but was " + expectedReplicas);
		}
		if (timeout == null || timeout.isZero() || timeout.isNegative()) {
			throw new IllegalArgumentException("Redis timeout must be greater than 0 but was " + timeout);
		}
		if (maxUnavailableWait == null || maxUnavailableWait.isNegative()) {
			throw new IllegalArgumentException(
					"Longest wait for an unavailable Redis must be 0 or more but was " + maxUnavailableWait);
		}
	}

	/**
	 * Options waiting {@link #DEFAULT_MAX_UNAVAILABLE_WAIT} for an unavailable Redis.
	 * @param keyPrefix prefix of the keys
	 * @param onRedisFailure what reservations do while Redis cannot be reached
	 * @param expectedReplicas replicas sharing the buckets
	 * @param timeout how long one Redis operation may take
	 */
	public RedisBucketOptions(String keyPrefix, RedisFailurePolicy onRedisFailure, int expectedReplicas,
			Duration timeout) {
		this(keyPrefix, onRedisFailure, expectedReplicas, timeout, DEFAULT_MAX_UNAVAILABLE_WAIT);
	}

	/**
	 * Options with the given prefix, failing closed (after the default wait), one
	 * replica and the default timeout.
	 * @param keyPrefix prefix of the keys
	 * @return the options
	 */
	public static RedisBucketOptions of(String keyPrefix) {
		return new RedisBucketOptions(keyPrefix, RedisFailurePolicy.FAIL_CLOSED, 1, DEFAULT_TIMEOUT);
	}

	/**
	 * The same options with another failure policy and replica count.
	 * @param policy what reservations do while Redis cannot be reached
	 * @param replicas replicas sharing the buckets
	 * @return the options
	 */
	public RedisBucketOptions onRedisFailure(RedisFailurePolicy policy, int replicas) {
		return new RedisBucketOptions(this.keyPrefix, policy, replicas, this.timeout, this.maxUnavailableWait);
	}

	/**
	 * The same options with another timeout.
	 * @param timeout how long one Redis operation may take
	 * @return the options
	 */
	public RedisBucketOptions withTimeout(Duration timeout) {
		return new RedisBucketOptions(this.keyPrefix, this.onRedisFailure, this.expectedReplicas, timeout,
				this.maxUnavailableWait);
	}

	/**
	 * The same options with another longest wait for an unavailable Redis.
	 * @param maxUnavailableWait how long reservations wait under
	 * {@link RedisFailurePolicy#FAIL_CLOSED} before they fail; zero fails them at once
	 * @return the options
	 */
	public RedisBucketOptions withMaxUnavailableWait(Duration maxUnavailableWait) {
		return new RedisBucketOptions(this.keyPrefix, this.onRedisFailure, this.expectedReplicas, this.timeout,
				maxUnavailableWait);
	}

	/**
	 * The local bucket a replica falls back to under {@link RedisFailurePolicy#FAIL_OPEN}:
	 * its share of the rate and capacity (at least one token).
	 * @param shared the shared bucket's shape
	 * @return the fallback's shape
	 */
	BucketSettings fallbackOf(BucketSettings shared) {
		return new BucketSettings(Math.max(1, shared.capacity() / this.expectedReplicas),
				shared.rate() / this.expectedReplicas, shared.period());
	}

}
