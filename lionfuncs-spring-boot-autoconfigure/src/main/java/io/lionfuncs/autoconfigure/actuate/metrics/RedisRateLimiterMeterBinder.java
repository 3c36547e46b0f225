package io.lionfuncs.autoconfigure.actuate.metrics;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.lionfuncs.autoconfigure.actuate.RedisRateLimiters;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.limit.BucketView;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Meters of the executors' Redis-backed buckets, tagged {@code executor}:
 * {@code lionfuncs.ratelimiter.redis.available} (1 while Redis is used, 0 while it is
 * unavailable) and {@code lionfuncs.ratelimiter.redis.bypassed} (reservations not made
 * in Redis because it was unavailable, by {@code bucket} and {@code outcome}:
 * {@code fallback} under fail-open, {@code failed} under fail-closed) and
 * {@code lionfuncs.ratelimiter.redis.waiting} (reservations waiting for Redis to answer
 * again now, by {@code bucket}).
 *
 * @since 0.1.0
 */
public class RedisRateLimiterMeterBinder implements MeterBinder {

	private final Supplier<List<Executor>> executors;

	public RedisRateLimiterMeterBinder(Supplier<List<Executor>> executors) {
		this.executors = executors;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		for (Executor executor : this.executors.get()) {
			Map<String, BucketView> buckets = RedisRateLimiters.of(executor);
			if (buckets.isEmpty()) {
				continue;
			}
			Tags tags = Tags.of("executor", executor.getName());
			BucketView first = buckets.values().iterator().next();
			Gauge
				.builder("lionfuncs.ratelimiter.redis.available", first,
						(bucket) -> RedisRateLimiters.state(bucket).isAvailable() ? 1 : 0)
				.tags(tags)
				.description("Whether the executor's buckets are in Redis (1) or Redis is unavailable (0)")
				.register(registry);
			buckets.forEach((name, bucket) -> {
				Tags bucketTags = tags.and("bucket", name);
				FunctionCounter
					.builder("lionfuncs.ratelimiter.redis.bypassed", bucket,
							(view) -> RedisRateLimiters.state(view).fallbackReservations())
					.tags(bucketTags.and("outcome", "fallback"))
					.baseUnit("reservations")
					.description("Reservations not made in Redis because it was unavailable")
					.register(registry);
				FunctionCounter
					.builder("lionfuncs.ratelimiter.redis.bypassed", bucket,
							(view) -> RedisRateLimiters.state(view).failedReservations())
					.tags(bucketTags.and("outcome", "failed"))
					.baseUnit("reservations")
					.description("Reservations not made in Redis because it was unavailable")
					.register(registry);
				Gauge
					.builder("lionfuncs.ratelimiter.redis.waiting", bucket,
							(view) -> RedisRateLimiters.state(view).waitingReservations())
					.tags(bucketTags)
					.baseUnit("reservations")
					.description("Reservations waiting for an unavailable Redis to answer again")
					.register(registry);
			});
		}
	}

}
