package io.lionfuncs.network.limit.redis;

/**
 * What a Redis-backed {@link io.lionfuncs.network.limit.TokenBucket} does while Redis cannot be reached.
 */
public enum RedisFailurePolicy {

	/**
	 * Reservations fail, so no call leaves without the shared budget's consent. The
	 * executor ends such calls {@code FAILED}.
	 */
	FAIL_CLOSED,

	/**
	 * Reservations are made in a local bucket holding this replica's share of the budget
	 * ({@code rate / expectedReplicas}, {@code capacity / expectedReplicas}), which
	 * starts empty so that a failover does not release a burst.
	 */
	FAIL_OPEN

}
