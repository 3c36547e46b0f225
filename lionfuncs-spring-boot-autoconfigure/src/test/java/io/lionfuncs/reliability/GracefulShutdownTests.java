package io.lionfuncs.reliability;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.TaskRejectedException;
import io.lionfuncs.network.TaskRequest;
import io.lionfuncs.reliability.ShutdownWebApplication.Answer;
import io.lionfuncs.reliability.Upstream.Received;
import io.lionfuncs.testsupport.SlidingWindows;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Closing a WebFlux application while a web request waits on many queued calls, with
 * {@code server.shutdown=graceful}: the executor's drain starts with the web server's
 * graceful shutdown and keeps its limits, what is left is cancelled after the executor's
 * shutdown timeout, the web request gets its answer, and the close returns within the
 * shutdown timeout plus a few seconds instead of waiting for the phase timeout.
 */
@SpringBootTest(classes = ShutdownWebApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "server.shutdown=graceful", "spring.lifecycle.timeout-per-shutdown-phase=30s",
				"lionfuncs.executor.requests-rate=" + GracefulShutdownTests.RATE,
				"lionfuncs.executor.requests-bucket-capacity=" + GracefulShutdownTests.CAPACITY,
				"lionfuncs.executor.concurrency-limit=" + GracefulShutdownTests.CONCURRENCY, "lionfuncs.executor.shutdown-timeout=3s" })
@ClosesItsContext
@ExtendWith({ OutputCaptureExtension.class, SuiteDuration.class })
class GracefulShutdownTests extends AbstractShutdownWebApplicationTests {

	static final int RATE = 5;

	static final int CAPACITY = 5;

	static final int CONCURRENCY = 4;

	private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(3);

	/** The promise: the close (the process, for an application) ends this soon after. */
	private static final Duration CLOSE_MARGIN = Duration.ofSeconds(5);

	private static final int CALLS = 300;

	@Autowired
	private Executor executor;

	@Test
	void webRequestWaitingOnQueuedCallsIsAnsweredAndCloseReturnsWithinTheShutdownTimeout(CapturedOutput output)
			throws Exception {
		Figures figures = Figures.start("graceful-web-shutdown");
		CompletableFuture<Answer> answer = burstUntilUpstreamReceived(CALLS, 2 * CAPACITY);

		long closeStarted = System.nanoTime();
		CompletableFuture<Void> closing = closeContext();
		await().atMost(Duration.ofSeconds(10)).until(() -> !this.executor.isRunning());
		assertThatExceptionOfType(TaskRejectedException.class)
			.isThrownBy(() -> this.executor.submitTask(
					TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, null))).build()))
			.satisfies((ex) -> assertThat(ex.getReason()).isEqualTo(TaskRejectedException.Reason.NOT_RUNNING));
		await().atMost(SHUTDOWN_TIMEOUT.plus(CLOSE_MARGIN)).until(closing::isDone);
		long closeEnded = System.nanoTime();
		closing.join();

		Answer answered = answer.get(1, TimeUnit.SECONDS);
		assertThat(answered.status()).isEqualTo(200);
		assertThat(answered.answeredNanos()).as("answered before the close returned").isLessThan(closeEnded);
		long completed = answered.count(RequestStatus.COMPLETED);
		long cancelled = answered.count(RequestStatus.CANCELLED);
		assertThat(completed).as("completed").isGreaterThanOrEqualTo(2 * CAPACITY);
		assertThat(cancelled).as("cancelled after the shutdown timeout").isPositive();
		assertThat(completed + cancelled).as("nothing failed because of the shutdown").isEqualTo(CALLS);

		List<NetworkRequestEvent> events = this.controller.events;
		assertThat(events).hasSize(CALLS).allSatisfy((event) -> assertThat(event.isTerminal()).isTrue());
		assertThat(events).filteredOn((event) -> event.getStatus() == RequestStatus.CANCELLED)
			.allSatisfy((event) -> assertThat(event.getErrorMessage()).contains("shutdown timeout"));

		// the drain went on at the configured rate: calls left, no more than the buckets allow
		List<Received> drained = upstream().received()
			.stream()
			.filter((received) -> received.arrivalNanos() >= closeStarted)
			.toList();
		Duration drain = Duration.ofNanos(closeEnded - closeStarted);
		long allowed = CAPACITY + RATE * drain.toMillis() / 1000;
		assertThat(drained).as("calls made while draining").isNotEmpty().hasSizeLessThanOrEqualTo((int) allowed);
		long busiestSecond = SlidingWindows.busiest(drained, Received::arrivalNanos, (received) -> 1,
				Duration.ofSeconds(1));
		assertThat(busiestSecond).as("arrivals in any second of the drain").isLessThanOrEqualTo(CAPACITY + RATE);
		assertThat(upstream().requests()).as("calls the upstream saw: the completed ones and those cut off in flight")
			.isBetween((int) completed, (int) completed + CONCURRENCY);
		assertThat(output.getAll()).doesNotContain("still running after timeout")
			.contains("Commencing graceful stop of executor 'default'");
		figures.put("calls", CALLS)
			.put("completed", completed)
			.put("cancelled", cancelled)
			.put("drainedCalls", drained.size() + "/" + allowed)
			.put("busiestSecond", busiestSecond + "/" + (CAPACITY + RATE))
			.put("closeMillis", drain.toMillis())
			.put("shutdownTimeout", SHUTDOWN_TIMEOUT)
			.report();
	}

}
