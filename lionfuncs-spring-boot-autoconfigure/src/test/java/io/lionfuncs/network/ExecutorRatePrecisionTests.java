package io.lionfuncs.network;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.lionfuncs.network.limit.BucketSettings;
import io.lionfuncs.network.limit.LocalTokenBucket;
import io.lionfuncs.testsupport.SlidingWindows;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rate precision of the {@link Executor} under many concurrent submitters, on virtual
 * time: calls (and API tokens) per window never exceed
 * {@code capacity + rate * T / period}, the long-run rate is the configured one, and an
 * independent strict limiter with the same shape never refuses a call.
 */
class ExecutorRatePrecisionTests {

	private static final int SUBMITTERS = 64;

	private static final int CALLS_PER_SUBMITTER = 10;

	private static final List<Duration> WINDOWS = List.of(Duration.ofMillis(1), Duration.ofMillis(50),
			Duration.ofMillis(100), Duration.ofMillis(999), Duration.ofSeconds(1), Duration.ofSeconds(10));

	private final VirtualTime time = new VirtualTime();

	@ParameterizedTest(name = "concurrency limit {0}")
	@ValueSource(ints = { 4, 1000 })
	void requestBucketBoundHoldsInEveryWindow(int concurrencyLimit) throws Exception {
		ExecutorSettings settings = ExecutorSettings.builder()
			.requestsRate(20)
			.requestsBucketCapacity(5L)
			.concurrencyLimit(concurrencyLimit)
			.queueCapacity(SUBMITTERS * CALLS_PER_SUBMITTER)
			.build();
		Bucket strict = strictBucket(settings.requestsBucket());
		Run run = run(settings, (i) -> 0, strict, 1);

		BucketSettings shape = settings.requestsBucket();
		int calls = SUBMITTERS * CALLS_PER_SUBMITTER;
		assertThat(run.starts).hasSize(calls);
		for (Duration window : WINDOWS) {
			assertThat(run.maxInWindow(window, (start) -> 1)).as("calls in any %s window", window)
				.isLessThanOrEqualTo((long) Math.floor(shape.maxTokensIn(window)));
		}
		assertThat(run.maxInWindow(Duration.ofSeconds(1), (start) -> 1)).as("the budget is used, not wasted")
			.isEqualTo(25);
		assertThat(run.lastStartNanos()).as("long-run rate: last call at (calls - burst) / rate")
			.isEqualTo(Duration.ofMillis((calls - 5) * 50L).toNanos());
		assertThat(run.strictRefusals).hasValue(0);
	}

	@ParameterizedTest(name = "concurrency limit {0}")
	@ValueSource(ints = { 4, 1000 })
	void apiTokenBucketBoundHoldsInEveryWindow(int concurrencyLimit) throws Exception {
		ExecutorSettings settings = ExecutorSettings.builder()
			.requestsRate(1_000_000)
			.apiTokensRate(1000.0)
			.apiTokensPeriod(Duration.ofSeconds(1))
			.apiTokensBucketCapacity(200L)
			.concurrencyLimit(concurrencyLimit)
			.queueCapacity(SUBMITTERS * CALLS_PER_SUBMITTER)
			.build();
		Bucket strict = strictBucket(settings.apiTokensBucket());
		Run run = run(settings, ExecutorRatePrecisionTests::tokensOf, strict, -1);

		BucketSettings shape = settings.apiTokensBucket();
		for (Duration window : WINDOWS) {
			assertThat(run.maxInWindow(window, Start::tokens)).as("API tokens in any %s window", window)
				.isLessThanOrEqualTo((long) Math.floor(shape.maxTokensIn(window)));
		}
		long totalTokens = run.starts.stream().mapToLong(Start::tokens).sum();
		long expectedLastNanos = Duration.ofMillis(totalTokens - 200).toNanos();
		assertThat(run.lastStartNanos()).as("long-run rate: the last call starts once all but the burst refilled")
			.isBetween(expectedLastNanos, expectedLastNanos + 1000);
		assertThat(run.strictRefusals).hasValue(0);
	}

