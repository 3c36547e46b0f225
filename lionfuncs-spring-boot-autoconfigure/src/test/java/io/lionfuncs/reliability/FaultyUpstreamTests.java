package io.lionfuncs.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import io.github.resilience4j.circuitbreaker.event.CircuitBreakerEvent;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.event.RetryEvent;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.client.ApiConnectionException;
import io.lionfuncs.network.client.ApiFailures;
import io.lionfuncs.network.client.ApiRequest;
import io.lionfuncs.network.client.ApiTimeoutException;
import io.lionfuncs.network.client.AsyncApiClient;
import io.lionfuncs.network.client.CircuitBreakerOpenException;
import io.lionfuncs.network.client.CircuitBreakerSettings;
import io.lionfuncs.network.client.RetrySettings;
import io.lionfuncs.network.client.ServerException;
import io.lionfuncs.reliability.AttemptLog.Seen;
import io.lionfuncs.reliability.Upstream.Received;
import io.lionfuncs.reliability.Upstream.Reply;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Hooks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.server.HttpServerRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Ten thousand calls through an {@link Executor} and an {@link AsyncApiClient} against
 * an upstream that fails half of the attempts (5xx, answers beyond the timeout,
 * connection resets, responses closed mid-body) and has one short outage, with one call
 * in twenty cancelled by its caller, then a graceful stop. Every event must end; every permit, connection and
 * thread must come back; the client must never report what the server did not send;
 * and the breaker's and the retry's counts must agree with the calls and the server's
 * log.
 */
@Tag("slow")
@ExtendWith(SuiteDuration.class)
class FaultyUpstreamTests {

	private static final int CALLS = 10_000;

	private static final int CONCURRENCY = 64;

	private static final int MAX_RETRIES = 2;

	private static final Duration TIMEOUT = Duration.ofMillis(200);

	private static final Duration BEYOND_TIMEOUT = Duration.ofMillis(1500);

	private static final long SEED = 11;

	private static final int[] SERVER_ERRORS = { 500, 502, 503, 504 };

	private static final int OUTAGE_FROM = 5_000;

	private static final int OUTAGE_CALLS = 400;

	@Test
	void everyCallEndsAndNothingIsLeftBehind() {
		// Reactor Netty warns about every reset connection: expected here by the hundred.
		try (LoggerLevel quiet = LoggerLevel.errorsOnly("reactor.netty.http.client.HttpClientConnect")) {
			LongAdder dropped = new LongAdder();
			Hooks.onErrorDropped((ex) -> dropped.increment());
			try {
				run(dropped);
			}
			finally {
				Hooks.resetOnErrorDropped();
			}
		}
	}

