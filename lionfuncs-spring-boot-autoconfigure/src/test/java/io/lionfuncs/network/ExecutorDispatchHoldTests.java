package io.lionfuncs.network;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link Executor#holdDispatchUntil}: requests submitted while dispatch is held
 * stay queued with their tokens unreserved, and leave as the buckets allow once the
 * hold ends, whether what it waited for completed, failed or took too long; a stop
 * drains the queue without waiting for the hold.
 */
class ExecutorDispatchHoldTests {

	private static final Duration BLOCK = Duration.ofSeconds(10);

	private final VirtualTime time = new VirtualTime();

	private final List<Long> starts = new CopyOnWriteArrayList<>();

	private Executor executor(int rate, long burst) {
		Executor executor = this.time.executor(ExecutorSettings.builder()
			.requestsRate(rate)
			.requestsBucketCapacity(burst)
			.concurrencyLimit(100)
			.queueCapacity(100)
			.numWorkers(1)
			.build()).build();
		executor.start();
		return executor;
	}

	private List<NetworkRequestEvent> submit(Executor executor, int count) {
		List<NetworkRequestEvent> events = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			events.add(executor.submitTask(TaskRequest.ofStage(() -> {
				this.starts.add(this.time.nanoTime());
				return CompletableFuture.completedFuture(CallResult.of(200, null));
			}).build()));
		}
		return events;
	}

	@Test
	void requestsWaitQueuedUntilTheHoldEndsThenLeaveAsTheBucketAllows() {
		Executor executor = executor(10, 2);
		CompletableFuture<Void> ready = new CompletableFuture<>();
		executor.holdDispatchUntil(ready, Duration.ofDays(1));
		List<NetworkRequestEvent> events = submit(executor, 4);
		this.time.advance(Duration.ofSeconds(5));

		assertThat(events).allSatisfy((event) -> assertThat(event.getStatus()).isEqualTo(RequestStatus.QUEUED));
		assertThat(this.starts).isEmpty();
		assertThat(executor.requestsBucket().availableTokens()).as("nothing reserved while held").isEqualTo(2);

		long released = this.time.nanoTime();
		ready.complete(null);
		this.time.advance(Duration.ofSeconds(1));

		assertThat(events).allSatisfy((event) -> assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED));
		// The burst at once, then one call per 100 ms: the bucket's shape from the hold's end.
		assertThat(this.starts).containsExactly(released, released, released + Duration.ofMillis(100).toNanos(),
				released + Duration.ofMillis(200).toNanos());
		executor.stop(false);
	}

	@Test
	void aHoldWhoseStageFailsEndsToo() {
		Executor executor = executor(1000, 10);
		CompletableFuture<Void> ready = new CompletableFuture<>();
		executor.holdDispatchUntil(ready, Duration.ofDays(1));
		List<NetworkRequestEvent> events = submit(executor, 2);

		ready.completeExceptionally(new IllegalStateException("warm-up failed"));
		this.time.advance(Duration.ofMillis(1));

		assertThat(events).allSatisfy((event) -> assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED));
		executor.stop(false);
	}

	@Test
	void aHoldEndsAfterItsLongestWaitWhenItsStageNeverCompletes() {
		Executor executor = executor(1000, 10);
		executor.holdDispatchUntil(new CompletableFuture<>(), Duration.ofMillis(50));
		List<NetworkRequestEvent> events = submit(executor, 2);

		// The longest wait runs on the JDK's delay scheduler, not on the executor's time.
		await().atMost(BLOCK).untilAsserted(() -> {
			this.time.advance(Duration.ofMillis(1));
			assertThat(events).allSatisfy((event) -> assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED));
		});
		executor.stop(false);
	}

	@Test
	void dispatchResumesOnlyOnceEveryHoldHasEnded() {
		Executor executor = executor(1000, 10);
		CompletableFuture<Void> first = new CompletableFuture<>();
		CompletableFuture<Void> second = new CompletableFuture<>();
		executor.holdDispatchUntil(first, Duration.ofDays(1));
		executor.holdDispatchUntil(second, Duration.ofDays(1));
		List<NetworkRequestEvent> events = submit(executor, 1);

		first.complete(null);
		this.time.advance(Duration.ofSeconds(1));
		assertThat(events.get(0).getStatus()).isEqualTo(RequestStatus.QUEUED);

		second.complete(null);
		this.time.advance(Duration.ofMillis(1));
		assertThat(events.get(0).getStatus()).isEqualTo(RequestStatus.COMPLETED);
		executor.stop(false);
	}

	@Test
	void aGracefulStopRunsWhatIsQueuedWithoutWaitingForTheHold() {
		Executor executor = executor(1000, 10);
		executor.holdDispatchUntil(new CompletableFuture<>(), Duration.ofDays(1));
		List<NetworkRequestEvent> events = submit(executor, 3);

		CompletableFuture<Void> stopped = executor.stopAsync(true);
		this.time.advance(Duration.ofMillis(1));

		assertThat(stopped).isDone();
		assertThat(events).allSatisfy((event) -> assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED));
	}

}
