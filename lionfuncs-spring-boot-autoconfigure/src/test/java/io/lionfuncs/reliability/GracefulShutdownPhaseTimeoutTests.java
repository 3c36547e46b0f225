package io.lionfuncs.reliability;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.reliability.ShutdownWebApplication.Answer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An executor shutdown timeout longer than {@code spring.lifecycle.timeout-per-shutdown-phase}:
 * the phase of the web server's graceful shutdown is given the drain's time plus a
 * margin (and says so), so the web request waiting on queued calls is still answered
 * instead of being cut off when that phase would have ended.
 */
@SpringBootTest(classes = ShutdownWebApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "server.shutdown=graceful", "spring.lifecycle.timeout-per-shutdown-phase=2s",
				"lionfuncs.executor.requests-rate=5", "lionfuncs.executor.concurrency-limit=4",
				"lionfuncs.executor.shutdown-timeout=4s" })
@ClosesItsContext
@ExtendWith({ OutputCaptureExtension.class, SuiteDuration.class })
class GracefulShutdownPhaseTimeoutTests extends AbstractShutdownWebApplicationTests {

	private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(4);

	private static final int CALLS = 200;

	@Test
	void webRequestIsAnsweredThoughTheDrainOutlastsThePhaseTimeout(CapturedOutput output) throws Exception {
		Figures figures = Figures.start("shutdown-phase-timeout");
		CompletableFuture<Answer> answer = burstUntilUpstreamReceived(CALLS, 5);

		long closeStarted = System.nanoTime();
		CompletableFuture<Void> closing = closeContext();
		await().atMost(SHUTDOWN_TIMEOUT.plusSeconds(5)).until(closing::isDone);
		long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStarted);
		closing.join();

		Answer answered = answer.get(1, TimeUnit.SECONDS);
		assertThat(answered.status()).isEqualTo(200);
		assertThat(answered.count(RequestStatus.CANCELLED)).as("cancelled after the shutdown timeout").isPositive();
		assertThat(answered.count(RequestStatus.COMPLETED) + answered.count(RequestStatus.CANCELLED))
			.isEqualTo(CALLS);
		assertThat(this.controller.events).hasSize(CALLS)
			.allSatisfy((event) -> assertThat(event.isTerminal()).isTrue());
		assertThat(output.getAll()).doesNotContain("still running after timeout")
			.doesNotContain("Graceful shutdown aborted")
			.contains("may last up to PT9S instead of PT2S (spring.lifecycle.timeout-per-shutdown-phase): "
					+ "executor 'default' drains for up to PT4S");
		figures.put("calls", CALLS)
			.put("completed", answered.count(RequestStatus.COMPLETED))
			.put("cancelled", answered.count(RequestStatus.CANCELLED))
			.put("closeMillis", closeMillis)
			.put("phaseTimeout", "PT2S")
			.put("shutdownTimeout", SHUTDOWN_TIMEOUT)
			.report();
	}

}