	private void run(LongAdder droppedErrors) {
		// This test uses no Redis: a Lettuce thread is an earlier test's, shutting down.
		LiveThreads threads = LiveThreads.snapshot().ignoringPools("lettuce-");
		Figures figures = Figures.start("faulty-upstream");
		Upstream upstream = new Upstream("faulty-upstream", FaultyUpstreamTests::plan);
		PoolProbe pool = new PoolProbe();
		AttemptLog attempts = new AttemptLog();
		AsyncApiClient client = AsyncApiClient.builder()
			.name("faulty")
			.baseUrl(upstream.baseUrl())
			.timeout(TIMEOUT)
			.circuitBreaker(CircuitBreakerSettings.builder()
				.failureThreshold(20)
				.recoveryTime(Duration.ofMillis(50))
				.halfOpenMaxCalls(10)
				.build())
			.retry(RetrySettings.builder()
				.maxRetries(MAX_RETRIES)
				.baseDelay(Duration.ofMillis(10))
				.maxDelay(Duration.ofMillis(50))
				.build())
			.connectionProviderCustomizer((provider) -> provider.maxConnections(CONCURRENCY).metrics(true, () -> pool))
			.webClientCustomizer((builder) -> builder.filter(attempts))
			.build();
		ResilienceCounts resilience = ResilienceCounts.watch(client.getCircuitBreaker(), client.getRetry(),
				ApiFailures::isRetryable);
		Retry.Metrics retryMetrics = client.getRetry().getMetrics();
		Executor executor = new Executor(ExecutorSettings.builder()
			.name("faulty")
			.queueCapacity(CALLS)
			.concurrencyLimit(CONCURRENCY)
			.requestsRate(1_000_000)
			.numWorkers(2)
			.shutdownTimeout(Duration.ofSeconds(60))
			.build());
		Scheduler canceller = Schedulers.newSingle("caller-cancels");
		SplittableRandom random = new SplittableRandom(SEED);
		// Cancel some calls while they run: at a random point of their attempts, timeouts or backoffs.
		executor.addListener((event, previous, current) -> {
			if (current == RequestStatus.CALLING && "in-flight".equals(event.getMetadata().get("cancel"))) {
				canceller.schedule(event::cancel, Math.floorMod(event.getRequestId().hashCode(), 300),
						TimeUnit.MILLISECONDS);
			}
		});
		executor.start();

		List<Call> calls = new ArrayList<>(CALLS);
		for (int i = 0; i < CALLS; i++) {
			String callId = "c" + i;
			boolean post = i % 10 == 3;
			String cancel = (i % 40 == 7) ? "queued" : (i % 40 == 27) ? "in-flight" : "no";
			ApiRequest request = (post ? ApiRequest.post("/work/{id}", i).json(Map.of("n", i))
					: ApiRequest.get("/work/{id}", i))
				.header(Upstream.CALL_ID, callId)
				.build();
			NetworkRequestEvent event = executor
				.submitTask(client.task(request).metadata(Map.of("client", "faulty", "cancel", cancel)).build());
			if (cancel.equals("queued")) {
				canceller.schedule(event::cancel, random.nextInt(20), TimeUnit.MILLISECONDS);
			}
			calls.add(new Call(callId, post, event));
		}
		long submittedNanos = System.nanoTime();
		executor.stop(true);
		long drainedNanos = System.nanoTime();

		// Every event ended, and every permit came back.
		long terminal = calls.stream().filter((call) -> call.event().isTerminal()).count();
		assertThat(terminal).as("terminal events").isEqualTo(CALLS);
		assertThat(executor.stats().concurrencyInUse()).isZero();
		assertThat(executor.stats().slots().available()).isEqualTo(CONCURRENCY);
		assertThat(executor.stats().queueDepth()).isZero();
		assertThat(pool.pools()).as("the pool's gauges are read").isPositive();
		await().atMost(Duration.ofSeconds(10)).until(() -> pool.acquired() == 0 && pool.pending() == 0);
		int acquiredAfterStop = pool.acquired();

		// The client never reports what the server did not send.
		Map<String, Map<Integer, Received>> server = upstream.received()
			.stream()
			.collect(Collectors.groupingBy(Received::callId, Collectors.toMap(Received::attempt, (r) -> r)));
		assertThat(server.values().stream().mapToInt(Map::size).sum()).as("each attempt reached the server once")
			.isEqualTo(upstream.requests());
		Outcomes outcomes = new Outcomes();
		for (Call call : calls) {
			check(call, attempts, server.getOrDefault(call.id(), Map.of()), outcomes);
		}
		assertThat(resilience.wronglyRetried()).as("failures retried although not retryable").isEmpty();

		// Breaker and retry counts agree with the calls. A call cancelled in flight may leave
		// its last attempt without a breaker outcome, or a retry scheduled but not made:
		// those are the only slack.
		long breakerSuccess = resilience.breaker(CircuitBreakerEvent.Type.SUCCESS);
		long breakerError = resilience.breaker(CircuitBreakerEvent.Type.ERROR);
		long notPermitted = resilience.breaker(CircuitBreakerEvent.Type.NOT_PERMITTED);
		long retries = resilience.retry(RetryEvent.Type.RETRY);
		long completed = outcomes.count(RequestStatus.COMPLETED);
		long failed = outcomes.count(RequestStatus.FAILED);
		assertThat(resilience.breaker(CircuitBreakerEvent.Type.IGNORED_ERROR)).isZero();
		assertThat(resilience.opened()).as("the outage opened the breaker").isPositive();
		assertThat(notPermitted).as("the open breaker refused calls").isPositive();
		assertThat(breakerSuccess - completed).as("breaker successes beyond completed calls")
			.isBetween(0L, outcomes.cancelledInFlight);
		assertThat(breakerError - outcomes.expectedBreakerErrors).as("breaker errors beyond the non-cancelled calls'")
			.isBetween(0L, outcomes.attemptsOfCancelledCalls);
		assertThat(notPermitted - outcomes.failedBreakerOpen).as("refusals beyond calls failed by the open breaker")
			.isBetween(0L, outcomes.cancelledInFlight);
		assertThat(retries - outcomes.expectedRetries).as("retries beyond the non-cancelled calls'")
			.isBetween(0L, outcomes.attemptsOfCancelledCalls);
		assertThat(retryMetrics.getNumberOfSuccessfulCallsWithoutRetryAttempt()
				+ retryMetrics.getNumberOfSuccessfulCallsWithRetryAttempt() - completed)
			.as("retry successes beyond completed calls")
			.isBetween(0L, outcomes.cancelledInFlight);
		assertThat(retryMetrics.getNumberOfFailedCallsWithoutRetryAttempt()
				+ retryMetrics.getNumberOfFailedCallsWithRetryAttempt() - failed)
			.as("retry failures beyond failed calls")
			.isBetween(0L, outcomes.cancelledInFlight);
		assertThat(breakerSuccess + breakerError).as("breaker outcomes vs attempts made")
			.isBetween(attempts.total() - outcomes.cancelledInFlight, (long) attempts.total());
		assertThat(attempts.total() - upstream.requests()).as("attempts the server never saw").isNotNegative();

		// Closing the client closes every connection; nothing the test started keeps running.
		client.closeAsync().block(Duration.ofSeconds(10));
		await().atMost(Duration.ofSeconds(10)).until(() -> upstream.openConnections() == 0);
		canceller.dispose();
		upstream.close();
		assertThat(threads.awaitNoneLeaked(Duration.ofSeconds(10))).as("threads left behind").isEmpty();

		figures.put("calls", CALLS)
			.put("terminal", Figures.percent(terminal, CALLS))
			.put("completed", completed)
			.put("failed", failed)
			.put("cancelled", outcomes.count(RequestStatus.CANCELLED))
			.put("cancelledInFlight", outcomes.cancelledInFlight)
			.put("attempts", attempts.total())
			.put("serverRequests", upstream.requests())
			.put("faults5xx", count(upstream, (r) -> r.reply().status() >= 500))
			.put("faultsSlow", count(upstream, (r) -> !r.reply().delay().isZero()))
			.put("faultsReset", count(upstream, (r) -> r.reply().kind() == Reply.Kind.RESET))
			.put("faultsMidBody", count(upstream, (r) -> r.reply().kind() == Reply.Kind.MID_BODY))
			.put("breakerSuccess", breakerSuccess)
			.put("breakerError", breakerError)
			.put("breakerNotPermitted", notPermitted)
			.put("breakerOpened", resilience.opened())
			.put("retries", retries)
			.put("answeredButLost", outcomes.answeredButLost)
			.put("permits", executor.stats().slots().available() + "/" + CONCURRENCY)
			.put("acquiredConnections", acquiredAfterStop)
			.put("serverConnections", upstream.connections())
			.put("openSockets", upstream.openConnections())
			.put("leakedThreads", threads.leaked().size())
			.put("droppedErrors", droppedErrors.sum())
			.put("drainSeconds", String.format(Locale.ROOT, "%.2f", (drainedNanos - submittedNanos) / 1e9))
			.report();
	}

