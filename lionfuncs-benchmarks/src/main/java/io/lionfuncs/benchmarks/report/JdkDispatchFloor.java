package io.lionfuncs.benchmarks.report;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.lionfuncs.network.CallResult;

/**
 * The floor the {@code Executor}'s dispatch is compared with: the same admission work
 * done with plain JDK parts and nothing else. A call is put in a bounded FIFO queue
 * ({@link ThreadPoolExecutor} over a {@link LinkedBlockingQueue}, rejecting when full),
 * taken by one of as many dispatcher threads as the executor has, started once a
 * {@link Semaphore} permit (the concurrency limit) is held, and the permit is released
 * and the caller's {@link CompletableFuture} completed when the call's stage completes.
 * <p>
 * Left out on purpose, because they are what the executor adds: token-bucket
 * reservation, the tracked event (id, status validation, timestamps, listeners,
 * awaiting), the in-flight index, the recent list, counters, cancellation and graceful
 * stop.
 */
final class JdkDispatchFloor implements AutoCloseable {

	private final ThreadPoolExecutor dispatchers;

	private final Semaphore slots;

	JdkDispatchFloor(int dispatcherThreads, int queueCapacity, int concurrencyLimit) {
		this.dispatchers = new ThreadPoolExecutor(dispatcherThreads, dispatcherThreads, 0, TimeUnit.MILLISECONDS,
				new LinkedBlockingQueue<>(queueCapacity), (runnable) -> {
					Thread thread = new Thread(runnable, "jdk-floor");
					thread.setDaemon(true);
					return thread;
				});
		this.dispatchers.prestartAllCoreThreads();
		this.slots = new Semaphore(concurrencyLimit);
	}

	/**
	 * Queues a call.
	 * @param call supplies the call's result once a dispatcher starts it
	 * @return a future of the call's result
	 */
	CompletableFuture<CallResult> submit(Supplier<? extends CompletionStage<CallResult>> call) {
		CompletableFuture<CallResult> done = new CompletableFuture<>();
		this.dispatchers.execute(() -> {
			this.slots.acquireUninterruptibly();
			try {
				call.get().whenComplete((result, ex) -> {
					this.slots.release();
					if (ex != null) {
						done.completeExceptionally(ex);
					}
					else {
						done.complete(result);
					}
				});
			}
			catch (RuntimeException ex) {
				this.slots.release();
				done.completeExceptionally(ex);
			}
		});
		return done;
	}

	@Override
	public void close() throws InterruptedException {
		this.dispatchers.shutdown();
		this.dispatchers.awaitTermination(1, TimeUnit.MINUTES);
	}

}
