package io.lionfuncs.autoconfigure.actuate.health;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.lionfuncs.autoconfigure.actuate.RedisRateLimiters;
import io.lionfuncs.network.Executor;

import org.springframework.boot.health.contributor.Health;

/**
 * Adds the state of the executors' Redis-backed buckets to the lionfuncs health, under
 * {@code redis}: whether Redis is available (since when, and why not), the failure
 * policy and where reservations go now. An unavailable Redis turns the health DOWN only
 * when configured to ({@code lionfuncs.health.down-when-redis-unavailable}).
 *
 * @since 0.1.0
 */
public class RedisRateLimiterHealthDetailsContributor implements LionfuncsHealthIndicator.HealthDetailsContributor {

	private final Supplier<List<Executor>> executors;

	private final boolean downWhenUnavailable;

	public RedisRateLimiterHealthDetailsContributor(Supplier<List<Executor>> executors, boolean downWhenUnavailable) {
		this.executors = executors;
		this.downWhenUnavailable = downWhenUnavailable;
	}

	@Override
	public boolean contribute(Health.Builder builder) {
		List<Executor> current = this.executors.get();
		Map<String, Object> details = RedisRateLimiters.describe(current);
		if (details.isEmpty()) {
			return false;
		}
		builder.withDetail("redis", details);
		return this.downWhenUnavailable && RedisRateLimiters.anyUnavailable(current);
	}

}
