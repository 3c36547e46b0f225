package io.lionfuncs.benchmarks.report;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.TaskRequest;

/**
 * The load of the dispatch-throughput scenarios: {@value #CALLS} no-op calls handed over
 * by {@value #SUBMITTERS} submitter threads, each chaining a count-down on the future that
 * tells it of its call's end, as an asynchronous caller would; a round ends when every
 * call has counted down. The no-op call returns a completed stage, so what is timed is
 * the machinery alone.
 */
final class DispatchLoad {

	static final int CALLS = 200_000;

	static final int SUBMITTERS = 2;

	private static final CompletableFuture<CallResult> NO_OP_RESULT = CompletableFuture
		.completedFuture(CallResult.of(200, null));

	static final Supplier<CompletionStage<CallResult>> NO_OP = () -> NO_OP_RESULT;

	private DispatchLoad() {
	}

	/**
	 * Submits the no-op calls to an executor and times them.
	 * @param executor a running executor whose queue holds every call
	 * @return calls per second
	 * @throws Exception if a call failed or the round did not end within 2 minutes
	 */
	static double throughExecutor(Executor executor) throws Exception {
		return callsPerSecond(() -> executor
			.submitTask(TaskRequest.ofStage(NO_OP).endpointUrl("/v1/no-op").method("POST").build())
			.completion());
	}

	/**
	 * Submits every call from the submitter threads and waits until all have counted.
	 * @param submit submits one call and returns the future of its end
	 * @return calls per second
	 * @throws Exception if a call failed or the round did not end within 2 minutes
	 */
	static double callsPerSecond(Supplier<CompletableFuture<?>> submit) throws Exception {
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
