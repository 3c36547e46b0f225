package io.lionfuncs.benchmarks.report;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.TaskRequest;

/**
 * Retained heap per queued task: the heap used after a full collection with
 * {@value #QUEUED} tasks waiting in an {@link Executor}'s queue, minus the heap used
 * after a collection before they were submitted, per task. A first call that never ends
 * holds the only concurrency slot, so every later task stays {@code QUEUED}.
 * <p>
 * Each task looks like a typical API call: a URL, a method, one request header and an
 * API-token estimate, with a call supplier shared by all tasks (a capturing lambda
 * would add its own few bytes) and no payload (the caller's object, held by reference).
 * The submitter keeps nothing, so everything measured is held by the executor. The
 * figure is the median of {@value #REPEATS} repeats.
 */
final class QueuedMemoryScenario implements Scenario {

	static final int QUEUED = 100_000;

	private static final int REPEATS = 3;

	private static final Map<String, String> HEADERS = Map.of("Content-Type", "application/json");

	private static final CompletableFuture<CallResult> NO_OP_RESULT = CompletableFuture
		.completedFuture(CallResult.of(200, null));

	private static final Supplier<CompletionStage<CallResult>> NO_OP = () -> NO_OP_RESULT;

	@Override
	public String name() {
		return "memory";
	}

	@Override
	public Map<String, Object> run() throws Exception {
		long[] bytesPerTask = new long[REPEATS];
		for (int i = 0; i < REPEATS; i++) {
			bytesPerTask[i] = measure();
		}
		Map<String, Object> figures = new LinkedHashMap<>();
		figures.put("memory.bytesPerQueuedTask", Math.round(Stats.median(bytesPerTask)));
		return figures;
	}

	private static long measure() throws InterruptedException {
		ExecutorSettings settings = ExecutorSettings.builder()
			.name("memory")
			.concurrencyLimit(1)
			.queueCapacity(QUEUED)
			.requestsRate(1_000_000_000)
			.build();
		Executor executor = new Executor(settings);
		executor.start();
		try {
			NetworkRequestEvent blocker = executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());
			awaitCalling(blocker);
			long before = usedHeapAfterGc();
			for (int i = 0; i < QUEUED; i++) {
				executor.submitTask(TaskRequest.ofStage(NO_OP)
					.endpointUrl("https://api.example.com/v1/chat/completions")
					.method("POST")
					.headers(HEADERS)
					.numApiTokensNeeded(1200)
					.build());
			}
			long after = usedHeapAfterGc();
			int queued = executor.stats().queueDepth();
			if (queued != QUEUED) {
				throw new IllegalStateException("Expected " + QUEUED + " queued tasks but found " + queued);
			}
			return Math.round((after - before) / (double) QUEUED);
		}
		finally {
			executor.stop(false);
		}
	}

	private static void awaitCalling(NetworkRequestEvent event) throws InterruptedException {
		long deadline = System.nanoTime() + 10_000_000_000L;
		while (event.getStatus() != RequestStatus.CALLING) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("The blocking call did not start: " + event);
			}
			Thread.sleep(1);
		}
	}

	private static long usedHeapAfterGc() {
		MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
		for (int i = 0; i < 3; i++) {
			System.gc();
		}
		return memory.getHeapMemoryUsage().getUsed();
	}

}
