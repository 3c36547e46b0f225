package io.lionfuncs.network;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import io.lionfuncs.network.budget.BudgetSettings;
import io.lionfuncs.network.budget.BudgetStats;
import io.lionfuncs.network.budget.ExecutorPause;
import io.lionfuncs.network.limit.BucketSettings;
import org.jspecify.annotations.Nullable;
import io.lionfuncs.testsupport.SlidingWindows;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * LLM-style budgets of the {@link Executor} against a fake provider on virtual time:
 * usage true-up keeps the API-token rate exact when estimates are wrong, a provider's
 * reported limits hold calls back, and a 429 pauses every queued call.
 */
class ExecutorBudgetTests {

	private static final List<Duration> WINDOWS = List.of(Duration.ofMillis(1), Duration.ofMillis(100),
			Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(3));

	private static final long ACTUAL = 100;

	private final VirtualTime time = new VirtualTime();

	private final ConcurrentLinkedQueue<Start> starts = new ConcurrentLinkedQueue<>();

	private final List<ExecutorPause> pauses = new ArrayList<>();

	/** 1000 API tokens per second, burst 1000; requests unlimited. */
	private static ExecutorSettings.Builder tokenBudget(int concurrencyLimit) {
		return ExecutorSettings.builder()
			.requestsRate(1_000_000)
			.apiTokensRate(1000.0)
			.apiTokensPeriod(Duration.ofSeconds(1))
			.apiTokensBucketCapacity(1000L)
			.concurrencyLimit(concurrencyLimit);
	}

	private Executor start(ExecutorSettings settings) {
		Executor executor = this.time.executor(settings).pauseListener(this.pauses::add).build();
		executor.start();
		return executor;
	}

	// ---------------------------------------------------------------- true-up

	@Test
	void overEstimatedUsageIsGivenBackSoTheTokenRateConvergesToTheConfiguredRate() {
		Executor executor = start(tokenBudget(10).build());

		List<NetworkRequestEvent> events = submitMany(executor, 100, 2 * ACTUAL, Duration.ZERO);
		runUntilDone(events);

		assertThat(steadyTokenRate()).as("tokens per second once the first estimates are used up")
			.isCloseTo(1000.0, org.assertj.core.data.Percentage.withPercentage(1));
		assertWithinBound(tokenBudget(10).build().apiTokensBucket(), 0);
		assertThat(events).allSatisfy((event) -> {
			assertThat(event.getApiTokensUsed()).isEqualTo(ACTUAL);
			assertThat(event.snapshot().apiTokensUsed()).isEqualTo(ACTUAL);
			assertThat(event.getNumApiTokensNeeded()).isEqualTo(2 * ACTUAL);
		});
		BudgetStats stats = executor.budgetStats();
		assertThat(stats.callsWithUsage()).isEqualTo(100);
		assertThat(stats.estimatedApiTokens()).isEqualTo(20_000);
		assertThat(stats.actualApiTokens()).isEqualTo(10_000);
		assertThat(stats.refundedApiTokens()).isEqualTo(10_000);
		assertThat(stats.actualToEstimatedRatio()).isEqualTo(0.5);
		executor.stop(false);
	}

	@Test
	void withoutTrueUpOverEstimatesHalveTheTokenRate() {
		Executor executor = start(
				tokenBudget(10).budget(BudgetSettings.builder().usageEnabled(false).build()).build());

		runUntilDone(submitMany(executor, 100, 2 * ACTUAL, Duration.ZERO));

		assertThat(steadyTokenRate()).isCloseTo(500.0, org.assertj.core.data.Percentage.withPercentage(1));
		assertThat(executor.budgetStats().callsWithUsage()).isZero();
		executor.stop(false);
	}

