package io.lionfuncs.reliability;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.github.resilience4j.springboot.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration;
import io.github.resilience4j.springboot.retry.autoconfigure.RetryAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsClientAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsEventsAutoConfiguration;
import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.TaskRejectedException;
import io.lionfuncs.network.TaskRequest;
import io.lionfuncs.network.client.ApiRequest;
import io.lionfuncs.network.client.AsyncApiClient;
import io.lionfuncs.reliability.Upstream.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.codec.autoconfigure.CodecsAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.awaitility.Awaitility.await;

/**
 * Stopping under load: a graceful stop drains thousands of queued calls, a short
 * shutdown timeout cancels (and counts) the rest, a stopped executor starts again, and
 * closing a busy Spring context ends every request without an exception and without a
 * request sent afterwards.
 */
@ExtendWith({ OutputCaptureExtension.class, SuiteDuration.class })
class StopAndRestartTests {

	private static final int QUEUED = 5_000;

	@Test
	void gracefulStopDrainsFiveThousandQueuedCallsThenTheExecutorStartsAgain() throws Exception {
		LiveThreads threads = LiveThreads.snapshot();
		Figures figures = Figures.start("graceful-stop");
		Executor executor = new Executor(ExecutorSettings.builder()
			.name("draining")
			.queueCapacity(QUEUED)
			.concurrencyLimit(8)
			.requestsRate(1_000_000)
			.numWorkers(2)
			.shutdownTimeout(Duration.ofSeconds(60))
			.build());
		executor.start();
		CompletableFuture<Void> gate = new CompletableFuture<>();
		Calls calls = new Calls();
		List<NetworkRequestEvent> events = new ArrayList<>();
		for (int i = 0; i < QUEUED; i++) {
			events.add(executor.submitTask(TaskRequest.ofStage(() -> calls.start(gate)).build()));
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> calls.started.get() == 8);
		int queuedAtStop = executor.stats().queueDepth();

		CompletableFuture<Void> stopped = executor.stopAsync(true);
		assertThatExceptionOfType(TaskRejectedException.class)
			.isThrownBy(() -> executor.submitTask(TaskRequest.ofStage(() -> calls.start(gate)).build()))
			.satisfies((ex) -> assertThat(ex.getReason()).isEqualTo(TaskRejectedException.Reason.NOT_RUNNING));
		gate.complete(null);
		stopped.get(60, TimeUnit.SECONDS);

		assertThat(queuedAtStop).isEqualTo(QUEUED - 8);
		assertThat(events).allSatisfy((event) -> assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED));
		assertThat(calls.started).hasValue(QUEUED);
		assertThat(calls.maxInFlight).as("the concurrency limit held while draining").hasValueLessThanOrEqualTo(8);
		assertThat(executor.stats().completed()).isEqualTo(QUEUED);
		assertThat(executor.stats().rejected()).isEqualTo(1);