	/**
	 * What the upstream does with an attempt, drawn from the call and attempt number so
	 * that a run is repeatable: 50 % OK, 30 % 5xx, 10 % an answer beyond the client's
	 * timeout, 5 % a reset, 5 % a response closed mid-body. The calls of one stretch get
	 * a 503 at every attempt, an outage that opens the breaker.
	 */
	private static Reply plan(HttpServerRequest request) {
		String callId = request.requestHeaders().get(Upstream.CALL_ID);
		int call = Integer.parseInt(callId.substring(1));
		if (call >= OUTAGE_FROM && call < OUTAGE_FROM + OUTAGE_CALLS) {
			return Reply.status(503);
		}
		String attempt = callId + "/" + request.requestHeaders().get(Upstream.ATTEMPT);
		int roll = new SplittableRandom(SEED * 31 + attempt.hashCode()).nextInt(100);
		if (roll < 50) {
			return Reply.ok();
		}
		if (roll < 80) {
			return Reply.status(SERVER_ERRORS[roll % SERVER_ERRORS.length]);
		}
		if (roll < 90) {
			return Reply.ok().after(BEYOND_TIMEOUT);
		}
		return (roll < 95) ? Reply.reset() : Reply.midBody();
	}

	/**
	 * Checks one call against the server's log and the client's view of its attempts.
	 */
	private static void check(Call call, AttemptLog attempts, Map<Integer, Received> server, Outcomes outcomes) {
		NetworkRequestEvent event = call.event();
		int issued = attempts.issued(call.id());
		String what = call.id() + " (" + event.getStatus() + ", " + event.getErrorType() + ", " + issued
				+ " attempts, server " + server.values() + ")";
		assertThat(server.keySet()).as("server saw only attempts the client made: %s", what)
			.allMatch((attempt) -> attempt >= 1 && attempt <= issued);
		for (Received received : server.values()) {
			checkAttempt(received.reply(), attempts.seen(call.id(), received.attempt()),
					what + ", attempt " + received.attempt(), outcomes);
		}
		assertThat(issued).as("attempts of %s", what).isLessThanOrEqualTo(1 + MAX_RETRIES);
		if (call.post()) {
			assertThat(issued).as("a POST is never retried after it may have reached the server: %s", what)
				.isLessThanOrEqualTo(1);
		}
		RequestStatus status = event.getStatus();
		outcomes.add(status);
		if (status == RequestStatus.CANCELLED) {
			outcomes.attemptsOfCancelledCalls += issued;
			if (event.getCallStartedAt() != null) {
				outcomes.cancelledInFlight++;
			}
			return;
		}
		Seen last = (issued > 0) ? attempts.seen(call.id(), issued) : Seen.PENDING;
		Received lastReceived = server.get(issued);
		boolean exhausted = call.post() || issued == 1 + MAX_RETRIES;
		if (status == RequestStatus.COMPLETED) {
			assertThat(lastReceived).as("a completed call was answered by the server: %s", what).isNotNull();
			assertThat(lastReceived.reply().kind()).as(what).isEqualTo(Reply.Kind.RESPOND);
			assertThat(lastReceived.reply().status()).as(what).isEqualTo(200);
			assertThat(last.isComplete(200)).as("the body was read to the end: %s %s", last, what).isTrue();
			outcomes.expectedBreakerErrors += issued - 1;
			outcomes.expectedRetries += issued - 1;
			return;
		}
		String error = event.getErrorType();
		if (CircuitBreakerOpenException.class.getName().equals(error)) {
			outcomes.failedBreakerOpen++;
			outcomes.expectedBreakerErrors += issued;
			outcomes.expectedRetries += issued;
			return;
		}
		outcomes.expectedBreakerErrors += issued;
		outcomes.expectedRetries += issued - 1;
		if (ServerException.class.getName().equals(error)) {
			int code = event.getResponseStatusCode();
			assertThat(lastReceived).as("a 5xx failure was answered by the server: %s", what).isNotNull();
			assertThat(lastReceived.reply().status()).as(what).isEqualTo(code);
			assertThat(code == 500 || exhausted)
				.as("a %d ends a call only when not retryable or retries are spent: %s", code, what)
				.isTrue();
		}
		else if (ApiTimeoutException.class.getName().equals(error)
				|| ApiConnectionException.class.getName().equals(error)) {
			assertThat(exhausted).as("timeouts and connection failures of a GET are retried: %s", what).isTrue();
		}
		else {
			throw new AssertionError("Unexpected failure " + error + ": " + event.getErrorMessage() + " in " + what);
		}
	}

