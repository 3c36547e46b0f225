package io.lionfuncs.network.limit.redis;

/**
 * What a Redis-backed {@link io.lionfuncs.network.limit.TokenBucket} does while Redis cannot be reached.
 */
public enum RedisFailurePolicy {

	/**
	 * No call leaves without the shared budget's consent: reservations wait for Redis
	 * to answer again, in the order they were made, for at most
	 * {@link RedisBucketOptions#maxUnavailableWait()} from the start of the outage, and
	 * are then made in Redis; when the outage lasts longer they fail, and the executor
	 * ends their calls {@code FAILED}.
	 */
	FAIL_CLOSED,

	/**
	 * Reservations are made in a local bucket holding this replica's share of the budget
	 * ({@code rate / expectedReplicas}, {@code capacity / expectedReplicas}), which
	 * starts empty so that a failover does not release a burst.
	 */
	FAIL_OPEN

}
