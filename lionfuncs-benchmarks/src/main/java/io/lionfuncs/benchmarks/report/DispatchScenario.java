package io.lionfuncs.benchmarks.report;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;

/**
 * Dispatch throughput: {@value #CALLS} no-op calls through an {@link Executor} (limits
 * effectively off, tracking on, concurrency {@value #CONCURRENCY}) against the
 * {@link JdkDispatchFloor} doing the same admission work, in alternating rounds of the
 * same run after a warm-up of both.
 * <p>
 * A round is one {@link DispatchLoad}. Both sides have as many dispatcher threads as an
 * executor has by default ({@code numWorkers}) and a queue that holds every call.
 * "Limits effectively off" means the request bucket refills at the fastest rate it
 * supports (one token per nanosecond) with a burst of a billion: every reservation is
 * still made, but never waits.
 * <p>
 * Figures: the medians of the rounds' throughputs, and the median of each round's
 * executor-to-floor ratio, so that a load change on the machine between rounds moves
 * both sides of a ratio together.
 */
final class DispatchScenario implements Scenario {

	static final int CALLS = DispatchLoad.CALLS;

	static final int CONCURRENCY = 100;

	private static final int WARMUP_ROUNDS = 5;

	private static final long WARMUP_NANOS = TimeUnit.SECONDS.toNanos(10);

	private static final int ROUNDS = 15;

	@Override
	public String name() {
		return "dispatch";
	}

	@Override
	public Map<String, Object> run() throws Exception {
		// Until both are compiled and the heap has grown to the load: some rounds, some time.
		long warmupStarted = System.nanoTime();
		for (int i = 0; i < WARMUP_ROUNDS || System.nanoTime() - warmupStarted < WARMUP_NANOS; i++) {
			executorRound();
			floorRound();
		}
		double[] executor = new double[ROUNDS];
		double[] floor = new double[ROUNDS];
		double[] ratio = new double[ROUNDS];
		for (int i = 0; i < ROUNDS; i++) {
			// Alternate which side goes first so neither always inherits the other's garbage.
			if (i % 2 == 0) {
				executor[i] = executorRound();
				floor[i] = floorRound();
			}
			else {
				floor[i] = floorRound();
				executor[i] = executorRound();
			}
			ratio[i] = executor[i] / floor[i];
		}
		Map<String, Object> figures = new LinkedHashMap<>();
		figures.put("dispatch.tasksPerSecond", Math.round(Stats.median(executor)));
		figures.put("dispatch.floorTasksPerSecond", Math.round(Stats.median(floor)));
		figures.put("dispatch.ratioToFloor", Stats.round(Stats.median(ratio), 3));
		Map<String, Object> rounds = new LinkedHashMap<>();
		rounds.put("tasksPerSecond", Stats.rounded(executor));
		rounds.put("floorTasksPerSecond", Stats.rounded(floor));
		figures.put("dispatch.rounds", rounds);
		return figures;
	}

	private static ExecutorSettings executorSettings() {
		return ExecutorSettings.builder()
			.name("dispatch")
			.concurrencyLimit(CONCURRENCY)
			.queueCapacity(CALLS)
			.requestsRate(1_000_000_000)
			.build();
	}

	private static double executorRound() throws Exception {
		try (Executor executor = new Executor(executorSettings())) {
			executor.start();
			return DispatchLoad.throughExecutor(executor);
		}
	}

	private static double floorRound() throws Exception {
		try (JdkDispatchFloor floor = new JdkDispatchFloor(ExecutorSettings.defaults().numWorkers(), CALLS,
				CONCURRENCY)) {
			return DispatchLoad.callsPerSecond(() -> floor.submit(DispatchLoad.NO_OP));
		}
	}

}
