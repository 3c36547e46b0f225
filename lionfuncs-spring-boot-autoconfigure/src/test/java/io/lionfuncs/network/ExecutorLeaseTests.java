package io.lionfuncs.network;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.lionfuncs.network.budget.BudgetStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for the {@link Lease}s of an {@link Executor}, on virtual time: a caller that
 * makes its own call waits in the same queue as the tasks, gets a slot and both
 * reservations, and ends the lease with its outcome; the executor can end it first.
 */
class ExecutorLeaseTests {

	private static final Duration AWAIT = Duration.ofSeconds(10);

	private final VirtualTime time = new VirtualTime();

	private final List<Executor> executors = new ArrayList<>();

	private final ExecutorService blocking = Executors.newSingleThreadExecutor();

	@AfterEach
	void stop() {
		this.executors.forEach((executor) -> executor.stopAsync(false));
		this.blocking.shutdownNow();
	}

	/** Concurrency 1; 10 requests per second, burst 10; 1000 API tokens per second, burst 1000. */
	private static ExecutorSettings.Builder settings() {
		return ExecutorSettings.builder()
			.concurrencyLimit(1)
			.requestsRate(10)
			.apiTokensRate(1000.0)
			.apiTokensPeriod(Duration.ofSeconds(1));
	}

	private Executor start(ExecutorSettings.Builder settings, RequestStatusListener... listeners) {
		Executor.Builder builder = this.time.executor(settings.build());
		for (RequestStatusListener listener : listeners) {
			builder.listener(listener);
		}
		Executor executor = builder.build();
		executor.start();
		this.executors.add(executor);
		return executor;
	}

	private static TaskRequest lease(long apiTokens) {
		return TaskRequest.lease().endpointUrl("https://api.example.com/v1/chat").method("POST")
			.numApiTokensNeeded(apiTokens).build();
	}

	@Test
	void leasesWaitInTheSameQueueAsTasksFirstComeFirstServed() {
		List<String> order = new CopyOnWriteArrayList<>();
		Executor executor = start(settings());
		CompletableFuture<CallResult> first = new CompletableFuture<>();
		executor.submitTask(TaskRequest.ofStage(() -> {
			order.add("task 1");
			return first;
		}).build());
		CompletableFuture<Lease> lease = executor.leaseAsync(lease(100));
		lease.thenAccept((granted) -> order.add("lease"));
		CompletableFuture<CallResult> second = new CompletableFuture<>();
		executor.submitTask(TaskRequest.ofStage(() -> {
			order.add("task 2");
			return second;
		}).build());

		assertThat(lease).isNotDone();
		assertThat(executor.stats().queueDepth()).isEqualTo(2);
		first.complete(CallResult.of(200, null));
		assertThat(lease).isDone();
		assertThat(order).containsExactly("task 1", "lease");
		assertThat(lease.join().event().getStatus()).isEqualTo(RequestStatus.CALLING);

		lease.join().complete(CallResult.of(200, null));
		assertThat(order).containsExactly("task 1", "lease", "task 2");
	}