	@ParameterizedTest(name = "concurrency limit {0}")
	@ValueSource(ints = { 1, 1000 })
	void waitersAreServedInQueueOrder(int concurrencyLimit) {
		ExecutorSettings settings = ExecutorSettings.builder()
			.requestsRate(1000)
			.apiTokensRate(100.0)
			.apiTokensPeriod(Duration.ofSeconds(1))
			.concurrencyLimit(concurrencyLimit)
			.build();
		Executor executor = this.time.executor(settings).build();
		executor.start();
		List<Long> startsInSubmissionOrder = new ArrayList<>();
		List<Integer> order = new ArrayList<>();
		for (int i = 0; i < 40; i++) {
			int index = i;
			long tokens = (i % 2 == 0) ? 90 : 1;
			executor.submitTask(TaskRequest.ofStage(() -> {
				order.add(index);
				startsInSubmissionOrder.add(this.time.nanoTime());
				return CompletableFuture.completedFuture(CallResult.of(200, null));
			}).numApiTokensNeeded(tokens).build());
		}
		this.time.advance(Duration.ofMinutes(1));

		assertThat(order).hasSize(40).isSorted();
		assertThat(startsInSubmissionOrder).isSorted();
		executor.stop(false);
	}

	private static long tokensOf(int index) {
		return 1 + (index * 37L) % 150;
	}

	private Bucket strictBucket(BucketSettings settings) {
		return Bucket.builder()
			.addLimit(LocalTokenBucket.bandwidth(settings))
			.withCustomTimePrecision(new TimeMeter() {

				@Override
				public long currentTimeNanos() {
					return ExecutorRatePrecisionTests.this.time.nanoTime();
				}

				@Override
				public boolean isWallClockBased() {
					return false;
				}

			})
			.build();
	}

	/**
	 * Submits every call from many threads at once, then advances virtual time until all
	 * are done.
	 * @param strictCost tokens the strict limiter takes per call, or -1 for the call's API
	 * tokens
	 */
	private Run run(ExecutorSettings settings, java.util.function.IntToLongFunction tokens, Bucket strict,
			long strictCost) throws Exception {
		Executor executor = this.time.executor(settings).build();
		executor.start();
		Run run = new Run();
		CountDownLatch go = new CountDownLatch(1);
		ExecutorService submitters = Executors.newFixedThreadPool(SUBMITTERS);
		List<Future<List<NetworkRequestEvent>>> submitted = new ArrayList<>();
		AtomicInteger index = new AtomicInteger();
		for (int s = 0; s < SUBMITTERS; s++) {
			submitted.add(submitters.submit(() -> {
				go.await();
				List<NetworkRequestEvent> events = new ArrayList<>();
				for (int c = 0; c < CALLS_PER_SUBMITTER; c++) {
					long needed = tokens.applyAsLong(index.getAndIncrement());
					events.add(executor.submitTask(TaskRequest.ofStage(() -> {
						run.starts.add(new Start(this.time.nanoTime(), needed));
						if (!strict.tryConsume((strictCost > 0) ? strictCost : needed)) {
							run.strictRefusals.incrementAndGet();
						}
						return CompletableFuture.completedFuture(CallResult.of(200, null));
					}).numApiTokensNeeded(needed).build()));
				}
				return events;
			}));
		}
		go.countDown();
		List<NetworkRequestEvent> events = new ArrayList<>();
		for (Future<List<NetworkRequestEvent>> future : submitted) {
			events.addAll(future.get(30, TimeUnit.SECONDS));
		}
		submitters.shutdown();
		for (int step = 0; step < 200_000 && events.stream().anyMatch((event) -> !event.isTerminal()); step++) {
			this.time.advance(Duration.ofMillis(5));
		}
		assertThat(events).allSatisfy((event) -> assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED));
		executor.stop(true);
		return run;
	}

	record Start(long nanos, long tokens) {
	}

	static final class Run {

		final ConcurrentLinkedQueue<Start> starts = new ConcurrentLinkedQueue<>();

		final AtomicInteger strictRefusals = new AtomicInteger();

		long lastStartNanos() {
			return this.starts.stream().mapToLong(Start::nanos).max().orElseThrow();
		}

		/**
		 * The largest total over any closed window {@code [s, s + window]} starting at a
		 * call: the busiest window always starts at one.
		 */
		long maxInWindow(Duration window, java.util.function.ToLongFunction<Start> weight) {
			return SlidingWindows.busiest(this.starts, Start::nanos, weight, window);
		}

	}

}
