package io.lionfuncs.autoconfigure.actuate.health;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorStats;

import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of the lionfuncs executors: DOWN only when an executor is not running. A full
 * queue (and, with {@link HealthDetailsContributor}s, an open circuit breaker) is
 * reported in the details and turns the health DOWN only when configured to.
 *
 * @since 0.1.0
 */
public class LionfuncsHealthIndicator extends AbstractHealthIndicator {

	private final List<Executor> executors;

	private final List<HealthDetailsContributor> contributors;

	private final boolean downWhenQueueFull;

	public LionfuncsHealthIndicator(List<Executor> executors, List<HealthDetailsContributor> contributors,
			boolean downWhenQueueFull) {
		super("lionfuncs health check failed");
		this.executors = executors;
		this.contributors = contributors;
		this.downWhenQueueFull = downWhenQueueFull;
	}

	@Override
	protected void doHealthCheck(Health.Builder builder) {
		boolean down = false;
		Map<String, Object> executors = new LinkedHashMap<>();
		for (Executor executor : this.executors) {
			ExecutorStats stats = executor.stats();
			boolean queueFull = stats.queueRemaining() == 0;
			down |= !stats.running() || (queueFull && this.downWhenQueueFull);
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("running", stats.running());
			details.put("queueDepth", stats.queueDepth());
			details.put("queueCapacity", stats.queueCapacity());
			details.put("queueFull", queueFull);
			details.put("concurrencyInUse", stats.concurrencyInUse());
			details.put("requestsAvailable", stats.requestsBucket().available());
			if (stats.apiTokensBucket() != null) {
				details.put("apiTokensAvailable", stats.apiTokensBucket().available());
			}
			executors.put(executor.getName(), details);
		}
		builder.withDetail("executors", executors);
		for (HealthDetailsContributor contributor : this.contributors) {
			down |= contributor.contribute(builder);
		}
		if (down) {
			builder.down();
		}
		else {
			builder.up();
		}
	}

	/**
	 * Adds details to the lionfuncs health, such as circuit breaker states.
	 */
	@FunctionalInterface
	public interface HealthDetailsContributor {

		/**
		 * Adds details.
		 * @param builder the health being built
		 * @return whether what was found should make the health DOWN
		 */
		boolean contribute(Health.Builder builder);

	}

}
