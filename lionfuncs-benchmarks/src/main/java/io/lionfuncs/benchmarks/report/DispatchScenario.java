package io.lionfuncs.benchmarks.report;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

/**
 * Dispatch throughput: {@value #CALLS} no-op calls through an {@link Executor} (limits
 * effectively off, tracking on, concurrency {@value #CONCURRENCY}) against its peer, a
 * {@link Resilience4jDispatchPeer} doing the same admission with a Resilience4j
 * bulkhead and rate limiter, and against the {@link JdkDispatchFloor} doing it with plain
 * JDK parts, in rotating rounds of the same run after a warm-up of all three.
 * <p>
 * A round is one {@link DispatchLoad}. Every side has as many dispatcher threads as an
 * executor has by default ({@code numWorkers}) and a queue that holds every call.
 * "Limits effectively off" means the request bucket (and the peer's rate limiter) lets a
 * billion calls through per second: every reservation is still made, but never waits.
 * <p>
 * Figures: the medians of the rounds' throughputs, and the median of each round's
 * executor-to-peer and executor-to-floor ratios, so that a load change on the machine
 * between rounds moves both sides of a ratio together. A fourth side runs the executor
 * with an {@link ObservationRegistry} timing every request as Boot's default handler
 * does ({@link DefaultMeterObservationHandler} on a {@link SimpleMeterRegistry}, without
 * its long task timer, whose stop is linear in the number of observations open, here
 * every queued call): {@code observationOverheadRatio} is its throughput over the
 * executor's without one.
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
		// Until all are compiled and the heap has grown to the load: some rounds, some time.
		long warmupStarted = System.nanoTime();
		for (int i = 0; i < WARMUP_ROUNDS || System.nanoTime() - warmupStarted < WARMUP_NANOS; i++) {
			executorRound(null);
			peerRound();
			floorRound();
			executorRound(observed());
		}
		double[] executor = new double[ROUNDS];
		double[] peer = new double[ROUNDS];
		double[] floor = new double[ROUNDS];
		double[] peerRatio = new double[ROUNDS];
		double[] floorRatio = new double[ROUNDS];
		double[] observed = new double[ROUNDS];
		double[] observedRatio = new double[ROUNDS];
		for (int i = 0; i < ROUNDS; i++) {
			// Rotate which side goes first so that none always inherits another's garbage.
			for (int j = 0; j < 4; j++) {
				switch ((i + j) % 4) {
					case 0 -> executor[i] = executorRound(null);
					case 1 -> peer[i] = peerRound();
					case 2 -> floor[i] = floorRound();
					default -> observed[i] = executorRound(observed());
				}
			}
			peerRatio[i] = executor[i] / peer[i];
			floorRatio[i] = executor[i] / floor[i];
			observedRatio[i] = observed[i] / executor[i];
		}
		Map<String, Object> figures = new LinkedHashMap<>();
		figures.put("dispatch.tasksPerSecond", Math.round(Stats.median(executor)));
		figures.put("dispatch.resilience4jTasksPerSecond", Math.round(Stats.median(peer)));
		figures.put("dispatch.floorTasksPerSecond", Math.round(Stats.median(floor)));
		figures.put("dispatch.ratioToResilience4j", Stats.round(Stats.median(peerRatio), 3));
		figures.put("dispatch.ratioToFloor", Stats.round(Stats.median(floorRatio), 3));
		figures.put("dispatch.observedTasksPerSecond", Math.round(Stats.median(observed)));
		figures.put("dispatch.observationOverheadRatio", Stats.round(Stats.median(observedRatio), 3));
		Map<String, Object> rounds = new LinkedHashMap<>();
		rounds.put("tasksPerSecond", Stats.rounded(executor));
		rounds.put("resilience4jTasksPerSecond", Stats.rounded(peer));
		rounds.put("floorTasksPerSecond", Stats.rounded(floor));
		rounds.put("observedTasksPerSecond", Stats.rounded(observed));
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

	/**
	 * A registry timing every observation, as Boot's default observation handler does.
	 */
	private static ObservationRegistry observed() {
		ObservationRegistry registry = ObservationRegistry.create();
		registry.observationConfig().observationHandler(new DefaultMeterObservationHandler(new SimpleMeterRegistry(),
				DefaultMeterObservationHandler.IgnoredMeters.LONG_TASK_TIMER));
		return registry;
	}

	private static double executorRound(@Nullable ObservationRegistry registry) throws Exception {
		try (Executor executor = Executor.builder()
			.settings(executorSettings())
			.observationRegistry(registry)
			.build()) {
			executor.start();
			return DispatchLoad.throughExecutor(executor);
		}
	}

	private static double peerRound() throws Exception {
		try (Resilience4jDispatchPeer peer = new Resilience4jDispatchPeer(ExecutorSettings.defaults().numWorkers(),
				CALLS, CONCURRENCY)) {
			return DispatchLoad.callsPerSecond(() -> peer.submit(DispatchLoad.NO_OP));
		}
	}

	private static double floorRound() throws Exception {
		try (JdkDispatchFloor floor = new JdkDispatchFloor(ExecutorSettings.defaults().numWorkers(), CALLS,
				CONCURRENCY)) {
			return DispatchLoad.callsPerSecond(() -> floor.submit(DispatchLoad.NO_OP));
		}
	}

}
