package io.lionfuncs.network.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreaker.State;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.retry.Retry;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import io.lionfuncs.testsupport.MutableClock;
import org.junit.jupiter.api.Test;

import static io.lionfuncs.network.client.AsyncApiClientTests.failure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the circuit breaker of {@link AsyncApiClient} against a real HTTP server,
 * its recovery time on a clock the test moves.
 */
class AsyncApiClientCircuitBreakerTests {

	private static final Duration BLOCK = Duration.ofSeconds(10);

	private final MockWebServer server = new MockWebServer();

	private final RecordingDispatcher dispatcher = new RecordingDispatcher();

	private final MutableClock clock = new MutableClock();

	private final List<State> statesSeenByServer = new CopyOnWriteArrayList<>();

	private CircuitBreaker breaker;

	private AsyncApiClient client;

	@BeforeEach
	void start() throws Exception {
		this.server.setDispatcher(this.dispatcher);
		this.server.start();
		this.breaker = breaker(CircuitBreakerSettings.builder()
			.failureThreshold(3)
			.recoveryTime(Duration.ofSeconds(30))
			.halfOpenMaxCalls(1)
			.build());
		this.dispatcher.onArrival((request) -> this.statesSeenByServer.add(this.breaker.getState()));
		this.client = client(null);
	}

	@AfterEach
	void stop() {
		this.client.close();
		this.server.close();
	}

	private CircuitBreaker breaker(CircuitBreakerSettings settings) {
		CircuitBreakerConfig config = CircuitBreakerConfig.from(settings.toCircuitBreakerConfig())
			.clock(this.clock)
			.build();
		return CircuitBreaker.of("lionfuncs-test", config);
	}

	private AsyncApiClient client(Retry retry) {
		return AsyncApiClient.builder()
			.baseUrl("http://127.0.0.1:" + this.server.getPort())
			.circuitBreaker(this.breaker)
			.retry(retry)
			.build();
	}

	private void respond(int code, int times) {
		for (int i = 0; i < times; i++) {
			this.dispatcher.enqueue(new MockResponse.Builder().code(code).body("status " + code).build());
		}
	}

	private void openBreaker() {
		respond(500, 3);
		for (int i = 0; i < 3; i++) {
			assertThat(failure(this.client.request("GET", "/items"))).isInstanceOf(ServerException.class);
		}
		assertThat(this.breaker.getState()).isEqualTo(State.OPEN);
	}

	@Test
	void opensAfterTheThresholdAndThenFailsFastWithoutSending() {
		openBreaker();

		ApiClientException ex = failure(this.client.request("GET", "/items"));

		assertThat(ex).isInstanceOf(CircuitBreakerOpenException.class);
		assertThat(((CircuitBreakerOpenException) ex).circuitBreakerName()).isEqualTo("lionfuncs-test");
		assertThat(ex.getMessage()).isEqualTo("Circuit breaker 'lionfuncs-test' is OPEN: GET http://127.0.0.1:"
				+ this.server.getPort() + "/items was not sent");
		assertThat(ex.statusCode()).isNull();
		assertThat(this.dispatcher.count()).isEqualTo(3);
	}

	@Test
	void halfOpensAfterTheRecoveryTimeAndClosesOnSuccess() {
		openBreaker();
		this.clock.advance(Duration.ofSeconds(29));
		assertThat(failure(this.client.request("GET", "/items"))).isInstanceOf(CircuitBreakerOpenException.class);
		respond(200, 2);

		this.clock.advance(Duration.ofSeconds(1));
		assertThat(failure(this.client.request("GET", "/items"))).as("still open at exactly the recovery time")
			.isInstanceOf(CircuitBreakerOpenException.class);
		this.clock.advance(Duration.ofMillis(1));
		assertThat(this.client.request("GET", "/items").block(BLOCK)).isEqualTo("status 200");

		assertThat(this.statesSeenByServer).containsExactly(State.CLOSED, State.CLOSED, State.CLOSED,
				State.HALF_OPEN);
		assertThat(this.breaker.getState()).isEqualTo(State.CLOSED);
		assertThat(this.client.request("GET", "/items").block(BLOCK)).isEqualTo("status 200");
	}

	@Test
	void aFailedTrialCallOpensTheBreakerAgain() {
		openBreaker();
		respond(503, 1);

		this.clock.advance(Duration.ofSeconds(30).plusMillis(1));
		assertThat(failure(this.client.request("GET", "/items"))).isInstanceOf(ServerException.class);

		assertThat(this.breaker.getState()).isEqualTo(State.OPEN);
		assertThat(failure(this.client.request("GET", "/items"))).isInstanceOf(CircuitBreakerOpenException.class);
		assertThat(this.dispatcher.count()).isEqualTo(4);
	}

	@Test
	void retriesStopWhenTheBreakerOpens() {
		respond(503, 10);
		Retry retry = Retry.of("test", RetrySettings.builder()
			.maxRetries(5)
			.baseDelay(Duration.ofMillis(10))
			.jitter(false)
			.build()
			.toRetryConfig());
		try (AsyncApiClient retrying = client(retry)) {

			ApiClientException ex = failure(retrying.request("GET", "/items"));

			assertThat(ex).isInstanceOf(CircuitBreakerOpenException.class);
			assertThat(ex.getCause()).isInstanceOf(ServerException.class);
			assertThat(((ServerException) ex.getCause()).statusCode()).isEqualTo(503);
		}
		assertThat(this.dispatcher.count()).as("attempts until the breaker opened").isEqualTo(3);
		assertThat(this.breaker.getState()).isEqualTo(State.OPEN);
	}

	@Test
	void clientErrorsAndRateLimitsDoNotOpenTheBreaker() {
		respond(404, 3);
		respond(429, 3);

		for (int i = 0; i < 6; i++) {
			assertThat(failure(this.client.request("GET", "/items"))).isNotInstanceOf(CircuitBreakerOpenException.class);
		}

		assertThat(this.breaker.getState()).isEqualTo(State.CLOSED);
		assertThat(this.breaker.getMetrics().getNumberOfFailedCalls()).isZero();
	}

	@Test
	void onlyConsecutiveFailuresOpenTheBreaker() {
		respond(500, 2);
		respond(200, 1);
		respond(500, 2);

		for (int i = 0; i < 5; i++) {
			this.client.request("GET", "/items").onErrorComplete().block(BLOCK);
		}

		assertThat(this.breaker.getState()).isEqualTo(State.CLOSED);
	}

	@Test
	void breakerBuiltFromSettingsIsNamedAfterTheClient() {
		try (AsyncApiClient named = AsyncApiClient.builder()
			.circuitBreaker(CircuitBreakerSettings.defaults())
			.retry(RetrySettings.defaults())
			.name("openai")
			.baseUrl("http://127.0.0.1:" + this.server.getPort())
			.build()) {
			assertThat(named.getCircuitBreaker().getName()).isEqualTo("lionfuncs-openai");
			assertThat(named.getRetry().getName()).isEqualTo("lionfuncs-openai");
			assertThat(named.getRetry().getRetryConfig().getMaxAttempts()).isEqualTo(4);
		}
	}

}