	/**
	 * The client's and the server's view of one attempt agree: a response the client saw
	 * carries the status the server sent, an answer beyond the timeout is never read, a
	 * reset never looks like a response and a body cut short is never complete. The
	 * client may lose an answer the server sent (a connection closed under it, for
	 * instance by the clean-up of an exchange cancelled just before on the same
	 * connection); that is counted.
	 */
	private static void checkAttempt(Reply reply, Seen seen, String what, Outcomes outcomes) {
		switch (reply.kind()) {
			case RESPOND -> {
				if (seen.kind() == Seen.Kind.RESPONSE) {
					assertThat(seen.status()).as("the status the server sent: %s", what).isEqualTo(reply.status());
					if (!reply.delay().isZero()) {
						assertThat(seen.body()).as("an answer beyond the timeout is never read: %s", what)
							.isNotEqualTo(Seen.Body.COMPLETE);
					}
				}
				if (seen.lostConnection()) {
					outcomes.answeredButLost++;
				}
			}
			case RESET -> assertThat(seen.kind()).as(what).isIn(Seen.Kind.ERROR, Seen.Kind.CANCELLED);
			case MID_BODY -> assertThat(seen.body()).as("a body cut short is never complete: %s", what)
				.isNotEqualTo(Seen.Body.COMPLETE);
		}
	}

	private static long count(Upstream upstream, Predicate<Received> predicate) {
		return upstream.received().stream().filter(predicate).count();
	}

	private record Call(String id, boolean post, NetworkRequestEvent event) {
	}

	/**
	 * Totals over the calls, for comparison with the Resilience4j counts.
	 */
	private static final class Outcomes {

		private final Map<RequestStatus, Long> byStatus = new EnumMap<>(RequestStatus.class);

		long cancelledInFlight;

		long attemptsOfCancelledCalls;

		long failedBreakerOpen;

		long expectedBreakerErrors;

		long expectedRetries;

		long answeredButLost;

		void add(RequestStatus status) {
			this.byStatus.merge(status, 1L, Long::sum);
		}

		long count(RequestStatus status) {
			return this.byStatus.getOrDefault(status, 0L);
		}

	}

}