		executor.start();
		List<NetworkRequestEvent> again = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			again.add(executor.submitTask(TaskRequest.ofStage(() -> calls.start(gate)).build()));
		}
		executor.stop(true);
		assertThat(again).allSatisfy((event) -> assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED));
		assertThat(threads.awaitNoneLeaked(Duration.ofSeconds(10))).as("threads left behind").isEmpty();
		figures.put("queuedAtStop", queuedAtStop)
			.put("completed", QUEUED)
			.put("cancelled", 0)
			.put("rejectedWhileStopping", 1)
			.put("maxInFlight", calls.maxInFlight.get() + "/8")
			.put("completedAfterRestart", again.size())
			.put("leakedThreads", threads.leaked().size())
			.report();
	}

	@Test
	void shortShutdownTimeoutCancelsWhatIsLeftAndCountsIt() {
		LiveThreads threads = LiveThreads.snapshot();
		Figures figures = Figures.start("stop-timeout");
		Duration shutdownTimeout = Duration.ofMillis(300);
		Executor executor = new Executor(ExecutorSettings.builder()
			.name("timing-out")
			.queueCapacity(QUEUED)
			.concurrencyLimit(10)
			.requestsRate(1_000_000)
			.numWorkers(2)
			.shutdownTimeout(shutdownTimeout)
			.build());
		executor.start();
		Calls calls = new Calls();
		List<CompletableFuture<CallResult>> hanging = new ArrayList<>();
		List<NetworkRequestEvent> events = new ArrayList<>();
		for (int i = 0; i < QUEUED; i++) {
			// the first hundred answer at once, every later one hangs until cancelled
			CompletableFuture<Void> answer = (i < 100) ? CompletableFuture.completedFuture(null)
					: new CompletableFuture<>();
			events.add(executor.submitTask(TaskRequest.ofStage(() -> {
				CompletableFuture<CallResult> call = calls.start(answer);
				if (!answer.isDone()) {
					synchronized (hanging) {
						hanging.add(call);
					}
				}
				return call;
			}).build()));
		}
		await().atMost(Duration.ofSeconds(10))
			.until(() -> executor.stats().completed() == 100 && executor.stats().concurrencyInUse() == 10);

		long stopStarted = System.nanoTime();
		executor.stop(true);
		long stopNanos = System.nanoTime() - stopStarted;

		assertThat(events).allSatisfy((event) -> assertThat(event.isTerminal()).isTrue());
		long completed = events.stream().filter((event) -> event.getStatus() == RequestStatus.COMPLETED).count();
		long cancelled = events.stream().filter((event) -> event.getStatus() == RequestStatus.CANCELLED).count();
		assertThat(completed).isEqualTo(100);
		assertThat(cancelled).isEqualTo(QUEUED - 100);
		assertThat(executor.stats().cancelled()).isEqualTo(cancelled);
		assertThat(events).filteredOn((event) -> event.getStatus() == RequestStatus.CANCELLED)
			.allSatisfy((event) -> assertThat(event.getErrorMessage()).contains("shutdown timeout"));
		assertThat(calls.started).as("queued calls never started after the timeout").hasValue(110);
		synchronized (hanging) {
			assertThat(hanging).hasSize(10)
				.allSatisfy((call) -> assertThat(call).isCancelled().isCompletedExceptionally());
		}
		assertThat(stopNanos).as("the stop waited for the shutdown timeout").isGreaterThanOrEqualTo(
				shutdownTimeout.toNanos());
		assertThat(executor.stats().concurrencyInUse()).isZero();
		assertThat(threads.awaitNoneLeaked(Duration.ofSeconds(10))).as("threads left behind").isEmpty();
		figures.put("calls", QUEUED)
			.put("completed", completed)
			.put("cancelledInFlight", 10)
			.put("cancelledQueued", cancelled - 10)
			.put("terminal", Figures.percent(completed + cancelled, QUEUED))
			.put("stopMillis", TimeUnit.NANOSECONDS.toMillis(stopNanos))
			.put("leakedThreads", threads.leaked().size())
			.report();
	}

	@Test
	void closingABusyContextEndsEveryRequestAndSendsNothingAfterwards(@TempDir Path spool, CapturedOutput output) {
		LiveThreads threads = LiveThreads.snapshot();
		Figures figures = Figures.start("context-close");
		Upstream upstream = new Upstream("close-upstream", (request) -> Reply.ok().after(Duration.ofMillis(20)));
		List<NetworkRequestEvent> events = new ArrayList<>();
		AtomicLong closedAt = new AtomicLong();
		AtomicInteger requestsAtClose = new AtomicInteger();
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, CodecsAutoConfiguration.class,
					WebClientAutoConfiguration.class, CircuitBreakerAutoConfiguration.class,
					RetryAutoConfiguration.class, LionfuncsAutoConfiguration.class,
					LionfuncsClientAutoConfiguration.class, LionfuncsEventsAutoConfiguration.class))
			.withPropertyValues("lionfuncs.client.base-url=" + upstream.baseUrl(),
					"lionfuncs.executor.concurrency-limit=8", "lionfuncs.executor.requests-rate=100000",
					"lionfuncs.executor.queue-capacity=2000", "lionfuncs.executor.shutdown-timeout=500ms",
					"lionfuncs.events.spool-directory=" + spool, "lionfuncs.events.logging.enabled=true",
					"lionfuncs.events.logging.level=DEBUG")
			.run((context) -> {
				Executor executor = context.getBean(Executor.class);
				AsyncApiClient client = context.getBean(AsyncApiClient.class);
				for (int i = 0; i < 2000; i++) {
					events.add(client.submitTask(executor, ApiRequest.get("/items/{id}", i).build()));
				}
				await().atMost(Duration.ofSeconds(10)).until(() -> executor.stats().completed() >= 50);
				assertThatNoException().isThrownBy(context::close);
				closedAt.set(System.nanoTime());
				requestsAtClose.set(upstream.requests());
			});

		assertThat(events).allSatisfy((event) -> assertThat(event.isTerminal()).isTrue());
		long completed = events.stream().filter((event) -> event.getStatus() == RequestStatus.COMPLETED).count();
		long cancelled = events.stream().filter((event) -> event.getStatus() == RequestStatus.CANCELLED).count();
		assertThat(completed + cancelled).as("nothing failed because of the shutdown").isEqualTo(events.size());
		assertThat(output.getAll().lines().filter((line) -> line.contains("ERROR") || line.contains("Exception")))
			.as("errors logged while closing")
			.isEmpty();
		assertThat(completed).isGreaterThanOrEqualTo(50);
		// no request reaches the upstream once close() returned
		await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
			.until(() -> upstream.requests() == requestsAtClose.get());
		assertThat(upstream.received()).allSatisfy(
				(received) -> assertThat(received.arrivalNanos()).isLessThanOrEqualTo(closedAt.get()));
		await().atMost(Duration.ofSeconds(10)).until(() -> upstream.openConnections() == 0);
		upstream.close();
		assertThat(threads.awaitNoneLeaked(Duration.ofSeconds(10))).as("threads left behind").isEmpty();
		figures.put("calls", events.size())
			.put("terminal", Figures.percent(completed + cancelled, events.size()))
			.put("completed", completed)
			.put("cancelled", cancelled)
			.put("failed", events.size() - completed - cancelled)
			.put("serverRequests", upstream.requests())
			.put("requestsAfterClose", upstream.requests() - requestsAtClose.get())
			.put("openSockets", upstream.openConnections())
			.put("leakedThreads", threads.leaked().size())
			.report();
	}

	/**
	 * Counts the calls an executor starts and the most in flight at once.
	 */
	private static final class Calls {

		final AtomicInteger started = new AtomicInteger();

		final AtomicInteger inFlight = new AtomicInteger();

		final AtomicInteger maxInFlight = new AtomicInteger();

		CompletableFuture<CallResult> start(CompletableFuture<Void> answer) {
			this.started.incrementAndGet();
			this.maxInFlight.accumulateAndGet(this.inFlight.incrementAndGet(), Math::max);
			CompletableFuture<CallResult> call = answer.thenApply((done) -> CallResult.of(200, null));
			call.whenComplete((result, ex) -> this.inFlight.decrementAndGet());
			return call;
		}

	}

}
