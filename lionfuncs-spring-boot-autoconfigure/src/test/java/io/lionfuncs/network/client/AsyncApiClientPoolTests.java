package io.lionfuncs.network.client;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.resilience4j.retry.Retry;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

import static io.lionfuncs.network.client.AsyncApiClientTests.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

/**
 * The connection pool a client builds never fails a call by itself: more requests than
 * connections wait for one within the timeout, directly or through an executor whose
 * concurrency is above the pool's size; a pool that refuses a request anyway says it was
 * not sent, so it is retried like a refused connection.
 */
class AsyncApiClientPoolTests {

	private static final Duration BLOCK = Duration.ofSeconds(30);

	private final AtomicInteger inFlight = new AtomicInteger();

	private final AtomicInteger mostInFlight = new AtomicInteger();

	private final Sinks.Empty<Void> gate = Sinks.empty();

	private LoopResources loops;

	private DisposableServer server;

	private AsyncApiClient client;

	@BeforeEach
	void start() {
		this.loops = LoopResources.create("pool-tests-server", 1, true);
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.runOn(this.loops)
			.route((routes) -> routes.route((request) -> true, (request, response) -> {
				int now = this.inFlight.incrementAndGet();
				this.mostInFlight.accumulateAndGet(now, Math::max);
				Mono<Void> wait = request.uri().startsWith("/held") ? this.gate.asMono()
						: Mono.delay(Duration.ofMillis(20)).then();
				return request.receive()
					.then(wait)
					.then(Mono.fromRunnable(this.inFlight::decrementAndGet))
					.then(response.header("Content-Type", "text/plain").sendString(Mono.just("ok")).then());
			}))
			.bindNow();
	}

	@AfterEach
	void stop() {
		if (this.client != null) {
			this.client.close();
		}
		this.gate.tryEmitEmpty();
		this.server.disposeNow();
		this.loops.disposeLater().block(BLOCK);
	}

	private String baseUrl() {
		return "http://127.0.0.1:" + this.server.port();
	}

	@Test
	void twoHundredDirectCallsWaitForTheDefaultPoolsConnections() {
		this.client = AsyncApiClient.builder().baseUrl(baseUrl()).build();
		int connections = this.client.getConnectionProvider().maxConnections();

		Map<String, Integer> outcomes = outcomes(
				Flux.range(0, 200).flatMap((i) -> outcome(this.client.request("GET", "/items/{i}", i)), 200));

		assertThat(outcomes).containsExactly(entry("ok", 200));
		assertThat(this.mostInFlight.get()).as("the other calls waited for one of the %d connections", connections)
			.isLessThanOrEqualTo(connections);
	}

	@Test
	void anExecutorAllowingMoreCallsThanConnectionsLosesNone() throws Exception {
		this.client = AsyncApiClient.builder().baseUrl(baseUrl()).build();
		Executor executor = Executor.builder()
			.settings(ExecutorSettings.builder().concurrencyLimit(64).requestsRate(100_000).queueCapacity(500).build())
			.build();
		executor.start();
		try {
			List<NetworkRequestEvent> events = Flux.range(0, 500)
				.map((i) -> this.client.submitTask(executor, ApiRequest.post("/items/{i}", i).json("{}").build()))
				.collectList()
				.block(BLOCK);
			Map<String, Integer> outcomes = new TreeMap<>();
			for (NetworkRequestEvent event : events) {
				event.completion().get(30, TimeUnit.SECONDS);
				outcomes.merge((event.getStatus() == RequestStatus.COMPLETED) ? "ok"
						: event.getErrorType() + ": " + event.getErrorMessage(), 1, Integer::sum);
			}
			assertThat(outcomes).containsExactly(entry("ok", 500));
			assertThat(this.mostInFlight.get()).isLessThanOrEqualTo(this.client.getConnectionProvider().maxConnections());
		}
		finally {
			executor.stop(false);
		}
	}

	@Test
	void aPoolThatRefusesARequestSaysItWasNotSentAndARetrySendsItLater() {
		Retry retry = Retry.of("pool", RetrySettings.builder()
			.maxRetries(3)
			.baseDelay(Duration.ofMillis(50))
			.jitter(false)
			.build()
			.toRetryConfig());
		this.client = AsyncApiClient.builder()
			.baseUrl(baseUrl())
			.connectionProviderCustomizer((pool) -> pool.maxConnections(1).pendingAcquireMaxCount(0))
			.build();
		AsyncApiClient retrying = AsyncApiClient.builder()
			.baseUrl(baseUrl())
			.connectionProvider(this.client.getConnectionProvider())
			.retry(retry)
			.build();
		Mono<Object> held = this.client.request("GET", "/held").cache();
		held.subscribe();
		await().atMost(BLOCK).until(() -> this.inFlight.get() == 1);

		ApiClientException refused = failure(this.client.request(ApiRequest.post("/items").json("{}").build()));
		AtomicInteger retries = new AtomicInteger();
		retry.getEventPublisher().onRetry((event) -> retries.incrementAndGet());
		Mono<Object> later = retrying.request(ApiRequest.post("/items").json("{}").build()).cache();
		later.subscribe();
		await().atMost(BLOCK).until(() -> retries.get() >= 1);
		this.gate.tryEmitEmpty();

		assertThat(refused).isExactlyInstanceOf(ApiConnectionException.class);
		assertThat(((ApiConnectionException) refused).isConnectFailure()).isTrue();
		assertThat(refused.getMessage()).contains("was not sent: the connection pool refused it");
		assertThat(ApiFailures.isRetryable(refused)).as("a POST that never left may be retried").isTrue();
		assertThat(held.block(BLOCK)).isEqualTo("ok");
		assertThat(later.block(BLOCK)).isEqualTo("ok");
		retrying.close();
	}

	@Test
	void aRequestThatWaitedInVainForAConnectionSaysItWasNotSent() {
		this.client = AsyncApiClient.builder()
			.baseUrl(baseUrl())
			.connectionProviderCustomizer(
					(pool) -> pool.maxConnections(1).pendingAcquireTimeout(Duration.ofMillis(200)))
			.build();
		this.client.request("GET", "/held").subscribe();
		await().atMost(BLOCK).until(() -> this.inFlight.get() == 1);

		ApiClientException ex = failure(this.client.request(ApiRequest.post("/items").json("{}").build()));

		assertThat(ex).isExactlyInstanceOf(ApiTimeoutException.class);
		assertThat(((ApiTimeoutException) ex).isConnectFailure()).isTrue();
		assertThat(ex.getMessage()).contains("was not sent: no pooled connection became free in time");
	}

	private static Mono<String> outcome(Mono<?> call) {
		return call.thenReturn("ok")
			.onErrorResume((ex) -> Mono.just(ex.getClass().getSimpleName() + ": " + ex.getMessage()));
	}

	private static Map<String, Integer> outcomes(Flux<String> outcomes) {
		Map<String, Integer> counts = new TreeMap<>();
		outcomes.doOnNext((outcome) -> counts.merge(outcome, 1, Integer::sum)).blockLast(BLOCK);
		return counts;
	}

}
