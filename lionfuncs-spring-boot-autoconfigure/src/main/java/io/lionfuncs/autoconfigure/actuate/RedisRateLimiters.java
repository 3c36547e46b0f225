package io.lionfuncs.autoconfigure.actuate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.limit.BucketView;
import io.lionfuncs.network.limit.SharedBucketState;

/**
 * The buckets of executors kept in a store shared by replicas (Redis), as health,
 * endpoint and meters describe them, read through the executors' bucket views.
 *
 * @since 0.1.0
 */
public final class RedisRateLimiters {

	/**
	 * The type of the bean that creates the Redis-backed buckets, present when
	 * {@code LionfuncsRedisAutoConfiguration} applies: the actuator auto-configurations
	 * add their Redis details only with it.
	 */
	public static final String BUCKETS_BEAN_TYPE = "io.lionfuncs.autoconfigure.RedisTokenBuckets";

	private RedisRateLimiters() {
	}

	/**
	 * The shared buckets of an executor, by bucket name.
	 * @param executor the executor
	 * @return the buckets ({@code requests}, {@code api-tokens}); empty for local ones
	 */
	public static Map<String, BucketView> of(Executor executor) {
		Map<String, BucketView> buckets = new LinkedHashMap<>();
		if (executor.requestsBucket().sharedState() != null) {
			buckets.put("requests", executor.requestsBucket());
		}
		BucketView apiTokens = executor.apiTokensBucket();
		if (apiTokens != null && apiTokens.sharedState() != null) {
			buckets.put("api-tokens", apiTokens);
		}
		return buckets;
	}

	/**
	 * The state of a shared bucket now.
	 * @param bucket a bucket found by {@link #of(Executor)}
	 * @return its state
	 */
	public static SharedBucketState state(BucketView bucket) {
		SharedBucketState state = bucket.sharedState();
		if (state == null) {
			throw new IllegalStateException("Bucket " + bucket + " is not kept in a shared store");
		}
		return state;
	}

	/**
	 * Each executor with Redis-backed buckets: the store's availability, the failure
	 * policy, where reservations go now, and the keys.
	 * @param executors the executors
	 * @return details by executor name; empty when no executor uses Redis
	 */
	public static Map<String, Object> describe(List<Executor> executors) {
		Map<String, Object> described = new LinkedHashMap<>();
		for (Executor executor : executors) {
			Map<String, BucketView> buckets = of(executor);
			if (buckets.isEmpty()) {
				continue;
			}
			SharedBucketState first = state(buckets.values().iterator().next());
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("status", first.status());
			details.put("since", first.since().toString());
			if (first.error() != null) {
				details.put("error", first.error());
			}
			details.put("onRedisFailure", first.failurePolicy());
			details.put("expectedReplicas", first.expectedReplicas());
			details.put("mode", first.mode());
			details.put("maxUnavailableWait", first.maxUnavailableWait().toString());
			details.put("waitingReservations",
					buckets.values().stream().mapToLong((bucket) -> state(bucket).waitingReservations()).sum());
			List<String> keys = new ArrayList<>();
			buckets.values().forEach((bucket) -> keys.add(state(bucket).key()));
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
	public static boolean anyUnavailable(List<Executor> executors) {
		return executors.stream()
			.flatMap((executor) -> of(executor).values().stream())
			.anyMatch((bucket) -> SharedBucketState.UNAVAILABLE.equals(state(bucket).status()));
	}

}
