package io.lionfuncs.autoconfigure.actuate.endpoint;

import java.util.List;
import java.util.function.Supplier;

import io.lionfuncs.autoconfigure.actuate.RedisRateLimiters;
import io.lionfuncs.network.Executor;

/**
 * Adds the {@code redis} section to the {@code lionfuncs} endpoint: for each executor
 * with Redis-backed buckets, whether Redis is available, the failure policy, where
 * reservations go now and the keys. (The bucket levels under {@code executors} are read
 * from Redis for such buckets.)
 *
 * @since 0.1.0
 */
public class RedisRateLimiterEndpointContributor implements LionfuncsEndpointContributor {

	private final Supplier<List<Executor>> executors;

	public RedisRateLimiterEndpointContributor(Supplier<List<Executor>> executors) {
		this.executors = executors;
	}

	@Override
	public String section() {
		return "redis";
	}

	@Override
	public Object describe() {
		return RedisRateLimiters.describe(this.executors.get());
	}

}