	@Test
	void aGrantedLeaseHoldsASlotAndBothReservationsAndFeedsListenersCountsAndViews() {
		List<String> changes = new CopyOnWriteArrayList<>();
		Executor executor = start(settings(), (event, previous, current) -> changes.add(previous + "->" + current));

		Lease lease = executor.leaseAsync(lease(300)).join();

		NetworkRequestEvent event = lease.event();
		assertThat(event.getStatus()).isEqualTo(RequestStatus.CALLING);
		assertThat(event.getEndpointUrl()).isEqualTo("https://api.example.com/v1/chat");
		assertThat(executor.stats().concurrencyInUse()).isEqualTo(1);
		assertThat(executor.stats().calling()).isEqualTo(1);
		assertThat(executor.requestsBucket().availableTokens()).isEqualTo(9);
		assertThat(executor.apiTokensBucket().availableTokens()).isEqualTo(700);
		assertThat(executor.inFlight()).containsExactly(event);
		assertThat(executor.find(event.getRequestId())).isSameAs(event);

		assertThat(lease.complete(new CallResult(200, Map.of(), Map.of("usage", Map.of("total_tokens", 120)))))
			.isTrue();

		assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED);
		assertThat(event.getApiTokensUsed()).as("usage read as for a task").isEqualTo(120);
		assertThat(executor.apiTokensBucket().availableTokens()).as("over-estimate given back").isEqualTo(880);
		assertThat(changes).containsExactly("PENDING->QUEUED", "QUEUED->PROCESSING", "PROCESSING->CALLING",
				"CALLING->COMPLETED");
		ExecutorStats stats = executor.stats();
		assertThat(stats.completed()).isEqualTo(1);
		assertThat(stats.concurrencyInUse()).isZero();
		assertThat(executor.inFlight()).isEmpty();
		assertThat(executor.recent()).containsExactly(event);
		BudgetStats budget = executor.budgetStats();
		assertThat(budget.callsWithUsage()).isEqualTo(1);
		assertThat(budget.actualApiTokens()).isEqualTo(120);
	}

	@Test
	void theFirstOutcomeWinsAndTheSlotIsReleasedOnce() {
		Executor executor = start(settings());
		Lease lease = executor.leaseAsync(lease(100)).join();

		assertThat(lease.complete(200, Map.of(), 40)).isTrue();
		assertThat(lease.fail(new IllegalStateException("late"))).isFalse();
		assertThat(lease.cancel()).isFalse();
		lease.close();

		assertThat(lease.event().getStatus()).isEqualTo(RequestStatus.COMPLETED);
		assertThat(lease.event().getApiTokensUsed()).isEqualTo(40);
		assertThat(lease.isEnded()).isTrue();
		assertThat(executor.stats().concurrencyInUse()).isZero();
		assertThat(executor.apiTokensBucket().availableTokens()).as("estimate 100, used 40").isEqualTo(960);
		Lease next = executor.leaseAsync(lease(0)).join();
		assertThat(next.event().getStatus()).as("the one slot is free again, once").isEqualTo(RequestStatus.CALLING);
		assertThat(executor.stats().concurrencyInUse()).isEqualTo(1);
	}

	@Test
	void aLeaseClosedWithoutAnOutcomeEndsCancelledAndGivesBackItsEstimate() {
		Executor executor = start(settings());
		try (Lease lease = executor.leaseAsync(lease(250)).join()) {
			assertThat(executor.apiTokensBucket().availableTokens()).isEqualTo(750);
		}
		NetworkRequestEvent event = executor.recent().get(0);
		assertThat(event.getStatus()).isEqualTo(RequestStatus.CANCELLED);
		assertThat(executor.stats().concurrencyInUse()).isZero();
		assertThat(executor.apiTokensBucket().availableTokens()).isEqualTo(1000);
		assertThat(executor.stats().cancelled()).isEqualTo(1);
	}

	@Test
	void aFailureOrCancellationWithUsageSoFarGivesBackWhatTheEstimateLeftUnused() {
		Executor executor = start(settings().concurrencyLimit(2));
		Lease broken = executor.leaseAsync(lease(300)).join();
		Lease cancelled = executor.leaseAsync(lease(200)).join();
		assertThat(executor.apiTokensBucket().availableTokens()).isEqualTo(500);

		assertThat(broken.fail(new IllegalStateException("stream broken"), 120)).isTrue();
		assertThat(cancelled.cancel(50)).isTrue();

		assertThat(broken.event().getStatus()).isEqualTo(RequestStatus.FAILED);
		assertThat(broken.event().getErrorMessage()).isEqualTo("stream broken");
		assertThat(broken.event().getApiTokensUsed()).isEqualTo(120);
		assertThat(cancelled.event().getStatus()).isEqualTo(RequestStatus.CANCELLED);
		assertThat(cancelled.event().getApiTokensUsed()).isEqualTo(50);
		assertThat(executor.apiTokensBucket().availableTokens()).as("1000 - 120 - 50").isEqualTo(830);
	}

	@Test
	void responsesReportedThroughTheLeasePauseTheExecutorAndAreNotReadAgain() {
		Executor executor = start(settings());
		Lease lease = executor.leaseAsync(lease(100)).join();

		lease.onResponse(429, Map.of("Retry-After", "2"));

		assertThat(executor.pausedUntil()).isNotNull();
		assertThat(executor.budgetStats().rateLimitedResponses()).isEqualTo(1);
		lease.complete(429, Map.of("Retry-After", "2"), 0);
		assertThat(executor.budgetStats().rateLimitedResponses()).as("the final response was reported already")
			.isEqualTo(1);
		assertThat(executor.budgetStats().pauses()).isEqualTo(1);
		CompletableFuture<Lease> next = executor.leaseAsync(lease(0));
		this.time.advance(Duration.ofMillis(1999));
		assertThat(next).as("no lease while paused").isNotDone();
		// The pause treats the buckets as empty until it ends: one request token later (10/s).
		this.time.advance(Duration.ofMillis(101));
		assertThat(next).isDone();
	}

	@Test
	void theFirstByteIsStampedOnceOnTheEventAndItsSnapshot() {
		Executor executor = start(settings());
		Lease lease = executor.leaseAsync(lease(0)).join();
		this.time.advance(Duration.ofMillis(300));

		assertThat(lease.markFirstByte()).isTrue();
		this.time.advance(Duration.ofMillis(200));
		assertThat(lease.markFirstByte()).isFalse();

		NetworkRequestEvent event = lease.event();
		assertThat(event.getFirstByteAt()).isEqualTo(event.getCallStartedAt().plusMillis(300));
		assertThat(event.snapshot().firstByteAt()).isEqualTo(event.getFirstByteAt());
		lease.complete(200, Map.of(), 0);
		assertThat(event.getCompletedAt()).isEqualTo(event.getCallStartedAt().plusMillis(500));
	}

	@Test
	void cancellingTheFutureBeforeTheGrantCancelsTheRequestAndReturnsItsReservation() {
		Executor executor = start(settings().requestsRate(1).requestsBucketCapacity(1L));
		Lease holder = executor.leaseAsync(lease(0)).join();
		CompletableFuture<Lease> queued = executor.leaseAsync(lease(100));
		holder.complete(200, Map.of(), 0);
		assertThat(executor.stats().processing()).as("slot held, waiting for a request token").isEqualTo(1);
		assertThat(executor.apiTokensBucket().availableTokens()).isEqualTo(900);

		assertThat(queued.cancel(false)).isTrue();

		NetworkRequestEvent event = executor.recent().get(0);
		assertThat(event.getStatus()).isEqualTo(RequestStatus.CANCELLED);
		assertThat(executor.stats().concurrencyInUse()).isZero();
		assertThat(executor.apiTokensBucket().availableTokens()).isEqualTo(1000);
		assertThat(executor.requestsBucket().availableTokens()).as("the request token given back").isEqualTo(0);
	}

	@Test
	void cancellingTheSubscriptionBeforeTheGrantCancelsTheRequest() {
		Executor executor = start(settings());
		Lease holder = executor.leaseAsync(lease(0)).join();
		AtomicReference<Lease> received = new AtomicReference<>();
		Disposable subscription = executor.lease(lease(100)).subscribe(received::set);
		assertThat(executor.stats().queueDepth()).isEqualTo(1);
		NetworkRequestEvent queued = executor.queued().get(0);

		subscription.dispose();

		assertThat(queued.getStatus()).isEqualTo(RequestStatus.CANCELLED);
		assertThat(executor.stats().queueDepth()).isZero();
		holder.complete(200, Map.of(), 0);
		assertThat(received).hasValue(null);
		assertThat(executor.stats().concurrencyInUse()).isZero();
	}

	@Test
	void theMonoFormGrantsOnSubscriptionWithoutBlockingANonBlockingThread() {
		Executor executor = start(settings());
		Lease lease = executor.lease(lease(10)).subscribeOn(Schedulers.parallel()).block(AWAIT);

		assertThat(lease.event().getStatus()).isEqualTo(RequestStatus.CALLING);
		assertThat(lease.complete(200, Map.of(), 10)).isTrue();
		Mono<Lease> unsubscribed = executor.lease(lease(10));
		assertThat(executor.stats().queueDepth() + executor.stats().concurrencyInUse()).as("lazy").isZero();
		assertThat(unsubscribed).isNotNull();
	}

	@Test
	void theBlockingFormTimesOutOverTheWholeWaitForTokensAndEndsTheRequestCancelled() throws Exception {
		Executor executor = start(settings().requestsRate(1).requestsBucketCapacity(1L));
		executor.leaseAsync(lease(0)).join().complete(200, Map.of(), 0);

		Future<Lease> waiting = this.blocking.submit(() -> executor.acquireLease(lease(100), Duration.ofMillis(500)));
		await().atMost(AWAIT).until(() -> executor.stats().processing() == 1);
		this.time.advance(Duration.ofMillis(500));

		assertThatExceptionOfType(java.util.concurrent.ExecutionException.class)
			.isThrownBy(() -> waiting.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS))
			.havingCause()
			.isInstanceOfSatisfying(TaskRejectedException.class, (ex) -> {
				assertThat(ex.getReason()).isEqualTo(TaskRejectedException.Reason.TIMED_OUT);
				assertThat(ex.getMessage()).contains("PT0.5S");
				assertThat(ex.getEvent().getStatus()).isEqualTo(RequestStatus.CANCELLED);
				assertThat(ex.getEvent().getErrorMessage()).contains("maximum wait of PT0.5S");
			});
		assertThat(executor.stats().concurrencyInUse()).isZero();
		assertThat(executor.apiTokensBucket().availableTokens()).isEqualTo(1000);
	}

	@Test
	void theNonBlockingFormsBoundedOverTheWholeWaitTimeOutWithoutBlocking() {
		Executor executor = start(settings().requestsRate(1).requestsBucketCapacity(1L));
		executor.leaseAsync(lease(0)).join().complete(200, Map.of(), 0);

		CompletableFuture<Lease> future = executor.leaseAsync(lease(100), Duration.ofMillis(500));
		AtomicReference<Throwable> monoFailure = new AtomicReference<>();
		executor.lease(lease(100), Duration.ofMillis(700)).subscribe((lease) -> {
		}, monoFailure::set);
		await().atMost(AWAIT).until(() -> executor.stats().processing() + executor.stats().queueDepth() == 2);
		this.time.advance(Duration.ofMillis(500));

		assertThat(future).failsWithin(AWAIT)
			.withThrowableThat()
			.havingCause()
			.isInstanceOfSatisfying(TaskRejectedException.class,
					(ex) -> assertThat(ex.getReason()).isEqualTo(TaskRejectedException.Reason.TIMED_OUT));
		assertThat(monoFailure.get()).as("its own bound is later").isNull();
		this.time.advance(Duration.ofMillis(200));
		await().atMost(AWAIT).untilAsserted(() -> assertThat(monoFailure.get())
			.isInstanceOfSatisfying(TaskRejectedException.class,
					(ex) -> assertThat(ex.getReason()).isEqualTo(TaskRejectedException.Reason.TIMED_OUT)));
		assertThat(executor.stats().concurrencyInUse()).isZero();
		assertThat(executor.apiTokensBucket().availableTokens()).isEqualTo(1000);
	}

	@Test
	void theBlockingFormGrantsWithinTheWaitAndLeavesTheTimerHarmless() throws Exception {
		Executor executor = start(settings());
		Lease holder = executor.leaseAsync(lease(0)).join();
		Future<Lease> waiting = this.blocking.submit(() -> executor.acquireLease(lease(0), Duration.ofSeconds(1)));
		await().atMost(AWAIT).until(() -> executor.stats().queueDepth() == 1);

		holder.complete(200, Map.of(), 0);
		Lease granted = waiting.get(AWAIT.toMillis(), TimeUnit.MILLISECONDS);
		this.time.advance(Duration.ofSeconds(2));

		assertThat(granted.event().getStatus()).isEqualTo(RequestStatus.CALLING);
		granted.complete(200, Map.of(), 0);
		assertThat(granted.event().getStatus()).isEqualTo(RequestStatus.COMPLETED);
	}

	@Test
	void theBlockingFormThrowsAtOnceWhenTheQueueIsFullTheExecutorStoppedOrTheRequestTooLarge() {
		Executor executor = start(settings().queueCapacity(1));
		executor.leaseAsync(lease(0)).join();
		executor.leaseAsync(lease(0));

		assertThatExceptionOfType(TaskRejectedException.class)
			.isThrownBy(() -> executor.acquireLease(lease(0), Duration.ofSeconds(1)))
			.satisfies((ex) -> {
				assertThat(ex.getReason()).isEqualTo(TaskRejectedException.Reason.QUEUE_FULL);
				assertThat(ex.getEvent().getStatus()).isEqualTo(RequestStatus.CANCELLED);
			});
		assertThatExceptionOfType(TaskRejectedException.class)
			.isThrownBy(() -> executor.acquireLease(lease(5000), Duration.ofSeconds(1)))
			.satisfies((ex) -> {
				assertThat(ex.getReason()).isEqualTo(TaskRejectedException.Reason.TOO_LARGE);
				assertThat(ex.getEvent().getStatus()).isEqualTo(RequestStatus.FAILED);
				assertThat(ex.getMessage()).contains("apiTokensBucketCapacity");
			});
		executor.stopAsync(false);
		assertThatExceptionOfType(TaskRejectedException.class)
			.isThrownBy(() -> executor.acquireLease(lease(0), Duration.ofSeconds(1)))
			.satisfies((ex) -> assertThat(ex.getReason()).isEqualTo(TaskRejectedException.Reason.NOT_RUNNING));
	}

	@Test
	void theBlockingFormRefusesToBlockANonBlockingThread() {
		Executor executor = start(settings());

		Mono<Lease> blocking = Mono.fromCallable(() -> executor.acquireLease(lease(0), Duration.ofSeconds(1)))
			.subscribeOn(Schedulers.parallel());

		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> blocking.block(AWAIT))
			.withMessageContaining("non-blocking thread")
			.withMessageContaining("leaseAsync");
		assertThat(executor.stats().queueDepth() + executor.stats().concurrencyInUse()).as("nothing taken").isZero();
	}

	@Test
	void aRequestWithACallIsNoLeaseRequestAndALeaseRequestNoTask() {
		Executor executor = start(settings());
		TaskRequest task = TaskRequest.ofStage(CompletableFuture::new).build();

		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> executor.leaseAsync(task));
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> executor.submitTask(lease(0)));
	}

	@Test
	void cancellingByRequestIdRevokesTheLeaseAndTellsItsHolder() {
		Executor executor = start(settings());
		Lease lease = executor.leaseAsync(lease(100)).join();
		List<String> revoked = new CopyOnWriteArrayList<>();
		lease.onRevoke(revoked::add);

		assertThat(executor.cancel(lease.event().getRequestId())).isTrue();

		assertThat(revoked).containsExactly("cancelled by caller");
		assertThat(lease.isEnded()).isTrue();
		assertThat(lease.event().getStatus()).isEqualTo(RequestStatus.CANCELLED);
		assertThat(lease.complete(200, Map.of(), 10)).as("the executor's end wins").isFalse();
		assertThat(executor.stats().concurrencyInUse()).isZero();
		lease.onRevoke(revoked::add);
		assertThat(revoked).as("told at once when already revoked").hasSize(2);
	}

	@Test
	void anImmediateStopRevokesLeasesAndLeavesEveryEventTerminal() {
		Executor executor = start(settings());
		Lease held = executor.leaseAsync(lease(0)).join();
		CompletableFuture<Lease> queued = executor.leaseAsync(lease(0));
		List<String> revoked = new CopyOnWriteArrayList<>();
		held.onRevoke(revoked::add);

		executor.stop(false);

		assertThat(revoked).singleElement().asString().contains("stopped");
		assertThat(held.event().isTerminal()).isTrue();
		assertThat(queued).isCompletedExceptionally();
		assertThatExceptionOfType(java.util.concurrent.CompletionException.class).isThrownBy(queued::join)
			.havingCause()
			.isInstanceOfSatisfying(TaskRejectedException.class,
					(ex) -> assertThat(ex.getEvent().getStatus()).isEqualTo(RequestStatus.CANCELLED));
	}

	@Test
	void aGracefulStopWaitsForHeldLeasesAndRevokesThemAfterTheShutdownTimeout() {
		Executor executor = start(settings().concurrencyLimit(2).shutdownTimeout(Duration.ofSeconds(5)));
		Lease finishing = executor.leaseAsync(lease(0)).join();
		Lease lingering = executor.leaseAsync(lease(0)).join();
		List<String> revoked = new CopyOnWriteArrayList<>();
		lingering.onRevoke(revoked::add);

		CompletableFuture<Void> stopped = executor.stopAsync(true);
		finishing.complete(200, Map.of(), 0);
		assertThat(stopped).as("a lease is still held").isNotDone();
		this.time.advance(Duration.ofSeconds(5));

		assertThat(stopped).isDone();
		assertThat(finishing.event().getStatus()).isEqualTo(RequestStatus.COMPLETED);
		assertThat(lingering.event().getStatus()).isEqualTo(RequestStatus.CANCELLED);
		assertThat(revoked).singleElement().asString().contains("shutdown timeout");
	}

}
