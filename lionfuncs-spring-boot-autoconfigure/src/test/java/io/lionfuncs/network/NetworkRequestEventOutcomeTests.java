package io.lionfuncs.network;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.StepVerifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for the outcome of a {@link NetworkRequestEvent}: the body of a completed
 * request, or the failure of one that did not complete, in one step
 * ({@link NetworkRequestEvent#toBodyMono()}, {@link NetworkRequestEvent#bodyCompletion()}).
 */
class NetworkRequestEventOutcomeTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final VirtualTime time = new VirtualTime();

	private final List<Executor> executors = new ArrayList<>();

	@AfterEach
	void stopExecutors() {
		this.executors.forEach((executor) -> executor.stopAsync(false));
	}

	private Executor start(ExecutorSettings.Builder settings) {
		Executor executor = this.time.executor(settings.build()).build();
		executor.start();
		this.executors.add(executor);
		return executor;
	}

	private Executor start() {
		return start(ExecutorSettings.builder().requestsRate(1000));
	}

	@Test
	void completedRequestGivesItsBody() throws Exception {
		CompletableFuture<CallResult> call = new CompletableFuture<>();
		NetworkRequestEvent event = start().submitTask(TaskRequest.ofStage(() -> call).build());
		CompletableFuture<Object> body = event.bodyCompletion();

		StepVerifier.create(event.toBodyMono())
			.then(() -> call.complete(CallResult.of(200, "{\"answer\":42}")))
			.expectNext("{\"answer\":42}")
			.verifyComplete();
		assertThat(body.get(10, TimeUnit.SECONDS)).isEqualTo("{\"answer\":42}");
		assertThat(event.getError()).isNull();
	}

	@Test
	void completedRequestWithoutBodyGivesNothing() throws Exception {
		NetworkRequestEvent event = start()
			.submitTask(TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(204, null))).build());

		StepVerifier.create(event.toBodyMono()).expectComplete().verify(WAIT);
		assertThat(event.bodyCompletion().get(10, TimeUnit.SECONDS)).isNull();
	}

	@Test
	void failedRequestGivesTheCallsOwnException() {
		UpstreamDownException failure = new UpstreamDownException();
		NetworkRequestEvent event = start()
			.submitTask(TaskRequest.ofStage(() -> CompletableFuture.<CallResult>failedFuture(failure)).build());

		assertThat(event.getStatus()).isEqualTo(RequestStatus.FAILED);
		assertThat(event.getError()).isSameAs(failure);
		StepVerifier.create(event.toBodyMono()).expectErrorSatisfies((ex) -> assertThat(ex).isSameAs(failure))
			.verify(WAIT);
		assertThatExceptionOfType(ExecutionException.class)
			.isThrownBy(() -> event.bodyCompletion().get(10, TimeUnit.SECONDS))
			.satisfies((ex) -> assertThat(ex.getCause()).isSameAs(failure));
	}

	@Test
	void exceptionWrappedByTheFutureIsUnwrapped() {
		UpstreamDownException failure = new UpstreamDownException();
		NetworkRequestEvent event = start().submitTask(TaskRequest.ofStage(() -> CompletableFuture
			.supplyAsync(() -> {
				throw failure;
			})).build());

		StepVerifier.create(event.toBodyMono()).expectErrorSatisfies((ex) -> assertThat(ex).isSameAs(failure))
			.verify(WAIT);
	}

	@Test
	void requestRefusedBeforeItsCallGivesAnIllegalArgumentException() {
		Executor executor = start(
				ExecutorSettings.builder().requestsRate(1000).apiTokensRate(1000.0).apiTokensBucketCapacity(500L));
		NetworkRequestEvent event = executor
			.submitTask(TaskRequest.ofStage(CompletableFuture::new).numApiTokensNeeded(501).build());

		assertThat(event.getStatus()).isEqualTo(RequestStatus.FAILED);
		assertThat(event.getError()).isNull();
		StepVerifier.create(event.toBodyMono())
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(IllegalArgumentException.class)
				.hasMessageStartingWith("Request " + event.getRequestId() + " failed: Request needs 501 API tokens")
				.hasMessageContaining("apiTokensBucketCapacity"))
			.verify(WAIT);
	}

	@Test
	void cancelledRequestGivesACancellationException() {
		NetworkRequestEvent event = start().submitTask(TaskRequest.ofStage(CompletableFuture::new).build());
		CompletableFuture<Object> body = event.bodyCompletion();

		StepVerifier.create(event.toBodyMono())
			.then(event::cancel)
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(CancellationException.class)
				.hasMessage("Request " + event.getRequestId() + " was cancelled: cancelled by caller"))
			.verify(WAIT);
		assertThat(body).isCancelled();
		assertThatExceptionOfType(CancellationException.class).isThrownBy(body::join);
	}

	@Test
	void cancellingTheSubscriptionLeavesTheRequestRunning() {
		CompletableFuture<CallResult> call = new CompletableFuture<>();
		NetworkRequestEvent event = start().submitTask(TaskRequest.ofStage(() -> call).build());

		Disposable subscription = event.toBodyMono().subscribe();
		subscription.dispose();
		event.bodyCompletion().cancel(true);

		assertThat(event.getStatus()).isEqualTo(RequestStatus.CALLING);
		call.complete(CallResult.of(200, "late"));
		StepVerifier.create(event.toBodyMono()).expectNext("late").verifyComplete();
	}

	static final class UpstreamDownException extends RuntimeException {

		UpstreamDownException() {
			super("upstream down");
		}

	}

}
