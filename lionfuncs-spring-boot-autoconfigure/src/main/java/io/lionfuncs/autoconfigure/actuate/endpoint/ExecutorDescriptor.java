package io.lionfuncs.autoconfigure.actuate.endpoint;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorStats;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.budget.BudgetStats;
import io.lionfuncs.network.client.ApiStream;
import io.lionfuncs.network.limit.BucketView;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Schedulers;

/**
 * An executor as the {@code lionfuncs} endpoint shows it: queue, concurrency, buckets,
 * counts and the requests in flight. Holds no payload, body or header value.
 *
 * @param running whether the executor accepts tasks
 * @param pausedUntil when dispatch resumes after a pause (a 429, an exhausted provider
 * limit), shown as {@code null} when not paused
 * @param queue the queue's depth and capacity
 * @param concurrency the concurrency slots
 * @param workers dispatcher loops
 * @param buckets the token buckets
 * @param budget API tokens estimated against used, provider-reported limits, pauses
 * @param counts requests per status, and rejections
 * @param inFlight requests holding a slot, oldest first
 * @since 0.1.0
 */
public record ExecutorDescriptor(boolean running,
		@JsonInclude(JsonInclude.Include.ALWAYS) @Nullable Instant pausedUntil, QueueDescriptor queue,
		ConcurrencyDescriptor concurrency, int workers, BucketsDescriptor buckets, BudgetDescriptor budget,
		Map<String, Long> counts, List<InFlightDescriptor> inFlight) {

	/** Requests listed in {@code inFlight} at most. */
	static final int MAX_IN_FLIGHT = 100;

	static ExecutorDescriptor of(Executor executor, Instant now) {
		ExecutorStats stats = executor.stats();
		BucketView apiTokens = executor.apiTokensBucket();
		BucketsDescriptor buckets = new BucketsDescriptor(
				BucketDescriptor.of(stats.requestsBucket(), executor.requestsBucket()),
				(stats.apiTokensBucket() != null && apiTokens != null)
						? BucketDescriptor.of(stats.apiTokensBucket(), apiTokens) : null);
		Map<String, Long> counts = new LinkedHashMap<>();
		counts.put("QUEUED", (long) stats.queueDepth());
		counts.put("PROCESSING", (long) stats.processing());
		counts.put("CALLING", (long) stats.calling());
		counts.put("COMPLETED", stats.completed());
		counts.put("FAILED", stats.failed());
		counts.put("CANCELLED", stats.cancelled());
		counts.put("rejected", stats.rejected());
		List<InFlightDescriptor> inFlight = executor.inFlight()
			.stream()
			.sorted(java.util.Comparator.comparing(NetworkRequestEvent::getCreatedAt))
			.limit(MAX_IN_FLIGHT)
			.map((event) -> InFlightDescriptor.of(event, now))
			.toList();
		BudgetStats budget = executor.budgetStats();
		return new ExecutorDescriptor(stats.running(), budget.pausedUntil(),
				new QueueDescriptor(stats.queueDepth(), stats.queueCapacity(), stats.queueRemaining()),
				new ConcurrencyDescriptor(stats.concurrencyLimit(), stats.concurrencyInUse(),
						stats.concurrencyLimit() - stats.concurrencyInUse()),
				stats.workers(), buckets, BudgetDescriptor.of(budget), counts, inFlight);
	}

	/**
	 * The queue.
	 *
	 * @param depth tasks waiting
	 * @param capacity tasks that may wait
	 * @param remaining room left
	 */
	public record QueueDescriptor(int depth, int capacity, int remaining) {
	}

	/**
	 * The concurrency slots.
	 *
	 * @param limit calls allowed in flight
	 * @param inUse slots held
	 * @param available slots free
	 */
	public record ConcurrencyDescriptor(int limit, int inUse, int available) {
	}

	/**
	 * The token buckets.
	 *
	 * @param requests the request bucket
	 * @param apiTokens the API-token bucket, shown as {@code null} when disabled
	 */
	public record BucketsDescriptor(BucketDescriptor requests,
			@JsonInclude(JsonInclude.Include.ALWAYS) @Nullable BucketDescriptor apiTokens) {
	}

	/**
	 * A token bucket.
	 *
	 * @param capacity burst size
	 * @param available tokens available now (negative while in debt); read from Redis for
	 * a Redis-backed bucket, so that other replicas' reservations are included
	 * @param rate tokens added per period
	 * @param period the refill period, ISO-8601
	 */
	public record BucketDescriptor(double capacity, double available, double rate, String period) {

		/** How long the endpoint waits for a level read from a remote store. */
		private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

		static BucketDescriptor of(ExecutorStats.BucketStats stats, BucketView bucket) {
			return new BucketDescriptor(stats.capacity(), level(bucket, stats.available()), stats.rate(),
					stats.period().toString());
		}

		/**
		 * The level where the bucket lives. A remote bucket is read (it bounds the read
		 * by its own timeout), unless this thread must not block.
		 */
		private static long level(BucketView bucket, long lastSeen) {
			if (bucket.isSynchronous() || Schedulers.isInNonBlockingThread()) {
				return lastSeen;
			}
			try {
				return bucket.readAvailableTokens().toCompletableFuture().get(READ_TIMEOUT.toMillis(),
						TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return lastSeen;
			}
			catch (ExecutionException | TimeoutException ex) {
				return lastSeen;
			}
		}

	}

	/**
	 * The budgets kept in line with the provider.
	 *
	 * @param usage API tokens estimated against those really used
	 * @param pause the pause state
	 * @param providerLimits the last value each provider limit was reported at, by kind
	 * ({@code requests}, {@code tokens}, {@code input-tokens}, {@code output-tokens},
	 * {@code quota})
	 * @param providerAdjustments times a reported limit lowered a bucket
	 */
	public record BudgetDescriptor(UsageDescriptor usage, PauseDescriptor pause,
			Map<String, BudgetStats.ReportedLimit> providerLimits, long providerAdjustments) {

		static BudgetDescriptor of(BudgetStats stats) {
			return new BudgetDescriptor(
					new UsageDescriptor(stats.callsWithUsage(), stats.estimatedApiTokens(), stats.actualApiTokens(),
							stats.actualToEstimatedRatio(), stats.refundedApiTokens(), stats.overdrawnApiTokens(),
							stats.callsWithoutUsage()),
					new PauseDescriptor(stats.paused(), stats.pausedUntil(), stats.pauseReason(), stats.pauses(),
							stats.rateLimitedResponses()),
					stats.providerLimits(), stats.providerAdjustments());
		}

	}

	/**
	 * API tokens estimated against those really used, over the calls whose response said.
	 *
	 * @param calls calls whose usage was read
	 * @param estimatedApiTokens what they reserved
	 * @param actualApiTokens what they used
	 * @param actualToEstimated {@code actual / estimated}
	 * @param refundedApiTokens given back to the bucket (over-estimates, 429s)
	 * @param overdrawnApiTokens taken beyond the estimates (under-estimates)
	 * @param callsWithoutUsage completed calls whose response did not say
	 */
	public record UsageDescriptor(long calls, long estimatedApiTokens, long actualApiTokens,
			@Nullable Double actualToEstimated, long refundedApiTokens, long overdrawnApiTokens,
			long callsWithoutUsage) {
	}

	/**
	 * The pause state.
	 *
	 * @param paused whether no call may leave now
	 * @param pausedUntil when calls may leave again
	 * @param reason why, such as {@code 429 Too Many Requests (Retry-After)}
	 * @param pauses pauses begun or extended
	 * @param rateLimitedResponses 429 responses seen, retried attempts included
	 */
	public record PauseDescriptor(boolean paused, @Nullable Instant pausedUntil, @Nullable String reason,
			long pauses, long rateLimitedResponses) {
	}

	/**
	 * A request holding a concurrency slot.
	 *
	 * @param requestId the request id
	 * @param status {@code PROCESSING} (waiting for tokens) or {@code CALLING}
	 * @param method the HTTP method
	 * @param endpointUrl the URL, sensitive query values redacted
	 * @param apiTokens API tokens reserved
	 * @param ageMillis time since the request was created
	 * @param stream whether it is a streamed call, which holds its slot until the stream
	 * ends
	 * @param timeToFirstByteMillis time from the call's start to its first byte, once it
	 * has arrived (a stream's time to first token)
	 */
	public record InFlightDescriptor(String requestId, String status, @Nullable String method,
			@Nullable String endpointUrl, long apiTokens, long ageMillis, boolean stream,
			@Nullable Long timeToFirstByteMillis) {

		static InFlightDescriptor of(NetworkRequestEvent event, Instant now) {
			Instant callStarted = event.getCallStartedAt();
			Instant firstByte = event.getFirstByteAt();
			Long timeToFirstByte = (callStarted != null && firstByte != null)
					? Math.max(0, Duration.between(callStarted, firstByte).toMillis()) : null;
			return new InFlightDescriptor(event.getRequestId(), event.getStatus().name(), event.getMethod(),
					event.getEndpointUrl(), event.getNumApiTokensNeeded(),
					Math.max(0, Duration.between(event.getCreatedAt(), now).toMillis()),
					Boolean.TRUE.equals(event.getMetadata().get(ApiStream.METADATA_KEY)), timeToFirstByte);
		}

	}

}
