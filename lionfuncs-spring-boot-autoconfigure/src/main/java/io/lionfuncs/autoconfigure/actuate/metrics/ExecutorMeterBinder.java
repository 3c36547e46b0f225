package io.lionfuncs.autoconfigure.actuate.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.RequestStatusListener;
import io.lionfuncs.network.limit.BucketView;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.jspecify.annotations.Nullable;

/**
 * Meters of the lionfuncs executors, tagged {@code executor}: queue depth and room,
 * calls in flight, rejections, bucket levels, time spent waiting for tokens, pauses,
 * API tokens estimated against used, the time from queue to terminal status of every
 * request by status, and the time to the first byte of the calls that report it (streams).
 * Tags are bounded:
 * never a request id, URL or user.
 *
 * @since 0.1.0
 */
public class ExecutorMeterBinder implements MeterBinder, RequestStatusListener {

	private final List<Executor> executors;

	private final Map<String, Timer> requestTimers = new ConcurrentHashMap<>();

	private final Map<String, Timer> firstByteTimers = new ConcurrentHashMap<>();

	private volatile @Nullable MeterRegistry registry;

	public ExecutorMeterBinder(List<Executor> executors) {
		this.executors = executors;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		for (Executor executor : this.executors) {
			Tags tags = Tags.of("executor", executor.getName());
			Gauge.builder("lionfuncs.executor.queued", executor, (e) -> e.stats().queueDepth())
				.tags(tags)
				.baseUnit("tasks")
				.description("Tasks waiting in the executor's queue")
				.register(registry);
			Gauge.builder("lionfuncs.executor.queue.remaining", executor, (e) -> e.stats().queueRemaining())
				.tags(tags)
				.baseUnit("tasks")
				.description("Room left in the executor's queue")
				.register(registry);
			Gauge.builder("lionfuncs.executor.active", executor, (e) -> e.stats().concurrencyInUse())
				.tags(tags)
				.baseUnit("requests")
				.description("Requests holding a concurrency slot: waiting for tokens or calling")
				.register(registry);
			FunctionCounter.builder("lionfuncs.executor.rejected", executor, (e) -> e.stats().rejected())
				.tags(tags)
				.baseUnit("tasks")
				.description("Submissions rejected because the queue was full or the executor stopped")
				.register(registry);
			bucket(registry, tags, "requests", executor.requestsBucket());
			BucketView apiTokens = executor.apiTokensBucket();
			if (apiTokens != null) {
				bucket(registry, tags, "api-tokens", apiTokens);
			}
			budget(registry, tags, executor);
			FunctionTimer
				.builder("lionfuncs.ratelimiter.wait", executor, (e) -> e.stats().rateLimitWaits(),
						(e) -> e.stats().rateLimitWaitTime().toNanos(), TimeUnit.NANOSECONDS)
				.tags(tags)
				.description("Time calls waited for their reserved tokens")
				.register(registry);
		}
		this.registry = registry;
	}

	private static void budget(MeterRegistry registry, Tags tags, Executor executor) {
		Gauge.builder("lionfuncs.executor.paused", executor, (e) -> (e.pausedUntil() != null) ? 1 : 0)
			.tags(tags)
			.description("Whether the executor is paused (1) because its provider asked it to wait, or not (0)")
			.register(registry);
		FunctionCounter.builder("lionfuncs.executor.pauses", executor, (e) -> e.budgetStats().pauses())
			.tags(tags)
			.description("Pauses begun or extended: 429s, 503s with Retry-After, exhausted provider limits")
			.register(registry);
		FunctionCounter
			.builder("lionfuncs.executor.api.tokens.estimated", executor,
					(e) -> e.budgetStats().estimatedApiTokens())
			.tags(tags)
			.baseUnit("tokens")
			.description("API tokens reserved as estimates by calls whose usage was read from the response")
			.register(registry);
		FunctionCounter
			.builder("lionfuncs.executor.api.tokens.actual", executor, (e) -> e.budgetStats().actualApiTokens())
			.tags(tags)
			.baseUnit("tokens")
			.description("API tokens those calls really used, as their responses said")
			.register(registry);
	}

	private static void bucket(MeterRegistry registry, Tags tags, String name, BucketView bucket) {
		Gauge.builder("lionfuncs.ratelimiter.available", bucket, BucketView::availableTokens)
			.tags(tags.and(Tag.of("bucket", name)))
			.baseUnit("tokens")
			.description("Tokens available in the bucket; negative while reserved ahead")
			.register(registry);
	}

	@Override
	public void onStatusChange(NetworkRequestEvent event, RequestStatus previous, RequestStatus current) {
		MeterRegistry meters = this.registry;
		if (meters == null || !current.isTerminal()) {
			return;
		}
		String executor = (event.getExecutorName() != null) ? event.getExecutorName() : "unknown";
		Timer timer = this.requestTimers.computeIfAbsent(executor + '/' + current.name(),
				(key) -> Timer.builder("lionfuncs.requests")
					.tags("executor", executor, "status", current.name())
					.description("Time from entering the queue to the terminal status")
					.register(meters));
		Instant start = (event.getQueuedAt() != null) ? event.getQueuedAt() : event.getCreatedAt();
		Instant end = event.getCompletedAt();
		if (end != null) {
			timer.record(Duration.between(start, end));
		}
		Instant callStarted = event.getCallStartedAt();
		Instant firstByte = event.getFirstByteAt();
		if (callStarted != null && firstByte != null) {
			this.firstByteTimers.computeIfAbsent(executor + '/' + current.name(),
					(key) -> Timer.builder("lionfuncs.requests.first-byte")
						.tags("executor", executor, "status", current.name())
						.description("Time from a call's start to its first byte (a stream's time to first token), "
								+ "for calls that report it")
						.register(meters))
				.record(Duration.between(callStarted, firstByte));
		}
	}

}
