package io.lionfuncs.reliability;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.reliability.ShutdownWebApplication.Answer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Closing with {@code server.shutdown=immediate}: the drain does not hold the web server
 * up (it stops listening at once and cuts the waiting web request off, as immediate
 * means), and the executor still drains for its shutdown timeout before the close
 * returns with every event terminal.
 */
@SpringBootTest(classes = ShutdownWebApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "server.shutdown=immediate", "lionfuncs.executor.requests-rate=5",
				"lionfuncs.executor.concurrency-limit=4", "lionfuncs.executor.shutdown-timeout=4s" })
@ClosesItsContext
@ExtendWith(SuiteDuration.class)
class ImmediateShutdownTests extends AbstractShutdownWebApplicationTests {

	private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(4);

	private static final int CALLS = 200;

	@Test
	void webServerStopsAtOnceWhileTheExecutorDrainsForItsShutdownTimeout() throws Exception {
		Figures figures = Figures.start("immediate-web-shutdown");
		CompletableFuture<Answer> answer = burstUntilUpstreamReceived(CALLS, 5);

		long closeStarted = System.nanoTime();
		CompletableFuture<Void> closing = closeContext();
		await().atMost(SHUTDOWN_TIMEOUT).until(() -> ShutdownWebApplication.refusesConnections(this.port));
		int drainedWhenServerStopped = upstream().requests();
		boolean drainingWhenServerStopped = !closing.isDone();
		await().atMost(SHUTDOWN_TIMEOUT.plusSeconds(5)).until(closing::isDone);
		long closeMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStarted);
		closing.join();

		assertThat(drainingWhenServerStopped).as("the server stopped listening while the executor drained").isTrue();
		await().atMost(Duration.ofSeconds(5)).until(answer::isDone);
		assertThat(answer).as("the waiting web request is cut off").isCompletedExceptionally();
		assertThat(this.controller.events).hasSize(CALLS)
			.allSatisfy((event) -> assertThat(event.isTerminal()).isTrue());
		long cancelled = this.controller.events.stream()
			.map(NetworkRequestEvent::getStatus)
			.filter(RequestStatus.CANCELLED::equals)
			.count();
		assertThat(cancelled).as("cancelled after the shutdown timeout").isPositive();
		assertThat(upstream().requests()).as("calls made after the server stopped, while draining")
			.isGreaterThan(drainedWhenServerStopped);
		figures.put("calls", CALLS)
			.put("cancelled", cancelled)
			.put("callsAfterServerStopped", upstream().requests() - drainedWhenServerStopped)
			.put("closeMillis", closeMillis)
			.put("shutdownTimeout", SHUTDOWN_TIMEOUT)
			.report();
	}

}
