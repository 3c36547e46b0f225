package io.lionfuncs.benchmarks.report;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.TaskRequest;
import io.lionfuncs.network.limit.BucketSettings;

/**
 * Real-time rate precision: many submitters push calls through an {@link Executor} and
 * each call's start is stamped with {@link System#nanoTime()} as it leaves. The busiest
 * sliding window is compared with the bound {@code capacity + rate * T / period}, and
 * the achieved long-run rate with the configured one.
 */
final class RatePrecisionScenario implements Scenario {

	private static final Duration WINDOW = Duration.ofSeconds(1);

	private static final int SUBMITTERS = 50;

	private final boolean apiTokens;

	private RatePrecisionScenario(boolean apiTokens) {
		this.apiTokens = apiTokens;
	}

	/**
	 * The request bucket's precision: {@code rate.*}.
	 * @return the scenario
	 */
	static RatePrecisionScenario requestsBucket() {
		return new RatePrecisionScenario(false);
	}

	/**
	 * The API-token bucket's precision: {@code tokens.*}.
	 * @return the scenario
	 */
	static RatePrecisionScenario apiTokensBucket() {
		return new RatePrecisionScenario(true);
	}

	@Override
	public String name() {
		return this.apiTokens ? "tokens" : "rate";
	}

	@Override
	public Map<String, Object> run() throws Exception {
		return this.apiTokens ? apiTokens() : requests();
	}

	/**
	 * 200 requests per second, burst 200, 1000 calls.
	 */
	private Map<String, Object> requests() throws Exception {
		ExecutorSettings settings = ExecutorSettings.builder()
			.name("rate")
			.requestsRate(200)
			.requestsBucketCapacity(200L)
			.concurrencyLimit(1000)
			.queueCapacity(10_000)
			.build();
		Starts starts = run(settings, 1000, 0);
		BucketSettings shape = settings.requestsBucket();
		Map<String, Object> figures = new LinkedHashMap<>();
		figures.put("rate.calls", starts.count());
		figures.put("rate.maxInAnyWindow", starts.maxInWindow(WINDOW, false));
		figures.put("rate.bound", shape.maxTokensIn(WINDOW));
		figures.put("rate.achievedRatio", round(starts.achievedRate(shape.capacity(), false) / shape.tokensPerSecond()));
		return figures;
	}

	/**
	 * 1000 API tokens per second, 50 tokens per call, 400 calls.
	 */
	private Map<String, Object> apiTokens() throws Exception {
		ExecutorSettings settings = ExecutorSettings.builder()
			.name("tokens")
			.requestsRate(1_000_000)
			.apiTokensRate(1000.0)
			.apiTokensPeriod(Duration.ofSeconds(1))
			.concurrencyLimit(1000)
			.queueCapacity(10_000)
			.build();
		Starts starts = run(settings, 400, 50);
		BucketSettings shape = settings.apiTokensBucket();
		Map<String, Object> figures = new LinkedHashMap<>();
		figures.put("tokens.calls", starts.count());
		figures.put("tokens.maxInAnyWindow", starts.maxInWindow(WINDOW, true));
		figures.put("tokens.bound", shape.maxTokensIn(WINDOW));
		figures.put("tokens.achievedRatio",
				round(starts.achievedRate(shape.capacity(), true) / shape.tokensPerSecond()));
		return figures;
	}

	private static Starts run(ExecutorSettings settings, int calls, long tokensPerCall) throws Exception {
		Starts starts = new Starts(calls, tokensPerCall);
		List<NetworkRequestEvent> events = new ArrayList<>(calls);
		try (Executor executor = new Executor(settings)) {
			executor.start();
			CountDownLatch go = new CountDownLatch(1);
			AtomicInteger remaining = new AtomicInteger(calls);
			List<Thread> submitters = new ArrayList<>();
			for (int s = 0; s < SUBMITTERS; s++) {
				Thread submitter = new Thread(() -> {
					try {
						go.await();
						while (remaining.getAndDecrement() > 0) {
							NetworkRequestEvent event = executor.submitTask(TaskRequest.ofStage(() -> {
								starts.record(System.nanoTime());
								return CompletableFuture.completedFuture(CallResult.of(200, null));
							}).numApiTokensNeeded(tokensPerCall).build());
							synchronized (events) {
								events.add(event);
							}
						}
					}
					catch (InterruptedException ex) {
						Thread.currentThread().interrupt();
					}
				});
				submitter.start();
				submitters.add(submitter);
			}
			go.countDown();
			for (Thread submitter : submitters) {
				submitter.join();
			}
			CompletableFuture.allOf(events.stream().map(NetworkRequestEvent::completion)
				.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
		}
		return starts;
	}

	private static double round(double value) {
		return Math.round(value * 10_000) / 10_000.0;
	}

	/**
	 * Start times of the calls, in nanoseconds.
	 */
	private static final class Starts {

		private final AtomicLongArray nanos;

		private final AtomicInteger next = new AtomicInteger();

		private final long tokensPerCall;

		Starts(int calls, long tokensPerCall) {
			this.nanos = new AtomicLongArray(calls);
			this.tokensPerCall = tokensPerCall;
		}

		void record(long startNanos) {
			this.nanos.set(this.next.getAndIncrement(), startNanos);
		}

		int count() {
			return this.next.get();
		}

		private long[] sorted() {
			long[] values = new long[count()];
			for (int i = 0; i < values.length; i++) {
				values[i] = this.nanos.get(i);
			}
			Arrays.sort(values);
			return values;
		}

		long maxInWindow(Duration window, boolean weighByTokens) {
			long[] values = sorted();
			int max = 0;
			int end = 0;
			for (int begin = 0; begin < values.length; begin++) {
				while (end < values.length && values[end] - values[begin] <= window.toNanos()) {
					end++;
				}
				max = Math.max(max, end - begin);
			}
			return weighByTokens ? max * this.tokensPerCall : max;
		}

		/**
		 * Units sent after the initial burst, per second of the run.
		 */
		double achievedRate(long burst, boolean weighByTokens) {
			long[] values = sorted();
			double seconds = (values[values.length - 1] - values[0]) / 1e9;
			double units = weighByTokens ? (double) values.length * this.tokensPerCall : values.length;
			return (units - burst) / seconds;
		}

	}

}
