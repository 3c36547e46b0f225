package io.lionfuncs.autoconfigure.actuate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.limit.RedisAvailability;
import io.lionfuncs.network.limit.RedisTokenBucket;
import io.lionfuncs.network.limit.TokenBucket;

/**
 * The Redis-backed buckets of executors, as health, endpoint and meters describe them.
 */
final class RedisRateLimiters {

	private RedisRateLimiters() {
	}

	/**
	 * The Redis-backed buckets of an executor, by bucket name.
	 * @param executor the executor
	 * @return the buckets ({@code requests}, {@code api-tokens}); empty for local ones
	 */
	static Map<String, RedisTokenBucket> of(Executor executor) {
		Map<String, RedisTokenBucket> buckets = new LinkedHashMap<>();
		if (executor.getRequestsBucket() instanceof RedisTokenBucket requests) {
			buckets.put("requests", requests);
		}
		TokenBucket apiTokens = executor.getApiTokensBucket();
		if (apiTokens instanceof RedisTokenBucket redisApiTokens) {
			buckets.put("api-tokens", redisApiTokens);
		}
		return buckets;
	}

	/**
	 * Each executor with Redis-backed buckets: the store's availability, the failure
	 * policy, where reservations go now, and the keys.
	 * @param executors the executors
	 * @return details by executor name; empty when no executor uses Redis
	 */
	static Map<String, Object> describe(List<Executor> executors) {
		Map<String, Object> described = new LinkedHashMap<>();
		for (Executor executor : executors) {
			Map<String, RedisTokenBucket> buckets = of(executor);
			if (buckets.isEmpty()) {
				continue;
			}
			RedisTokenBucket first = buckets.values().iterator().next();
			RedisAvailability availability = first.store().availability();
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("status", availability.status().name());
			details.put("since", availability.since().toString());
			if (availability.error() != null) {
				details.put("error", availability.error());
			}
			details.put("onRedisFailure", first.options().onRedisFailure().name().toLowerCase(Locale.ROOT)
				.replace('_', '-'));
			details.put("expectedReplicas", first.options().expectedReplicas());
			details.put("mode", first.mode().name());
			List<String> keys = new ArrayList<>();
			buckets.values().forEach((bucket) -> keys.add(bucket.key()));
			details.put("keys", keys);
			described.put(executor.getName(), details);
		}
		return described;
	}

	/**
	 * Whether any of the executors' Redis is unavailable (not merely still connecting).
	 * @param executors the executors
	 * @return {@code true} when one is
	 */
	static boolean anyUnavailable(List<Executor> executors) {
		return executors.stream()
			.flatMap((executor) -> of(executor).values().stream())
			.anyMatch((bucket) -> bucket.store().availability().status() == RedisAvailability.Status.UNAVAILABLE);
	}

}