	@ParameterizedTest(name = "concurrency limit {0}")
	@ValueSource(ints = { 1, 10, 100 })
	void underEstimatedUsageRunsIntoDebtAndNeverExceedsTheBound(int concurrencyLimit) {
		Executor executor = start(tokenBudget(concurrencyLimit).build());

		runUntilDone(submitMany(executor, 100, ACTUAL / 2, Duration.ZERO));

		assertWithinBound(tokenBudget(1).build().apiTokensBucket(), 0);
		assertThat(steadyTokenRate()).isCloseTo(1000.0, org.assertj.core.data.Percentage.withPercentage(1));
		assertThat(executor.budgetStats().overdrawnApiTokens()).isEqualTo(5000);
		executor.stop(false);
	}

	@Test
	void withoutTrueUpUnderEstimatesExceedTheBound() {
		Executor executor = start(tokenBudget(10).budget(BudgetSettings.disabled()).build());

		runUntilDone(submitMany(executor, 100, ACTUAL / 2, Duration.ZERO));

		BucketSettings shape = tokenBudget(10).build().apiTokensBucket();
		assertThat(maxTokensInWindow(Duration.ofSeconds(1))).isGreaterThan((long) shape.maxTokensIn(Duration.ofSeconds(1)));
		executor.stop(false);
	}

	@Test
	void callsInFlightOvershootTheBoundByNoMoreThanTheirOwnUnderEstimates() {
		int concurrencyLimit = 4;
		Executor executor = start(tokenBudget(concurrencyLimit).build());

		runUntilDone(submitMany(executor, 100, ACTUAL / 2, Duration.ofMillis(50)));

		assertWithinBound(tokenBudget(1).build().apiTokensBucket(), (concurrencyLimit - 1) * (ACTUAL - ACTUAL / 2));
		executor.stop(false);
	}

