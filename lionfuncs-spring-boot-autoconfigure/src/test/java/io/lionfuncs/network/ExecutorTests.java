package io.lionfuncs.network;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link Executor}: lifecycle, queue policies, cancellation, stops, failures
 * and concurrency, on virtual time.
 */
class ExecutorTests {

	private final VirtualTime time = new VirtualTime();

	private final List<Executor> executors = new ArrayList<>();

	@AfterEach
	void stopExecutors() {
		this.executors.forEach((executor) -> executor.stopAsync(false));
	}

	private Executor start(ExecutorSettings.Builder settings) {
		return start(this.time.executor(settings.build()));
	}

	private Executor start(Executor.Builder builder) {
		Executor executor = builder.build();
		executor.start();
		this.executors.add(executor);
		return executor;
	}

	private static ExecutorSettings.Builder settings() {
		return ExecutorSettings.builder().requestsRate(1000).concurrencyLimit(10);
	}

	@Test
	void requestPassesThroughEveryStatusWithTimestamps() {
		List<String> changes = new CopyOnWriteArrayList<>();
		Executor executor = start(this.time.executor(settings().build())
			.listener((event, previous, current) -> changes.add(previous + "->" + current)));
		CompletableFuture<CallResult> call = new CompletableFuture<>();
		Instant submittedAt = this.time.now();

		NetworkRequestEvent event = executor.submitTask(TaskRequest.ofStage(() -> call)
			.endpointUrl("https://api.example.com/v1/items")
			.method("GET")
			.build());

		assertThat(event.getStatus()).isEqualTo(RequestStatus.CALLING);
		assertThat(event.getQueuedAt()).isEqualTo(submittedAt);
		assertThat(event.getProcessingStartedAt()).isEqualTo(submittedAt);
		assertThat(event.getCallStartedAt()).isEqualTo(submittedAt);
		assertThat(event.getCompletedAt()).isNull();
		this.time.advance(Duration.ofMillis(250));
		call.complete(new CallResult(200, Map.of("Content-Type", "application/json"), "{\"ok\":true}"));

		assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED);
		assertThat(event.getCompletedAt()).isEqualTo(submittedAt.plusMillis(250));
		assertThat(event.getUpdatedAt()).isEqualTo(event.getCompletedAt());
		assertThat(event.getResponseStatusCode()).isEqualTo(200);
		assertThat(event.getResponseBody()).isEqualTo("{\"ok\":true}");
		assertThat(event.completion()).isCompletedWithValue(event);
		assertThat(changes).containsExactly("PENDING->QUEUED", "QUEUED->PROCESSING", "PROCESSING->CALLING",
				"CALLING->COMPLETED");
	}

	@Test
	void managedEventRefusesStatusChangesFromCallers() {
		Executor executor = start(settings());
		NetworkRequestEvent event = executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());

		assertThatIllegalStateException().isThrownBy(() -> event.updateStatus(RequestStatus.COMPLETED))
			.withMessageContaining("managed by executor 'default'");
		assertThatIllegalStateException().isThrownBy(() -> event.setResult(200, Map.of(), null));
		assertThat(event.getStatus()).isEqualTo(RequestStatus.CALLING);
	}

	@Test
	void awaitingWorksThroughFutureAndMono() {
		Executor executor = start(settings());
		Sinks.One<CallResult> result = Sinks.one();
		NetworkRequestEvent event = executor.submitTask(TaskRequest.ofMono(result::asMono).build());
		CompletableFuture<NetworkRequestEvent> future = event.completion();
		AtomicInteger emitted = new AtomicInteger();
		event.toMono().subscribe((done) -> emitted.incrementAndGet());

		assertThat(future).isNotDone();
		result.tryEmitValue(CallResult.of(201, "created"));

		assertThat(future).isCompletedWithValue(event);
		assertThat(emitted).hasValue(1);
		assertThat(event.getResponseStatusCode()).isEqualTo(201);
	}

	@Test
	void concurrencyReachesTheLimitWhateverTheWorkerCount() {
		Executor executor = start(settings().numWorkers(2).concurrencyLimit(10));
		AtomicInteger running = new AtomicInteger();
		AtomicInteger maxRunning = new AtomicInteger();
		List<CompletableFuture<CallResult>> calls = new CopyOnWriteArrayList<>();
		List<NetworkRequestEvent> events = new ArrayList<>();
		for (int i = 0; i < 30; i++) {
			events.add(executor.submitTask(TaskRequest.ofStage(() -> {
				maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
				CompletableFuture<CallResult> call = new CompletableFuture<>();
				calls.add(call);
				return call.whenComplete((r, ex) -> running.decrementAndGet());
			}).build()));
		}

		assertThat(running).hasValue(10);
		assertThat(executor.stats().calling()).isEqualTo(10);
		assertThat(executor.stats().queueDepth()).isEqualTo(20);
		while (events.stream().anyMatch((event) -> !event.isTerminal())) {
			calls.stream().filter((call) -> !call.isDone()).findFirst().orElseThrow().complete(CallResult.of(200, null));
		}

		assertThat(maxRunning).hasValue(10);
		assertThat(executor.stats().concurrencyInUse()).isZero();
		assertThat(executor.stats().completed()).isEqualTo(30);
	}

	@Test
	void requestNeedingMoreApiTokensThanTheBucketHoldsFailsAtOnce() {
		Executor executor = start(settings().apiTokensRate(1000.0).apiTokensBucketCapacity(500L));
		AtomicBoolean called = new AtomicBoolean();

		NetworkRequestEvent event = executor.submitTask(TaskRequest.ofStage(() -> {
			called.set(true);
			return CompletableFuture.completedFuture(CallResult.of(200, null));
		}).numApiTokensNeeded(501).build());

		assertThat(event.getStatus()).isEqualTo(RequestStatus.FAILED);
		assertThat(event.getErrorMessage()).contains("needs 501 API tokens", "holds at most 500",
				"apiTokensBucketCapacity");
		assertThat(called).isFalse();
		assertThat(executor.apiTokensBucket().availableTokens()).isEqualTo(500);
		assertThat(executor.stats().failed()).isEqualTo(1);
	}

	@Test
	void fullQueueRejectsLoudlyUnderRejectPolicy() {
		Executor executor = start(settings().concurrencyLimit(1).queueCapacity(2));
		for (int i = 0; i < 3; i++) {
			executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());
		}

		assertThatExceptionOfType(TaskRejectedException.class)
			.isThrownBy(() -> executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build()))
			.withMessageContaining("is full (queueCapacity 2)")
			.satisfies((ex) -> {
				assertThat(ex.getReason()).isEqualTo(TaskRejectedException.Reason.QUEUE_FULL);
				assertThat(ex.getEvent().getStatus()).isEqualTo(RequestStatus.CANCELLED);
				assertThat(ex.getEvent().getErrorMessage()).contains("is full");
			});
		assertThat(executor.stats().rejected()).isEqualTo(1);
		assertThat(executor.stats().queueDepth()).isEqualTo(2);
	}

	@Test
	void fullQueueMakesSubmittersWaitUnderWaitPolicy() {
		Executor executor = start(settings().concurrencyLimit(1)
			.queueCapacity(1)
			.queueFullPolicy(QueueFullPolicy.WAIT)
			.submitTimeout(Duration.ofSeconds(5)));
		CompletableFuture<CallResult> first = new CompletableFuture<>();
		executor.submitTask(TaskRequest.ofStage(() -> first).build());
		executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());

		CompletableFuture<NetworkRequestEvent> waiting = executor
			.submitTaskAsync(TaskRequest.ofStage(CompletableFuture::new).build());
		assertThat(waiting).isNotDone();
		assertThat(executor.stats().waitingSubmitters()).isEqualTo(1);
		first.complete(CallResult.of(200, null));

		assertThat(waiting).isCompleted();
		assertThat(waiting.join().getStatus()).isEqualTo(RequestStatus.QUEUED);
		assertThat(executor.stats().waitingSubmitters()).isZero();
	}

	@Test
	void waitingSubmitterIsRejectedAfterTheSubmitTimeout() {
		Executor executor = start(settings().concurrencyLimit(1)
			.queueCapacity(1)
			.queueFullPolicy(QueueFullPolicy.WAIT)
			.submitTimeout(Duration.ofSeconds(5)));
		executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());
		executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());
		CompletableFuture<NetworkRequestEvent> waiting = executor
			.submitTaskAsync(TaskRequest.ofStage(CompletableFuture::new).build());

		this.time.advance(Duration.ofMillis(4999));
		assertThat(waiting).isNotDone();
		this.time.advance(Duration.ofMillis(1));

		assertThat(waiting).isCompletedExceptionally();
		assertThatExceptionOfType(CompletionException.class).isThrownBy(waiting::join)
			.havingCause()
			.isInstanceOf(TaskRejectedException.class)
			.withMessageContaining("for the whole submit timeout of PT5S");
		assertThat(executor.stats().rejected()).isEqualTo(1);
		assertThat(executor.stats().cancelled()).isEqualTo(1);
	}

	@Test
	void blockingSubmitUnderWaitPolicyWaitsOnAPlainThread() throws Exception {
		Executor executor = start(settings().concurrencyLimit(1)
			.queueCapacity(1)
			.queueFullPolicy(QueueFullPolicy.WAIT)
			.submitTimeout(Duration.ofMinutes(1)));
		CompletableFuture<CallResult> first = new CompletableFuture<>();
		executor.submitTask(TaskRequest.ofStage(() -> first).build());
		executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());
		ExecutorService submitter = Executors.newSingleThreadExecutor();
		try {
			CompletableFuture<NetworkRequestEvent> submitted = CompletableFuture.supplyAsync(
					() -> executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build()), submitter);
			await().atMost(Duration.ofSeconds(10)).until(() -> executor.stats().waitingSubmitters() == 1);
			assertThat(submitted).isNotDone();

			first.complete(CallResult.of(200, null));

			assertThat(submitted.get(10, TimeUnit.SECONDS).getStatus()).isEqualTo(RequestStatus.QUEUED);
		}
		finally {
			submitter.shutdownNow();
		}
	}

	@Test
	void blockingSubmitUnderWaitPolicyRefusesToBlockANonBlockingThread() {
		Executor executor = start(settings().concurrencyLimit(1)
			.queueCapacity(1)
			.queueFullPolicy(QueueFullPolicy.WAIT));
		executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());
		executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());

		assertThatExceptionOfType(TaskRejectedException.class).isThrownBy(() -> Mono
			.fromCallable(() -> executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build()))
			.subscribeOn(Schedulers.parallel())
			.block(Duration.ofSeconds(10)))
			.withMessageContaining("would block non-blocking thread")
			.withMessageContaining("use submit(...)");
	}

	@Test
	void cancelWhileWaitingForRoom() {
		Executor executor = start(settings().concurrencyLimit(1)
			.queueCapacity(1)
			.queueFullPolicy(QueueFullPolicy.WAIT));
		executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());
		executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());
		CompletableFuture<NetworkRequestEvent> waiting = executor
			.submitTaskAsync(TaskRequest.ofStage(CompletableFuture::new).build());

		waiting.cancel(false);

		assertThat(executor.stats().waitingSubmitters()).isZero();
		assertThat(executor.stats().cancelled()).isEqualTo(1);
	}

	@Test
	void cancelWhileQueuedFreesTheQueueSlot() {
		Executor executor = start(settings().concurrencyLimit(1).queueCapacity(1));
		executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());
		AtomicBoolean called = new AtomicBoolean();
		NetworkRequestEvent queued = executor.submitTask(TaskRequest.ofStage(() -> {
			called.set(true);
			return new CompletableFuture<>();
		}).build());
		assertThat(queued.getStatus()).isEqualTo(RequestStatus.QUEUED);

		assertThat(queued.cancel()).isTrue();

		assertThat(queued.getStatus()).isEqualTo(RequestStatus.CANCELLED);
		assertThat(queued.getErrorMessage()).isEqualTo("cancelled by caller");
		assertThat(executor.stats().queueDepth()).isZero();
		assertThat(called).isFalse();
		assertThat(queued.cancel()).isFalse();
		executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());
	}

	@Test
	void cancelWhileWaitingForTokensReturnsTheReservation() {
		Executor executor = start(settings().requestsRate(1).requestsBucketCapacity(1L)
			.apiTokensRate(100.0)
			.apiTokensPeriod(Duration.ofSeconds(1)));
		executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).numApiTokensNeeded(100).build());
		AtomicBoolean called = new AtomicBoolean();
		NetworkRequestEvent waiting = executor.submitTask(TaskRequest.ofStage(() -> {
			called.set(true);
			return new CompletableFuture<>();
		}).numApiTokensNeeded(40).build());
		assertThat(waiting.getStatus()).isEqualTo(RequestStatus.PROCESSING);
		assertThat(executor.requestsBucket().availableTokens()).isEqualTo(-1);
		assertThat(executor.apiTokensBucket().availableTokens()).isEqualTo(-40);
		assertThat(waiting.getLogs()).singleElement().asString().contains("waiting 1000 ms for rate-limit tokens");

		executor.cancel(waiting.getRequestId());
		this.time.advance(Duration.ofSeconds(2));

		assertThat(waiting.getStatus()).isEqualTo(RequestStatus.CANCELLED);
		assertThat(called).isFalse();
		assertThat(executor.requestsBucket().availableTokens()).isEqualTo(1);
		assertThat(executor.apiTokensBucket().availableTokens()).isEqualTo(100);
		assertThat(executor.stats().concurrencyInUse()).isEqualTo(1);
	}

	@Test
	void cancelWhileCallingDisposesTheCall() {
		Executor executor = start(settings());
		AtomicBoolean disposed = new AtomicBoolean();
		NetworkRequestEvent event = executor
			.submitTask(TaskRequest.ofMono(() -> Mono.<CallResult>never().doOnCancel(() -> disposed.set(true)))
				.build());
		assertThat(event.getStatus()).isEqualTo(RequestStatus.CALLING);

		assertThat(event.cancel()).isTrue();

		assertThat(event.getStatus()).isEqualTo(RequestStatus.CANCELLED);
		assertThat(disposed).isTrue();
		assertThat(executor.stats().concurrencyInUse()).isZero();
		assertThat(event.getCompletedAt()).isNotNull();
	}

	@Test
	void cancelWhileCallingCancelsACompletionStageCall() {
		Executor executor = start(settings());
		CompletableFuture<CallResult> call = new CompletableFuture<>();
		NetworkRequestEvent event = executor.submitTask(TaskRequest.ofStage(() -> call).build());

		event.cancel();

		assertThat(call).isCancelled();
		assertThat(event.getStatus()).isEqualTo(RequestStatus.CANCELLED);
	}

	@Test
	void failingCallEndsFailedWithTypeMessageAndDetails() {
		Executor executor = start(settings());

		NetworkRequestEvent failedStage = executor.submitTask(TaskRequest
			.ofStage(() -> CompletableFuture.<CallResult>failedFuture(new IllegalStateException("upstream broke")))
			.build());
		NetworkRequestEvent thrown = executor.submitTask(TaskRequest.ofStage(() -> {
			throw new UnsupportedOperationException("supplier threw");
		}).build());
		NetworkRequestEvent empty = executor.submitTask(TaskRequest.ofMono(Mono::empty).build());
		NetworkRequestEvent nullStage = executor.submitTask(TaskRequest.ofStage(() -> null).build());

		assertThat(failedStage.getStatus()).isEqualTo(RequestStatus.FAILED);
		assertThat(failedStage.getErrorType()).isEqualTo(IllegalStateException.class.getName());
		assertThat(failedStage.getErrorMessage()).isEqualTo("upstream broke");
		assertThat(failedStage.getErrorDetails()).contains("IllegalStateException: upstream broke", "at ");
		assertThat(thrown.getStatus()).isEqualTo(RequestStatus.FAILED);
		assertThat(thrown.getErrorMessage()).isEqualTo("supplier threw");
		assertThat(empty.getErrorMessage()).isEqualTo("The call completed without a result");
		assertThat(nullStage.getErrorMessage()).isEqualTo("call supplier returned null");
		assertThat(executor.stats().failed()).isEqualTo(4);
		assertThat(executor.stats().concurrencyInUse()).isZero();
	}

	@Test
	void failureDescribingAResponseKeepsItsStatusCode() {
		Executor executor = start(settings());
		class ServerError extends RuntimeException implements ResponseDetails {

			ServerError() {
				super("503 Service Unavailable");
			}

			@Override
			public Integer statusCode() {
				return 503;
			}

			@Override
			public Map<String, String> responseHeaders() {
				return Map.of("Retry-After", "2", "Set-Cookie", "session=abc");
			}

			@Override
			public String responseBodyExcerpt() {
				return "try later";
			}

		}

		NetworkRequestEvent event = executor
			.submitTask(TaskRequest.ofMono(() -> Mono.<CallResult>error(new ServerError())).build());

		assertThat(event.getResponseStatusCode()).isEqualTo(503);
		assertThat(event.getResponseHeaders()).containsEntry("Retry-After", "2")
			.containsEntry("Set-Cookie", Redactor.MASK);
		assertThat(event.getResponseBody()).isEqualTo("try later");
	}

	@Test
	void failureDescribingNoResponseEndsFailed() {
		Executor executor = start(settings());
		class Timeout extends RuntimeException implements ResponseDetails {

			Timeout() {
				super("no response within PT1S");
			}

			@Override
			public Integer statusCode() {
				return null;
			}

			@Override
			public Map<String, String> responseHeaders() {
				return Map.of();
			}

			@Override
			public String responseBodyExcerpt() {
				return null;
			}

		}

		NetworkRequestEvent event = executor
			.submitTask(TaskRequest.ofMono(() -> Mono.<CallResult>error(new Timeout())).build());

		assertThat(event.getStatus()).isEqualTo(RequestStatus.FAILED);
		assertThat(event.getResponseStatusCode()).isNull();
		assertThat(event.getErrorMessage()).isEqualTo("no response within PT1S");
		assertThat(executor.stats().concurrencyInUse()).isZero();
	}

	@Test
	void gracefulStopDrainsQueuedWorkWithLimitsApplied() {
		Executor executor = start(settings().requestsRate(10).requestsBucketCapacity(1L).concurrencyLimit(2));
		List<Long> starts = new CopyOnWriteArrayList<>();
		List<NetworkRequestEvent> events = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			events.add(executor.submitTask(TaskRequest.ofStage(() -> {
				starts.add(this.time.nanoTime());
				return CompletableFuture.completedFuture(CallResult.of(200, null));
			}).build()));
		}

		CompletableFuture<Void> stopped = executor.stopAsync(true);
		assertThatExceptionOfType(TaskRejectedException.class)
			.isThrownBy(() -> executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build()))
			.satisfies((ex) -> assertThat(ex.getReason()).isEqualTo(TaskRejectedException.Reason.NOT_RUNNING));
		assertThat(stopped).isNotDone();
		this.time.advance(Duration.ofMillis(1899));
		assertThat(stopped).isNotDone();
		this.time.advance(Duration.ofMillis(1));

		assertThat(stopped).isCompleted();
		assertThat(events).allSatisfy((event) -> assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED));
		assertThat(starts).hasSize(20).last().isEqualTo(Duration.ofMillis(1900).toNanos());
		assertThat(executor.stats().concurrencyInUse()).isZero();
		assertThat(executor.isRunning()).isFalse();
	}

	@Test
	void gracefulStopCancelsWhatIsLeftAfterTheShutdownTimeout() {
		Executor executor = start(settings().requestsRate(10)
			.requestsBucketCapacity(1L)
			.concurrencyLimit(3)
			.shutdownTimeout(Duration.ofMillis(500)));
		List<NetworkRequestEvent> events = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			events.add(executor.submitTask(
					TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, null))).build()));
		}

		CompletableFuture<Void> stopped = executor.stopAsync(true);
		this.time.advance(Duration.ofMillis(500));

		assertThat(stopped).isCompleted();
		assertThat(events).allSatisfy((event) -> assertThat(event.isTerminal()).isTrue());
		long completed = events.stream().filter((event) -> event.getStatus() == RequestStatus.COMPLETED).count();
		assertThat(completed).isEqualTo(5);
		assertThat(executor.stats().cancelled()).isEqualTo(15);
		assertThat(events.get(19).getErrorMessage()).contains("shutdown timeout of PT0.5S elapsed");
		assertThat(executor.stats().concurrencyInUse()).isZero();
		assertThat(executor.requestsBucket().availableTokens()).isEqualTo(1);
	}

	@Test
	void immediateStopCancelsQueuedAndInFlightWork() {
		Executor executor = start(settings().concurrencyLimit(2));
		AtomicInteger disposed = new AtomicInteger();
		List<NetworkRequestEvent> events = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			events.add(executor.submitTask(
					TaskRequest.ofMono(() -> Mono.<CallResult>never().doOnCancel(disposed::incrementAndGet)).build()));
		}

		executor.stop(false);

		assertThat(events).allSatisfy((event) -> assertThat(event.getStatus()).isEqualTo(RequestStatus.CANCELLED));
		assertThat(disposed).hasValue(2);
		assertThat(executor.stats().concurrencyInUse()).isZero();
		assertThat(executor.stats().queueDepth()).isZero();
	}

	@Test
	void stoppedExecutorCanBeStartedAgain() {
		Executor executor = start(settings());
		executor.stop(true);

		assertThatExceptionOfType(TaskRejectedException.class)
			.isThrownBy(() -> executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build()))
			.withMessageContaining("is not running (stopped)");
		executor.start();

		NetworkRequestEvent event = executor.submitTask(
				TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, null))).build());
		assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED);
	}

	@Test
	void failingListenerDoesNotAffectTheRequestOrOtherListeners() {
		List<RequestStatus> seen = new CopyOnWriteArrayList<>();
		Executor executor = start(this.time.executor(settings().build()).listener((event, previous, current) -> {
			throw new IllegalStateException("listener bug");
		}).listener((event, previous, current) -> seen.add(current)));

		NetworkRequestEvent event = executor.submitTask(
				TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, null))).build());

		assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED);
		assertThat(seen).containsExactly(RequestStatus.QUEUED, RequestStatus.PROCESSING, RequestStatus.CALLING,
				RequestStatus.COMPLETED);
	}

	@Test
	void finishedEventsAreKeptOnlyInTheBoundedRecentList() {
		Executor executor = start(settings().recentCapacity(10));
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 500; i++) {
			ids.add(executor.submitTask(
					TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, null))).build())
				.getRequestId());
		}

		assertThat(executor.recent()).hasSize(10);
		assertThat(executor.recent().get(0).getRequestId()).isEqualTo(ids.get(499));
		assertThat(executor.find(ids.get(499))).isNotNull();
		assertThat(executor.find(ids.get(0))).isNull();
		assertThat(executor.inFlight()).isEmpty();
	}

	@Test
	void secretsAreRedactedInEventsAndTheirTextForms() {
		Executor executor = start(settings().redactHeaders(List.of("X-Tenant-Secret-Id")));
		NetworkRequestEvent event = executor.submitTask(TaskRequest
			.ofStage(() -> CompletableFuture.completedFuture(
					new CallResult(200, Map.of("Set-Cookie", "sid=s3cr3t-cookie", "X-Request-Id", "r-1"), null)))
			.endpointUrl("https://user:pa55@api.example.com/v1?api_key=k3y-value&page=2")
			.headers(Map.of("Authorization", "Bearer s3cr3t-token", "X-Api-Key", "k3y-value", "X-Tenant-Secret-Id",
					"t-42", "Accept", "application/json"))
			.build());

		String everything = event + " " + event.snapshot() + " " + event.getHeaders() + " "
				+ event.getResponseHeaders() + " " + event.getEndpointUrl();
		assertThat(everything).doesNotContain("s3cr3t", "k3y-value", "pa55", "t-42")
			.contains("Authorization=******", "Accept=application/json", "X-Request-Id=r-1", "page=2");
	}

	@Test
	void logsAreBounded() {
		Executor executor = start(settings().maxLogEntries(3));
		NetworkRequestEvent event = executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());

		for (int i = 1; i <= 5; i++) {
			event.addLog("entry " + i);
		}

		assertThat(event.getLogs()).containsExactly("(2 earlier entries dropped)", "entry 3", "entry 4", "entry 5");
	}

	@Test
	void submittingToAnExecutorNeverStartedThrows() {
		Executor executor = this.time.executor(settings().build()).build();

		assertThatExceptionOfType(TaskRejectedException.class)
			.isThrownBy(() -> executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build()))
			.withMessageContaining("is not running (new)");
	}

	@Test
	void runsOnItsOwnThreadsWithTheSystemClock() throws Exception {
		try (Executor executor = new Executor(ExecutorSettings.builder().name("real").numWorkers(3).build())) {
			executor.start();
			CountDownLatch started = new CountDownLatch(5);
			List<String> threads = new CopyOnWriteArrayList<>();
			List<NetworkRequestEvent> events = new ArrayList<>();
			for (int i = 0; i < 5; i++) {
				events.add(executor.submitTask(TaskRequest.ofStage(() -> {
					threads.add(Thread.currentThread().getName());
					started.countDown();
					return CompletableFuture.supplyAsync(() -> CallResult.of(200, null));
				}).build()));
			}

			assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
			CompletableFuture.allOf(events.stream().map(NetworkRequestEvent::completion)
				.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
			assertThat(threads).allSatisfy((name) -> assertThat(name).startsWith("lionfuncs-real-"));
		}
	}

}
