package io.lionfuncs.benchmarks.report;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.github.resilience4j.bulkhead.Bulkhead;
import io.github.resilience4j.bulkhead.BulkheadConfig;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.lionfuncs.network.CallResult;

/**
 * The peer the {@code Executor}'s dispatch is compared with: what a Java user would
 * build from Resilience4j instead. A call is put in a bounded FIFO queue
 * ({@link ThreadPoolExecutor} over a {@link LinkedBlockingQueue}, rejecting when full),
 * taken by one of as many dispatcher threads as the executor has, and run through a
 * {@link Bulkhead} (the concurrency limit: the dispatcher waits for a permit) around a
 * {@link RateLimiter} (the request budget: the dispatcher waits for a permission), both
 * decorating the call's {@link CompletionStage} supplier; the bulkhead's permit is given
 * back when the stage completes.
 * <p>
 * The rate limiter lets a billion calls through per second, as the executor's request
 * bucket does in the scenario: each permission is still taken, but none waits. Left out,
 * because Resilience4j has no such thing: a tracked event per call, an API-token budget,
 * an in-flight index, cancellation of queued calls and a graceful stop.
 */
final class Resilience4jDispatchPeer implements AutoCloseable {

	private final ThreadPoolExecutor dispatchers;

	private final Bulkhead bulkhead;

	private final RateLimiter rateLimiter;

	Resilience4jDispatchPeer(int dispatcherThreads, int queueCapacity, int concurrencyLimit) {
		this.dispatchers = new ThreadPoolExecutor(dispatcherThreads, dispatcherThreads, 0, TimeUnit.MILLISECONDS,
				new LinkedBlockingQueue<>(queueCapacity), (runnable) -> {
					Thread thread = new Thread(runnable, "resilience4j-peer");
					thread.setDaemon(true);
					return thread;
				});
		this.dispatchers.prestartAllCoreThreads();
		this.bulkhead = Bulkhead.of("peer", BulkheadConfig.custom()
			.maxConcurrentCalls(concurrencyLimit)
			.maxWaitDuration(Duration.ofMinutes(1))
			.build());
		this.rateLimiter = RateLimiter.of("peer", RateLimiterConfig.custom()
			.limitForPeriod(1_000_000_000)
			.limitRefreshPeriod(Duration.ofSeconds(1))
			.timeoutDuration(Duration.ofMinutes(1))
			.build());
	}

	/**
	 * Queues a call.
	 * @param call supplies the call's result once a dispatcher starts it
	 * @return a future of the call's result
	 */
	CompletableFuture<CallResult> submit(Supplier<CompletionStage<CallResult>> call) {
		Supplier<CompletionStage<CallResult>> decorated = Bulkhead.decorateCompletionStage(this.bulkhead,
				RateLimiter.decorateCompletionStage(this.rateLimiter, call));
		CompletableFuture<CallResult> done = new CompletableFuture<>();
		this.dispatchers.execute(() -> decorated.get().whenComplete((result, ex) -> {
			if (ex != null) {
				done.completeExceptionally(ex);
			}
			else {
				done.complete(result);
			}
		}));
		return done;
	}

	@Override
	public void close() throws InterruptedException {
		this.dispatchers.shutdown();
		this.dispatchers.awaitTermination(1, TimeUnit.MINUTES);
	}

}