	// ---------------------------------------------------------------- provider headers

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "openai", "anthropic", "ietf", "ietf-structured" })
	void providerReportingNothingRemainingHoldsEveryCallUntilTheReset(String family) {
		Executor executor = start(ExecutorSettings.builder()
			.requestsRate(10)
			.requestsBucketCapacity(1L)
			.concurrencyLimit(5)
			.build());
		Map<String, String> exhausted = switch (family) {
			case "openai" -> Map.of("x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "2s");
			case "anthropic" -> Map.of("anthropic-ratelimit-requests-remaining", "0",
					"anthropic-ratelimit-requests-reset",
					DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(Instant.EPOCH.plusSeconds(2).atOffset(ZoneOffset.UTC)));
			case "ietf" -> Map.of("RateLimit-Remaining", "0", "RateLimit-Reset", "2");
			default -> Map.of("RateLimit", "\"default\";r=0;t=2");
		};
		List<NetworkRequestEvent> events = new ArrayList<>();
		events.add(executor.submitTask(call(new CallResult(200, exhausted, usageBody(ACTUAL)), Duration.ofMillis(10))
			.build()));
		events.addAll(submitMany(executor, 20, 0, Duration.ofMillis(10)));

		// The response arrives at 10 ms; a reset given as an instant is at 2 s, otherwise 2 s later.
		Duration reset = family.equals("anthropic") ? Duration.ofSeconds(2) : Duration.ofMillis(2010);
		this.time.advance(reset.minusNanos(1));
		assertThat(this.starts).as("only the first call left before the reset").hasSize(1);
		assertThat(executor.pausedUntil()).isEqualTo(Instant.EPOCH.plus(reset));
		runUntilDone(events);

		assertThat(startTimes().subList(1, 21))
			.allSatisfy((start) -> assertThat(start).isGreaterThanOrEqualTo(reset.toNanos()));
		assertThat(executor.budgetStats().providerLimits()).containsKey(family.startsWith("ietf") ? "quota" : "requests");
		executor.stop(false);
	}

	// ---------------------------------------------------------------- pause on 429

	@Test
	void rateLimitedAttemptPausesEveryQueuedCallUntilRetryAfter() {
		Executor executor = start(ExecutorSettings.builder()
			.requestsRate(10)
			.requestsBucketCapacity(1L)
			.concurrencyLimit(10)
			.build());
		NetworkRequestEvent retrying = executor.submitTask(retryingCall(Duration.ofSeconds(2)).build());
		List<NetworkRequestEvent> queued = submitMany(executor, 50, 0, Duration.ofMillis(10));

		this.time.advance(Duration.ofMillis(10));
		assertThat(this.pauses).singleElement().satisfies((pause) -> {
			assertThat(pause.pausedUntil()).isEqualTo(Instant.EPOCH.plusMillis(2010));
			assertThat(pause.statusCode()).isEqualTo(429);
		});
		assertThat(retrying.isTerminal()).as("learned from the attempt, while the call still retries").isFalse();
		this.time.advance(Duration.ofMillis(1999));
		assertThat(this.starts).as("none of the 50 left during the pause").isEmpty();
		assertThat(executor.budgetStats().pausedUntil()).isEqualTo(Instant.EPOCH.plusMillis(2010));
		assertThat(executor.budgetStats().pauseReason()).isEqualTo("429 Too Many Requests (Retry-After)");
		assertThat(queued.get(1).getLogs()).anySatisfy((log) -> assertThat(log).contains("executor paused"));

		List<NetworkRequestEvent> all = new ArrayList<>(queued);
		all.add(retrying);
		runUntilDone(all);
		assertThat(startTimes()).hasSize(50)
			.allSatisfy((start) -> assertThat(start).isGreaterThanOrEqualTo(Duration.ofMillis(2010).toNanos()));
		assertThat(startTimes()).as("then at the request rate, not in a burst").isSorted();
		assertThat(startTimes().get(49) - startTimes().get(0))
			.isGreaterThanOrEqualTo(Duration.ofMillis(4800).toNanos());
		assertThat(this.pauses).hasSize(1);
		assertThat(executor.budgetStats().rateLimitedResponses()).isEqualTo(1);
		assertThat(executor.pausedUntil()).isNull();
		executor.stop(false);
	}

	@Test
	void refusedCallPausesTheExecutorAndGivesBackItsTokens() {
		Executor executor = start(tokenBudget(10).requestsRate(10).requestsBucketCapacity(1L).build());
		NetworkRequestEvent refused = executor.submitTask(TaskRequest
			.ofStage(() -> CompletableFuture.failedFuture(new Refused(Map.of("retry-after-ms", "1500"))))
			.numApiTokensNeeded(400)
			.build());
		List<NetworkRequestEvent> queued = submitMany(executor, 5, ACTUAL, Duration.ZERO);

		this.time.advance(Duration.ofMillis(1499));

		assertThat(refused.getStatus()).isEqualTo(RequestStatus.FAILED);
		assertThat(refused.getApiTokensUsed()).isZero();
		assertThat(this.starts).isEmpty();
		runUntilDone(queued);
		assertThat(startTimes()).allSatisfy(
				(start) -> assertThat(start).isGreaterThanOrEqualTo(Duration.ofMillis(1500).toNanos()));
		assertThat(executor.budgetStats().refundedApiTokens()).isEqualTo(400);
		executor.stop(false);
	}

	@Test
	void manualPauseHoldsCallsThatCanStillBeCancelled() {
		Executor executor = start(ExecutorSettings.builder().requestsRate(100).build());
		ExecutorPause pause = executor.pause(Duration.ofSeconds(3), "maintenance");
		assertThat(executor.pause(Instant.EPOCH.plusSeconds(1), "shorter")).as("ends sooner: no change").isNull();

		NetworkRequestEvent cancelled = executor.submitTask(call(new CallResult(200, Map.of(), null), Duration.ZERO)
			.build());
		NetworkRequestEvent waiting = executor.submitTask(call(new CallResult(200, Map.of(), null), Duration.ZERO)
			.build());
		this.time.advance(Duration.ofSeconds(1));
		assertThat(cancelled.getStatus()).isEqualTo(RequestStatus.PROCESSING);
		assertThat(cancelled.cancel()).isTrue();

		assertThat(pause.reason()).isEqualTo("maintenance");
		assertThat(pause.statusCode()).isNull();
		assertThat(executor.pausedUntil()).isEqualTo(Instant.EPOCH.plusSeconds(3));
		this.time.advance(Duration.ofSeconds(2));
		assertThat(waiting.getStatus()).isEqualTo(RequestStatus.COMPLETED);
		assertThat(cancelled.getStatus()).isEqualTo(RequestStatus.CANCELLED);
		assertThat(this.starts).hasSize(1);
		assertThat(this.pauses).containsExactly(pause);
		executor.stop(false);
	}

	@Test
	void stopCancelsCallsHeldByAPause() {
		Executor executor = start(ExecutorSettings.builder().requestsRate(100).build());
		executor.pause(Duration.ofMinutes(1), "maintenance");
		NetworkRequestEvent held = executor.submitTask(call(new CallResult(200, Map.of(), null), Duration.ZERO)
			.build());
		this.time.advance(Duration.ofSeconds(1));

		executor.stop(false);

		assertThat(held.getStatus()).isEqualTo(RequestStatus.CANCELLED);
		assertThat(this.starts).isEmpty();
	}

	@Test
	void budgetSwitchedOffIgnoresUsageAndRateLimits() {
		Executor executor = start(tokenBudget(10).budget(BudgetSettings.disabled()).build());
		NetworkRequestEvent limited = executor.submitTask(call(new CallResult(429, Map.of("Retry-After", "30",
				"x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "30s"), usageBody(ACTUAL)),
				Duration.ZERO)
			.numApiTokensNeeded(ACTUAL)
			.build());
		List<NetworkRequestEvent> events = submitMany(executor, 3, ACTUAL, Duration.ZERO);
		this.time.advance(Duration.ofMillis(1));

		assertThat(events).allSatisfy((event) -> assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED));
		assertThat(limited.getApiTokensUsed()).isNull();
		assertThat(executor.pausedUntil()).isNull();
		assertThat(this.pauses).isEmpty();
		executor.stop(false);
	}

	@Test
	void noBudgetWorkOnACallWhenNoBudgetFeatureIsOn() {
		List<CallResult> read = new ArrayList<>();
		Executor executor = this.time.executor(tokenBudget(10).budget(BudgetSettings.disabled()).build())
			.usageExtractor((result) -> {
				read.add(result);
				return 1L;
			})
			.build();
		executor.start();

		List<NetworkRequestEvent> events = submitMany(executor, 3, ACTUAL, Duration.ZERO);
		NetworkRequestEvent limited = executor.submitTask(
				call(new CallResult(429, Map.of("Retry-After", "30"), usageBody(ACTUAL)), Duration.ZERO).build());
		this.time.advance(Duration.ofMillis(1));

		assertThat(events).allSatisfy((event) -> assertThat(event.getApiTokensUsed()).isNull());
		assertThat(read).as("no usage read").isEmpty();
		BudgetStats stats = executor.budgetStats();
		assertThat(stats.callsWithUsage() + stats.callsWithoutUsage() + stats.providerAdjustments() + stats.pauses())
			.isZero();
		assertThat(stats.rateLimitedResponses()).as("a final 429 is still counted").isEqualTo(1);
		assertThat(limited.getResponseStatusCode()).isEqualTo(429);
		executor.stop(false);
	}

	@Test
	void usageExtractorReplacesTheJsonPointers() {
		Executor executor = this.time.executor(tokenBudget(10).build())
			.usageExtractor((result) -> Long.valueOf(result.headers().get("x-usage")))
			.build();
		executor.start();

		NetworkRequestEvent event = executor.submitTask(
				call(new CallResult(200, Map.of("x-usage", "7"), usageBody(900)), Duration.ZERO).numApiTokensNeeded(20)
					.build());
		this.time.advance(Duration.ofMillis(1));

		assertThat(event.getApiTokensUsed()).isEqualTo(7);
		assertThat(executor.budgetStats().refundedApiTokens()).isEqualTo(13);
		executor.stop(false);
	}

	// ---------------------------------------------------------------- the fake provider

	/**
	 * A provider call answering after a latency with the given result.
	 */
	private TaskRequest.Builder call(CallResult result, Duration latency) {
		return TaskRequest.ofStage(() -> {
			long usage = (result.body() != null) ? ACTUAL : 0;
			this.starts.add(new Start(this.time.nanoTime(), usage));
			CompletableFuture<CallResult> future = new CompletableFuture<>();
			if (latency.isZero()) {
				future.complete(result);
			}
			else {
				this.time.scheduler().schedule(() -> future.complete(result), latency.toNanos(), TimeUnit.NANOSECONDS);
			}
			return future;
		});
	}

	/**
	 * A call like the AsyncApiClient's: its first attempt is refused with 429 and
	 * {@code Retry-After}, reported to the executor as it arrives, and it retries after.
	 */
	private TaskRequest.Builder retryingCall(Duration retryAfter) {
		return TaskRequest.ofMono(() -> Mono.deferContextual((context) -> {
			ResponseObserver observer = ResponseObserver.from(context);
			return Mono.delay(Duration.ofMillis(10), this.time.scheduler())
				.doOnNext((tick) -> observer.onResponse(429,
						Map.of("Retry-After", String.valueOf(retryAfter.toSeconds()))))
				.then(Mono.delay(retryAfter, this.time.scheduler()))
				.thenReturn(new CallResult(200, Map.of(), usageBody(ACTUAL)));
		}));
	}

	private List<NetworkRequestEvent> submitMany(Executor executor, int calls, long estimate, Duration latency) {
		List<NetworkRequestEvent> events = new ArrayList<>();
		for (int i = 0; i < calls; i++) {
			events.add(executor
				.submitTask(call(new CallResult(200, Map.of(), usageBody(ACTUAL)), latency).numApiTokensNeeded(estimate)
					.build()));
		}
		return events;
	}

	private static Map<String, Object> usageBody(long totalTokens) {
		return Map.of("id", "chat-1", "usage", Map.of("total_tokens", totalTokens));
	}

	private void runUntilDone(List<NetworkRequestEvent> events) {
		for (int step = 0; step < 100_000 && events.stream().anyMatch((event) -> !event.isTerminal()); step++) {
			this.time.advance(Duration.ofMillis(5));
		}
		assertThat(events).allSatisfy((event) -> assertThat(event.isTerminal()).isTrue());
	}

	private List<Long> startTimes() {
		return this.starts.stream().map(Start::nanos).sorted().toList();
	}

	/**
	 * Actual tokens per second from the 20th call on, past the first estimates made
	 * before any usage was known.
	 */
	private double steadyTokenRate() {
		List<Start> sorted = this.starts.stream().sorted(Comparator.comparingLong(Start::nanos)).toList();
		Start first = sorted.get(19);
		Start last = sorted.get(sorted.size() - 1);
		long tokens = sorted.subList(20, sorted.size()).stream().mapToLong(Start::tokens).sum();
		return tokens / ((last.nanos() - first.nanos()) / 1e9);
	}

	private void assertWithinBound(@Nullable BucketSettings shape, long slack) {
		for (Duration window : WINDOWS) {
			assertThat(maxTokensInWindow(window)).as("actual tokens in any %s window", window)
				.isLessThanOrEqualTo((long) Math.floor(shape.maxTokensIn(window)) + slack);
		}
	}

	private long maxTokensInWindow(Duration window) {
		return SlidingWindows.busiest(this.starts, Start::nanos, Start::tokens, window);
	}

	record Start(long nanos, long tokens) {
	}

	/**
	 * A failure describing a refused response, as the client's exceptions do.
	 */
	static final class Refused extends RuntimeException implements ResponseDetails {

		private final Map<String, String> headers;

		Refused(Map<String, String> headers) {
			super("429 Too Many Requests");
			this.headers = headers;
		}

		@Override
		public Integer statusCode() {
			return 429;
		}

		@Override
		public Map<String, String> responseHeaders() {
			return this.headers;
		}

		@Override
		public @Nullable String responseBodyExcerpt() {
			return null;
		}

	}

}
