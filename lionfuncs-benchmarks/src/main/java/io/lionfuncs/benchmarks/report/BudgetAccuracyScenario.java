package io.lionfuncs.benchmarks.report;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.TaskRequest;
import io.lionfuncs.network.budget.BudgetSettings;
import io.lionfuncs.network.limit.BucketSettings;

/**
 * Real-time accuracy of the API-token budget when {@code numApiTokensNeeded} is wrong:
 * calls to an in-process fake provider (a few milliseconds of latency, the usage in its
 * body) are pushed through an {@link Executor} whose API-token bucket allows 2000 tokens
 * per second, and each call's start is stamped as it leaves, weighed by the tokens it
 * really used.
 * <ul>
 * <li>{@code budget.overEstimateAchievedRatio}: estimates twice the usage; the achieved
 * token rate over the configured one, which the true-up brings to 1 (without it,
 * {@code budget.overEstimateWithoutTrueUpRatio}, about 0.5). The calls that reserved
 * before any usage was known keep their over-estimate, so
 * {@code budget.overEstimateSteadyRatio} leaves out the first {@code 2 x concurrency}
 * calls;</li>
 * <li>{@code budget.underEstimateMaxInAnyWindow}: estimates half the usage; the busiest
 * one-second window of used tokens, against {@code budget.bound}
 * ({@code capacity + rate * 1 s}): the debt keeps it within the bound, plus at most the
 * under-estimates of the calls in flight at once
 * ({@code budget.underEstimateInFlightSlack});</li>
 * <li>{@code budget.underEstimateAchievedRatio}: the achieved rate then.</li>
 * </ul>
 * Runs in about 15 seconds.
 */
final class BudgetAccuracyScenario implements Scenario {

	private static final Duration WINDOW = Duration.ofSeconds(1);

	private static final int CALLS = 150;

	private static final long USED = 50;

	private static final int CONCURRENCY = 10;

	private static final Duration LATENCY = Duration.ofMillis(5);

	private final ExecutorSettings settings = ExecutorSettings.builder()
		.name("budget")
		.requestsRate(1_000_000)
		.apiTokensRate(2000.0)
		.apiTokensPeriod(Duration.ofSeconds(1))
		.apiTokensBucketCapacity(500L)
		.concurrencyLimit(CONCURRENCY)
		.queueCapacity(10_000)
		.build();

	/**
	 * Runs the three cases and returns their figures.
	 * @return the figures, by name
	 * @throws Exception if a case does not finish
	 */
	@Override
	public String name() {
		return "budget";
	}

	@Override
	public Map<String, Object> run() throws Exception {
		BucketSettings shape = this.settings.apiTokensBucket();
		Map<String, Object> figures = new LinkedHashMap<>();
		Starts over = run(this.settings, 2 * USED);
		figures.put("budget.overEstimateAchievedRatio",
				round(over.achievedRate(shape.capacity()) / shape.tokensPerSecond()));
		figures.put("budget.overEstimateSteadyRatio",
				round(over.steadyRate(2 * CONCURRENCY) / shape.tokensPerSecond()));
		Starts withoutTrueUp = run(this.settings.toBuilder()
			.budget(BudgetSettings.builder().usageEnabled(false).build())
			.build(), 2 * USED);
		figures.put("budget.overEstimateWithoutTrueUpRatio",
				round(withoutTrueUp.achievedRate(shape.capacity()) / shape.tokensPerSecond()));
		Starts under = run(this.settings, USED / 2);
		figures.put("budget.underEstimateMaxInAnyWindow", under.maxInWindow(WINDOW));
		figures.put("budget.bound", shape.maxTokensIn(WINDOW));
		figures.put("budget.underEstimateInFlightSlack", (CONCURRENCY - 1) * (USED - USED / 2));
		figures.put("budget.underEstimateAchievedRatio",
				round(under.achievedRate(shape.capacity()) / shape.tokensPerSecond()));
		return figures;
	}

	private static Starts run(ExecutorSettings settings, long estimate) throws Exception {
		Starts starts = new Starts(CALLS);
		ScheduledExecutorService provider = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "fake-provider");
			thread.setDaemon(true);
			return thread;
		});
		CallResult response = CallResult.of(200, Map.of("usage", Map.of("total_tokens", USED)));
		List<NetworkRequestEvent> events = new ArrayList<>(CALLS);
		try (Executor executor = new Executor(settings)) {
			executor.start();
			for (int i = 0; i < CALLS; i++) {
				events.add(executor.submitTask(TaskRequest.ofStage(() -> {
					starts.record(System.nanoTime());
					CompletableFuture<CallResult> answer = new CompletableFuture<>();
					provider.schedule(() -> answer.complete(response), LATENCY.toNanos(), TimeUnit.NANOSECONDS);
					return answer;
				}).numApiTokensNeeded(estimate).build()));
			}
			CompletableFuture.allOf(events.stream().map(NetworkRequestEvent::completion)
				.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
		}
		finally {
			provider.shutdownNow();
		}
		return starts;
	}

	private static double round(double value) {
		return Math.round(value * 10_000) / 10_000.0;
	}

	/**
	 * Start times of the calls, in nanoseconds; each used {@link #USED} tokens.
	 */
	private static final class Starts {

		private final AtomicLongArray nanos;

		private final AtomicInteger next = new AtomicInteger();

		Starts(int calls) {
			this.nanos = new AtomicLongArray(calls);
		}

		void record(long startNanos) {
			this.nanos.set(this.next.getAndIncrement(), startNanos);
		}

		private long[] sorted() {
			long[] values = new long[this.next.get()];
			for (int i = 0; i < values.length; i++) {
				values[i] = this.nanos.get(i);
			}
			Arrays.sort(values);
			return values;
		}

		long maxInWindow(Duration window) {
			long[] values = sorted();
			int max = 0;
			int end = 0;
			for (int begin = 0; begin < values.length; begin++) {
				while (end < values.length && values[end] - values[begin] <= window.toNanos()) {
					end++;
				}
				max = Math.max(max, end - begin);
			}
			return max * USED;
		}

		/**
		 * Tokens used per second from call {@code skip} on.
		 */
		double steadyRate(int skip) {
			long[] values = sorted();
			double seconds = (values[values.length - 1] - values[skip]) / 1e9;
			return (values.length - skip - 1) * (double) USED / seconds;
		}

		/**
		 * Tokens used after the initial burst, per second of the run.
		 */
		double achievedRate(long burst) {
			long[] values = sorted();
			double seconds = (values[values.length - 1] - values[0]) / 1e9;
			return (values.length * (double) USED - burst) / seconds;
		}

	}

}
