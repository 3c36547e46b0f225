package io.lionfuncs.benchmarks.report;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.TaskRequest;

/**
 * Dispatch throughput: {@value #CALLS} no-op calls through an {@link Executor} (limits
 * effectively off, tracking on, concurrency {@value #CONCURRENCY}) against the
 * {@link JdkDispatchFloor} doing the same admission work, in alternating rounds of the
 * same run after a warm-up of both.
 * <p>
 * A round times {@value #SUBMITTERS} submitter threads handing over all calls, each
 * chaining a count-down on the future that tells it of its call's end, until every call
 * has counted down. Both sides have as many dispatcher threads as an executor has by
 * default ({@code numWorkers}) and a queue that holds every call. The no-op call
 * returns a completed stage, so what is timed is the machinery alone. "Limits effectively off" means the request bucket refills at the
 * fastest rate it supports (one token per nanosecond) with a burst of a billion: every
 * reservation is still made, but never waits.
 * <p>
 * Figures: the medians of the rounds' throughputs, and the median of each round's
 * executor-to-floor ratio, so that a load change on the machine between rounds moves
 * both sides of a ratio together.
 */
final class DispatchScenario implements Scenario {

	static final int CALLS = 200_000;

	static final int CONCURRENCY = 100;

	private static final int SUBMITTERS = 2;

	private static final int WARMUP_ROUNDS = 5;

	private static final long WARMUP_NANOS = TimeUnit.SECONDS.toNanos(10);

	private static final int ROUNDS = 15;

	private static final CompletableFuture<CallResult> NO_OP_RESULT = CompletableFuture
		.completedFuture(CallResult.of(200, null));

	private static final Supplier<CompletionStage<CallResult>> NO_OP = () -> NO_OP_RESULT;

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
			return timed(() -> executor
				.submitTask(TaskRequest.ofStage(NO_OP).endpointUrl("/v1/no-op").method("POST").build())
				.completion());
		}
	}

	private static double floorRound() throws Exception {
		try (JdkDispatchFloor floor = new JdkDispatchFloor(ExecutorSettings.defaults().numWorkers(), CALLS,
				CONCURRENCY)) {
			return timed(() -> floor.submit(NO_OP));
		}
	}

	/**
	 * Submits every call from the submitter threads, each chaining a count-down on its
	 * call's future as an asynchronous caller would, and waits until all have counted.
	 * @return calls per second
	 */
	private static double timed(Supplier<CompletableFuture<?>> submit) throws Exception {
		CountDownLatch done = new CountDownLatch(CALLS);
		LongAdder failures = new LongAdder();
		CountDownLatch go = new CountDownLatch(1);
		Thread[] submitters = new Thread[SUBMITTERS];
		for (int s = 0; s < SUBMITTERS; s++) {
			int share = CALLS / SUBMITTERS + ((s < CALLS % SUBMITTERS) ? 1 : 0);
			submitters[s] = new Thread(() -> {
				try {
					go.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
					return;
				}
				for (int i = 0; i < share; i++) {
					submit.get().whenComplete((result, ex) -> {
						if (ex != null) {
							failures.increment();
						}
						done.countDown();
					});
				}
			}, "submitter-" + s);
			submitters[s].start();
		}
		long started = System.nanoTime();
		go.countDown();
		if (!done.await(2, TimeUnit.MINUTES)) {
			throw new IllegalStateException("Calls did not complete within 2 minutes");
		}
		long elapsed = System.nanoTime() - started;
		for (Thread submitter : submitters) {
			submitter.join();
		}
		if (failures.sum() > 0) {
			throw new IllegalStateException(failures.sum() + " no-op calls did not complete normally");
		}
		return CALLS * 1e9 / elapsed;
	}

}
