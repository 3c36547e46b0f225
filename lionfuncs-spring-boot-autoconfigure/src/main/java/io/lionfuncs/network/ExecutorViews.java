package io.lionfuncs.network;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.lionfuncs.network.limit.BucketView;
import io.lionfuncs.network.limit.ConcurrencyLimiter;
import org.jspecify.annotations.Nullable;

/**
 * What can be read of an executor's requests and state without changing them: a request
 * by id, the requests queued, in flight and recently finished, and the statistics.
 */
final class ExecutorViews {

	private final ExecutorSettings settings;

	private final TaskQueue queue;

	private final InFlightTasks inFlight;

	private final RecentEvents recent;

	private final WaitingRoom waiting;

	private final ConcurrencyLimiter limiter;

	private final Counters counters;

	private final BucketView requestsBucket;

	private final @Nullable BucketView apiTokensBucket;

	ExecutorViews(ExecutorSettings settings, TaskQueue queue, InFlightTasks inFlight, RecentEvents recent,
			WaitingRoom waiting, ConcurrencyLimiter limiter, Counters counters, BucketView requestsBucket,
			@Nullable BucketView apiTokensBucket) {
		this.settings = settings;
		this.queue = queue;
		this.inFlight = inFlight;
		this.recent = recent;
		this.waiting = waiting;
		this.limiter = limiter;
		this.counters = counters;
		this.requestsBucket = requestsBucket;
		this.apiTokensBucket = apiTokensBucket;
	}

	@Nullable NetworkRequestEvent find(String requestId) {
		ExecutorTask task = findTask(requestId);
		if (task != null) {
			return task.event;
		}
		UUID id = parseRequestId(requestId);
		return (id != null) ? this.recent.find(id) : null;
	}

	/**
	 * A request that is waiting, queued or in flight.
	 */
	@Nullable ExecutorTask findTask(String requestId) {
		UUID id = parseRequestId(requestId);
		if (id == null) {
			return null;
		}
		ExecutorTask task = this.inFlight.find(id);
		if (task == null) {
			task = this.queue.find(id);
		}
		return (task != null) ? task : this.waiting.find(id);
	}

	static @Nullable UUID parseRequestId(String requestId) {
		if (requestId.length() != 36) {
			return null;
		}
		try {
			return UUID.fromString(requestId);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	List<NetworkRequestEvent> inFlight() {
		List<NetworkRequestEvent> events = new ArrayList<>();
		this.inFlight.forEach((task) -> events.add(task.event));
		return events;
	}

	List<NetworkRequestEvent> queued() {
		List<NetworkRequestEvent> events = new ArrayList<>(this.queue.size());
		this.queue.forEach((task) -> events.add(task.event));
		return events;
	}

	List<NetworkRequestEvent> recent() {
		return this.recent.newestFirst();
	}

	ExecutorStats stats(boolean running) {
		int[] processingAndCalling = this.inFlight.countProcessingAndCalling();
		return new ExecutorStats(this.settings.name(), running, this.queue.size(), this.queue.capacity(),
				this.waiting.size(), this.limiter.limit(), this.limiter.inUse(), this.settings.numWorkers(),
				ExecutorStats.BucketStats.of(this.requestsBucket),
				(this.apiTokensBucket != null) ? ExecutorStats.BucketStats.of(this.apiTokensBucket) : null,
				processingAndCalling[0], processingAndCalling[1], this.counters.completed(), this.counters.failed(),
				this.counters.cancelled(), this.counters.rejectedCount(), this.counters.rateLimitWaits(),
				this.counters.rateLimitWaitTime());
	}

}
