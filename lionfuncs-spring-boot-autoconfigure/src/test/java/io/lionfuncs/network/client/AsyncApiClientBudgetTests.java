package io.lionfuncs.network.client;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.budget.BudgetSettings;
import io.lionfuncs.network.budget.BudgetStats;
import io.lionfuncs.network.budget.ExecutorPause;
import io.lionfuncs.network.ResponseObserver;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.util.context.Context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The executor's budgets with real responses from a fake LLM provider: the client
 * reports each attempt, so a 429 that the client retries inside one task still pauses
 * the executor's other calls at once; usage bodies and rate-limit headers reach the
 * budget.
 */
class AsyncApiClientBudgetTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	/** Clock tolerance between the executor's wall clock and the server's. */
	private static final Duration TOLERANCE = Duration.ofMillis(20);

	private final FakeProvider provider = new FakeProvider();

	private final MockWebServer server = new MockWebServer();

	private AsyncApiClient client;

	private Executor executor;

	@BeforeEach
	void start() throws Exception {
		this.server.setDispatcher(this.provider);
		this.server.start();
		this.client = AsyncApiClient.builder()
			.baseUrl("http://127.0.0.1:" + this.server.getPort())
			.retry(RetrySettings.builder().jitter(false).baseDelay(Duration.ofMillis(100)).build())
			.build();
	}

	@AfterEach
	void stop() {
		this.provider.releaseBlocked();
		if (this.executor != null) {
			this.executor.stop(false);
		}
		this.client.close();
		this.server.close();
	}

	@Test
	void rateLimitedAttemptPausesEveryQueuedCallUntilRetryAfter() throws Exception {
		List<ExecutorPause> pauses = new CopyOnWriteArrayList<>();
		CountDownLatch paused = new CountDownLatch(1);
		this.executor = Executor.builder()
			.settings(ExecutorSettings.builder().concurrencyLimit(2).requestsRate(1000).build())
			.pauseListener((pause) -> {
				pauses.add(pause);
				paused.countDown();
			})
			.build();
		this.executor.start();

		NetworkRequestEvent limited = this.client.submitTask(this.executor, ApiRequest.post("/v1/limited").build());
		NetworkRequestEvent blocker = this.client.submitTask(this.executor, ApiRequest.post("/v1/blocked").build());
		List<NetworkRequestEvent> queued = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			queued.add(this.client.submitTask(this.executor, ApiRequest.post("/v1/chat").json(Map.of("n", i)).build()));
		}
		assertThat(paused.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
		assertThat(limited.isTerminal()).as("the pause came from the attempt, the call still retries").isFalse();
		this.provider.releaseBlocked();
		await().atMost(WAIT).until(() -> queued.stream().allMatch(NetworkRequestEvent::isTerminal));
		await().atMost(WAIT).until(limited::isTerminal);

		ExecutorPause pause = pauses.get(0);
		assertThat(pause.duration()).isEqualTo(Duration.ofSeconds(2));
		assertThat(pause.reason()).isEqualTo("429 Too Many Requests (Retry-After)");
		assertThat(blocker.getStatus()).isEqualTo(RequestStatus.COMPLETED);
		assertThat(limited.getStatus()).isEqualTo(RequestStatus.COMPLETED);
		assertThat(queued).allSatisfy((event) -> assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED));
		Instant pauseEnd = pause.pausedUntil().minus(TOLERANCE);
		assertThat(this.provider.arrivals("/v1/chat")).as("none of the 50 arrived before the pause ended")
			.hasSize(50)
			.allSatisfy((arrival) -> assertThat(arrival).isAfterOrEqualTo(pauseEnd));
		assertThat(queued).allSatisfy((event) -> assertThat(event.getCallStartedAt()).isAfterOrEqualTo(pauseEnd));
		assertThat(this.provider.arrivals("/v1/limited")).hasSize(2);
		BudgetStats stats = this.executor.budgetStats();
		assertThat(stats.rateLimitedResponses()).as("each response read once").isEqualTo(1);
		assertThat(pauses).hasSize(1);
	}

	@Test
	void usageBodiesAndRateLimitHeadersReachTheBudget() throws Exception {
		this.executor = Executor.builder()
			.settings(ExecutorSettings.builder()
				.requestsRate(1000)
				.apiTokensRate(100_000.0)
				.budget(BudgetSettings.builder()
					.usageJsonPointers(List.of("/usage/input_tokens", "/usage/output_tokens"))
					.build())
				.build())
			.build();
		this.executor.start();

		List<NetworkRequestEvent> events = new ArrayList<>();
		for (int i = 0; i < 5; i++) {
			events.add(this.executor.submitTask(
					this.client.task(ApiRequest.post("/v1/messages").json(Map.of("n", i)).build())
						.numApiTokensNeeded(500)
						.build()));
		}
		for (NetworkRequestEvent event : events) {
			event.completion().get(WAIT.toSeconds(), TimeUnit.SECONDS);
		}

		assertThat(events).allSatisfy((event) -> assertThat(event.getApiTokensUsed()).isEqualTo(120));
		BudgetStats stats = this.executor.budgetStats();
		assertThat(stats.estimatedApiTokens()).isEqualTo(2500);
		assertThat(stats.actualApiTokens()).isEqualTo(600);
		assertThat(stats.providerLimits()).containsKeys("requests", "tokens");
		assertThat(stats.providerLimits().get("tokens").remaining()).isEqualTo(40_000);
		assertThat(stats.providerLimits().get("tokens").source()).isEqualTo("anthropic");
		assertThat(this.executor.apiTokensBucket().availableTokens())
			.as("lowered from 100,000 to what the provider reports, plus the refill since").isLessThan(50_000);
	}

	@Test
	void everyAttemptIsReportedToTheObserverInTheCallsContext() {
		List<String> reported = new CopyOnWriteArrayList<>();
		ResponseObserver observer = (status, headers) -> reported
			.add(status + " " + headers.get("x-ratelimit-remaining-requests"));

		ApiResponse<Object> response = this.client.exchange(ApiRequest.post("/v1/flaky").build())
			.contextWrite(Context.of(ResponseObserver.CONTEXT_KEY, observer))
			.block(WAIT);

		assertThat(response.status()).isEqualTo(200);
		assertThat(reported).containsExactly("503 0", "200 900");
	}

	/**
	 * A fake LLM provider: usage in every body, Anthropic rate-limit headers, a 429 with
	 * {@code Retry-After: 2} for the first call to {@code /v1/limited}, a 503 for the
	 * first call to {@code /v1/flaky}, and a
	 * {@code /v1/blocked} call that answers only when released.
	 */
	static final class FakeProvider extends Dispatcher {

		private final Map<String, List<Instant>> arrivals = new ConcurrentHashMap<>();

		private final AtomicInteger limitedCalls = new AtomicInteger();

		private final AtomicInteger flakyCalls = new AtomicInteger();

		private final CountDownLatch blocked = new CountDownLatch(1);

		@Override
		public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
			String path = request.getTarget();
			this.arrivals.computeIfAbsent(path, (key) -> new CopyOnWriteArrayList<>()).add(Instant.now());
			if (path.equals("/v1/limited") && this.limitedCalls.getAndIncrement() == 0) {
				return new MockResponse.Builder().code(429)
					.setHeader("Retry-After", "2")
					.setHeader("Content-Type", "application/json")
					.body("{\"error\":{\"type\":\"rate_limit_error\"}}")
					.build();
			}
			if (path.equals("/v1/flaky") && this.flakyCalls.getAndIncrement() == 0) {
				return new MockResponse.Builder().code(503)
					.setHeader("Retry-After", "0")
					.setHeader("x-ratelimit-remaining-requests", "0")
					.build();
			}
			if (path.equals("/v1/blocked")) {
				this.blocked.await(30, TimeUnit.SECONDS);
			}
			return new MockResponse.Builder().code(200)
				.setHeader("Content-Type", "application/json")
				.setHeader("anthropic-ratelimit-requests-remaining", "900")
				.setHeader("x-ratelimit-remaining-requests", "900")
				.setHeader("anthropic-ratelimit-tokens-limit", "100000")
				.setHeader("anthropic-ratelimit-tokens-remaining", "40000")
				.setHeader("anthropic-ratelimit-tokens-reset", Instant.now().plusSeconds(30).toString())
				.body("{\"id\":\"msg\",\"usage\":{\"input_tokens\":20,\"output_tokens\":100}}")
				.build();
		}

		List<Instant> arrivals(String path) {
			return this.arrivals.getOrDefault(path, List.of());
		}

		void releaseBlocked() {
			this.blocked.countDown();
		}

	}

}
