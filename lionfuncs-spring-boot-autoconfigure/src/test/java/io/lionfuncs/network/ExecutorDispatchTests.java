package io.lionfuncs.network;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

import io.lionfuncs.testsupport.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Tests for how an {@link Executor} hands tasks to its dispatcher loops: backlogs taken
 * in batches, signals that are never lost, slow call starts that do not hold back the
 * queue, prompt stops of large queues and lookups by request id.
 */
class ExecutorDispatchTests {

	private final VirtualTime time = new VirtualTime();

	@Test
	void backlogTakenInBatchesStartsEachTaskWhenItsOwnTokenExists() {
		Executor executor = this.time.executor(ExecutorSettings.builder()
			.requestsRate(1000)
			.requestsBucketCapacity(50L)
			.concurrencyLimit(200)
			.numWorkers(1)
			.queueCapacity(1000)
			.build()).build();
		executor.start();
		int backlog = 100;
		AtomicLongArray starts = new AtomicLongArray(backlog);
		List<NetworkRequestEvent> events = new ArrayList<>();
		// The first call queues the backlog from inside the only dispatcher, so the
		// dispatcher finds all of it queued when the call returns.
		executor.submitTask(TaskRequest.ofStage(() -> {
			for (int i = 0; i < backlog; i++) {
				int index = i;
				events.add(executor.submitTask(TaskRequest.ofStage(() -> {
					starts.set(index, this.time.nanoTime());
					return CompletableFuture.completedFuture(CallResult.of(200, null));
				}).build()));
			}
			return CompletableFuture.completedFuture(CallResult.of(200, null));
		}).build());
		this.time.advance(Duration.ofSeconds(1));

		assertThat(events).hasSize(backlog)
			.allSatisfy((event) -> assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED));
		// 49 tokens are left after the first call; then one token per millisecond.
		for (int i = 0; i < backlog; i++) {
			assertThat(starts.get(i)).as("start of task %d", i)
				.isEqualTo(Duration.ofMillis(Math.max(0, i - 48)).toNanos());
		}
		executor.stop(false);
	}

	@Test
	void batchWithItsTokensStartsEachTaskInOneStepAndAStopCancelsTheRest() {
		Executor executor = this.time.executor(ExecutorSettings.builder()
			.requestsRate(1)
			.requestsPeriod(Duration.ofDays(1))
			.requestsBucketCapacity(1000L)
			.concurrencyLimit(8)
			.numWorkers(1)
			.queueCapacity(1000)
			.build()).build();
		List<String> changes = new ArrayList<>();
		executor.addListener((event, previous, current) -> changes.add(event.getRequestId() + " " + current));
		executor.start();
		int backlog = 300;
		List<NetworkRequestEvent> events = new ArrayList<>();
		// The first call queues the backlog from inside the only dispatcher, which then
		// takes it in batches; a call half-way through stops the executor at once.
		executor.submitTask(TaskRequest.ofStage(() -> {
			for (int i = 0; i < backlog; i++) {
				int index = i;
				events.add(executor.submitTask(TaskRequest.ofStage(() -> {
					if (index == 100) {
						executor.stopAsync(false);
					}
					return CompletableFuture.completedFuture(CallResult.of(200, null));
				}).build()));
			}
			return CompletableFuture.completedFuture(CallResult.of(200, null));
		}).build());
		this.time.advance(Duration.ofSeconds(1));

		assertThat(events).allSatisfy((event) -> assertThat(event.isTerminal()).isTrue());
		assertThat(events.subList(0, 100))
			.allSatisfy((event) -> assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED));
		assertThat(events.subList(101, backlog))
			.allSatisfy((event) -> assertThat(event.getStatus()).isEqualTo(RequestStatus.CANCELLED));
		assertThat(executor.stats().concurrencyInUse()).isZero();
		assertThat(executor.requestsBucket().availableTokens()).as("unused tokens given back")
			.isEqualTo(1000 - 102);
		for (NetworkRequestEvent event : events.subList(0, 100)) {
			String id = event.getRequestId();
			assertThat(changes).filteredOn((change) -> change.startsWith(id))
				.containsExactly(id + " QUEUED", id + " PROCESSING", id + " CALLING", id + " COMPLETED");
			assertThat(event.getProcessingStartedAt()).isEqualTo(event.getCallStartedAt());
		}
	}

	@Test
	void concurrentSubmittersNeverStrandATask() throws Exception {
		ExecutorService completer = Executors.newFixedThreadPool(2);
		ExecutorService submitters = Executors.newFixedThreadPool(4);
		try (Executor executor = new Executor(ExecutorSettings.builder()
			.name("stress")
			.requestsRate(1_000_000_000)
			.concurrencyLimit(8)
			.numWorkers(3)
			.queueCapacity(20_000)
			.build())) {
			executor.start();
			List<Future<List<CompletableFuture<NetworkRequestEvent>>>> submitted = new ArrayList<>();
			for (int s = 0; s < 4; s++) {
				submitted.add(submitters.submit(() -> {
					List<CompletableFuture<NetworkRequestEvent>> done = new ArrayList<>();
					for (int i = 0; i < 2500; i++) {
						// Half complete at once on the dispatcher, half later on another thread.
						boolean later = i % 2 == 0;
						done.add(executor.submitTask(TaskRequest.ofStage(() -> later
								? CompletableFuture.supplyAsync(() -> CallResult.of(200, null), completer)
								: CompletableFuture.completedFuture(CallResult.of(200, null))).build())
							.completion());
					}
					return done;
				}));
			}
			List<CompletableFuture<NetworkRequestEvent>> all = new ArrayList<>();
			for (Future<List<CompletableFuture<NetworkRequestEvent>>> future : submitted) {
				all.addAll(future.get(30, TimeUnit.SECONDS));
			}

			CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
			assertThat(all).allSatisfy((future) -> assertThat(future.join().getStatus())
				.isEqualTo(RequestStatus.COMPLETED));
			assertThat(executor.stats().completed()).isEqualTo(10_000);
			assertThat(executor.stats().concurrencyInUse()).isZero();
			assertThat(executor.inFlight()).isEmpty();
		}
		finally {
			submitters.shutdownNow();
			completer.shutdownNow();
		}
	}

	@Test
	void signalsRacingWithAnIdlingDispatcherAreNeverLost() throws Exception {
		ExecutorService submitters = Executors.newFixedThreadPool(3);
		try (Executor executor = new Executor(ExecutorSettings.builder()
			.name("idling")
			.requestsRate(1_000_000_000)
			.numWorkers(2)
			.build())) {
			executor.start();
			List<Future<Integer>> rounds = new ArrayList<>();
			for (int s = 0; s < 3; s++) {
				// Small bursts awaited one by one: the dispatchers go idle between them, so
				// every burst's signal races with a dispatcher about to stop.
				rounds.add(submitters.submit(() -> {
					for (int round = 0; round < 2000; round++) {
						executor.submitTask(TaskRequest
							.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, null)))
							.build()).completion().get(10, TimeUnit.SECONDS);
					}
					return 2000;
				}));
			}
			for (Future<Integer> round : rounds) {
				assertThat(round.get(60, TimeUnit.SECONDS)).isEqualTo(2000);
			}
			assertThat(executor.stats().completed()).isEqualTo(6000);
		}
		finally {
			submitters.shutdownNow();
		}
	}

	@Test
	void slowCallStartDoesNotHoldBackTheQueue() throws Exception {
		try (Executor executor = new Executor(ExecutorSettings.builder().name("slow").numWorkers(2).build())) {
			executor.start();
			CountDownLatch slowStarted = new CountDownLatch(1);
			CountDownLatch releaseSlow = new CountDownLatch(1);
			NetworkRequestEvent slow = executor.submitTask(TaskRequest.ofStage(() -> {
				slowStarted.countDown();
				awaitRelease(releaseSlow);
				return CompletableFuture.completedFuture(CallResult.of(200, null));
			}).build());
			assertThat(slowStarted.await(10, TimeUnit.SECONDS)).isTrue();

			CountDownLatch nextStarted = new CountDownLatch(1);
			NetworkRequestEvent next = executor.submitTask(TaskRequest.ofStage(() -> {
				nextStarted.countDown();
				return CompletableFuture.completedFuture(CallResult.of(200, null));
			}).build());

			try {
				assertThat(nextStarted.await(10, TimeUnit.SECONDS)).as("started while the slow start runs").isTrue();
				assertThat(slow.getStatus()).isEqualTo(RequestStatus.CALLING);
			}
			finally {
				releaseSlow.countDown();
			}
			assertThat(next.completion().get(10, TimeUnit.SECONDS).getStatus()).isEqualTo(RequestStatus.COMPLETED);
			assertThat(slow.completion().get(10, TimeUnit.SECONDS).getStatus()).isEqualTo(RequestStatus.COMPLETED);
		}
	}

	@Test
	void immediateStopCancelsALargeQueueInOnePass() {
		Executor executor = new Executor(ExecutorSettings.builder()
			.name("large")
			.concurrencyLimit(1)
			.queueCapacity(100_000)
			.build());
		executor.start();
		NetworkRequestEvent calling = executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());
		List<NetworkRequestEvent> queued = new ArrayList<>(100_000);
		for (int i = 0; i < 100_000; i++) {
			queued.add(executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build()));
		}

		// Removing each task from the queue again would take minutes at this size.
		assertTimeoutPreemptively(Duration.ofSeconds(30), () -> executor.stop(false));

		assertThat(calling.getStatus()).isEqualTo(RequestStatus.CANCELLED);
		assertThat(queued).allSatisfy((event) -> assertThat(event.getStatus()).isEqualTo(RequestStatus.CANCELLED));
		assertThat(executor.stats().cancelled()).isEqualTo(100_001);
	}

	@Test
	void timestampsOfARequestNeverGoBackwardsWhenTheClockDoes() {
		MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:10Z"));
		Executor executor = Executor.builder()
			.settings(ExecutorSettings.builder().requestsRate(1000).build())
			.scheduler(this.time.scheduler())
			.clock(clock)
			.build();
		executor.start();
		CompletableFuture<CallResult> call = new CompletableFuture<>();
		NetworkRequestEvent event = executor.submitTask(TaskRequest.ofStage(() -> call).build());
		assertThat(event.getCallStartedAt()).isEqualTo(Instant.parse("2030-01-01T00:00:10Z"));

		clock.set(Instant.parse("2030-01-01T00:00:05Z"));
		call.complete(CallResult.of(200, null));

		assertThat(event.getCompletedAt()).isEqualTo(event.getCallStartedAt());
		assertThat(event.getUpdatedAt()).isEqualTo(event.getCompletedAt());
		executor.stop(false);
	}

	@Test
	void stoppedExecutorLeavesNoThreadThatKeepsTheJvmAlive() throws Exception {
		Set<Thread> before = liveNonDaemonThreads();
		Executor executor = new Executor(ExecutorSettings.builder().name("exiting").build());
		executor.start();
		executor.submitTask(
				TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, null))).build())
			.completion()
			.get(10, TimeUnit.SECONDS);

		executor.stop(true);

		Set<Thread> after = liveNonDaemonThreads();
		after.removeAll(before);
		assertThat(after).isEmpty();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> Thread.getAllStackTraces()
				.keySet()
				.stream()
				.noneMatch((thread) -> thread.getName().startsWith("lionfuncs-exiting-")));
	}

	private static Set<Thread> liveNonDaemonThreads() {
		Set<Thread> threads = new HashSet<>();
		Thread.getAllStackTraces().keySet().forEach((thread) -> {
			if (thread.isAlive() && !thread.isDaemon()) {
				threads.add(thread);
			}
		});
		return threads;
	}

	@Test
	void requestsAreFoundAndCancelledByIdWhereverTheyAre() {
		Executor executor = this.time.executor(ExecutorSettings.builder()
			.requestsRate(1)
			.requestsBucketCapacity(1L)
			.concurrencyLimit(2)
			.build()).build();
		executor.start();
		CompletableFuture<CallResult> call = new CompletableFuture<>();
		NetworkRequestEvent calling = executor.submitTask(TaskRequest.ofStage(() -> call).build());
		NetworkRequestEvent waitingForTokens = executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());
		NetworkRequestEvent queued = executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());
		assertThat(calling.getStatus()).isEqualTo(RequestStatus.CALLING);
		assertThat(waitingForTokens.getStatus()).isEqualTo(RequestStatus.PROCESSING);
		assertThat(queued.getStatus()).isEqualTo(RequestStatus.QUEUED);

		assertThat(executor.find(calling.getRequestId())).isSameAs(calling);
		assertThat(executor.find(waitingForTokens.getRequestId())).isSameAs(waitingForTokens);
		assertThat(executor.find(queued.getRequestId())).isSameAs(queued);
		assertThat(executor.find(UUID.randomUUID().toString())).isNull();
		assertThat(executor.find("not-a-request-id")).isNull();
		assertThat(executor.cancel("not-a-request-id")).isFalse();
		assertThat(executor.inFlight()).containsExactlyInAnyOrder(calling, waitingForTokens);
		assertThat(executor.queued()).containsExactly(queued);

		assertThat(executor.cancel(queued.getRequestId())).isTrue();
		assertThat(executor.cancel(waitingForTokens.getRequestId())).isTrue();
		call.complete(CallResult.of(200, Map.of()));

		assertThat(queued.getStatus()).isEqualTo(RequestStatus.CANCELLED);
		assertThat(waitingForTokens.getStatus()).isEqualTo(RequestStatus.CANCELLED);
		assertThat(executor.inFlight()).isEmpty();
		assertThat(executor.find(calling.getRequestId())).as("kept in the recent list").isSameAs(calling);
		executor.stop(false);
	}

	private static void awaitRelease(CountDownLatch latch) {
		try {
			if (!latch.await(30, TimeUnit.SECONDS)) {
				throw new IllegalStateException("Not released");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
