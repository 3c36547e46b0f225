package io.lionfuncs.network.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static io.lionfuncs.network.client.AsyncApiClientTests.failure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the retries of {@link AsyncApiClient} against a real HTTP server: what is
 * retried per method, backoff, and {@code Retry-After} in both formats. Gaps between
 * attempts are the server's recorded arrival times, checked against lower bounds only.
 */
class AsyncApiClientRetryTests {

	private static final Duration BLOCK = Duration.ofSeconds(20);

	private final MockWebServer server = new MockWebServer();

	private final RecordingDispatcher dispatcher = new RecordingDispatcher();

	private AsyncApiClient client;

	@BeforeEach
	void start() throws Exception {
		this.server.setDispatcher(this.dispatcher);
		this.server.start();
	}

	@AfterEach
	void stop() {
		if (this.client != null) {
			this.client.close();
		}
		this.server.close();
	}

	private AsyncApiClient client(RetrySettings settings) {
		return client(Retry.of("test", settings.toRetryConfig()), Clock.systemUTC());
	}

	private AsyncApiClient client(Retry retry, Clock clock) {
		this.client = AsyncApiClient.builder()
			.baseUrl("http://127.0.0.1:" + this.server.getPort())
			.retry(retry)
			.clock(clock)
			.build();
		return this.client;
	}

	private static RetrySettings.Builder fast() {
		return RetrySettings.builder().baseDelay(Duration.ofMillis(10)).maxDelay(Duration.ofSeconds(5)).jitter(false);
	}

	private void respond(int code) {
		this.dispatcher.enqueue(new MockResponse.Builder().code(code).body("status " + code).build());
	}

	private void respond(int code, String retryAfter) {
		this.dispatcher
			.enqueue(new MockResponse.Builder().code(code).setHeader("Retry-After", retryAfter).body("wait").build());
	}

	@Test
	void postIsNotRetriedOnServerErrors() {
		respond(500);
		respond(502);
		respond(503);
		AsyncApiClient client = client(fast().build());

		for (int i = 0; i < 3; i++) {
			assertThat(failure(client.request(ApiRequest.post("/orders").json("{}").build())))
				.isInstanceOf(ServerException.class);
		}

		assertThat(this.dispatcher.count()).as("one attempt per call").isEqualTo(3);
	}

	@Test
	void postIsRetriedOnRateLimits() {
		respond(429);
		respond(429);
		respond(201);

		Object body = client(fast().build()).request(ApiRequest.post("/orders").json("{}").build()).block(BLOCK);

		assertThat(body).isEqualTo("status 201");
		assertThat(this.dispatcher.count()).isEqualTo(3);
	}

	@Test
	void getIsRetriedOnBadGatewayUnavailableAndGatewayTimeoutButNotOnInternalError() {
		respond(502);
		respond(503);
		respond(504);
		respond(200);
		respond(500);
		AsyncApiClient client = client(fast().build());

		assertThat(client.request("GET", "/items").block(BLOCK)).isEqualTo("status 200");
		assertThat(this.dispatcher.count()).isEqualTo(4);
		assertThat(failure(client.request("GET", "/items"))).isInstanceOf(ServerException.class);
		assertThat(this.dispatcher.count()).isEqualTo(5);
	}

	@Test
	void clientErrorsAreNeverRetried() {
		respond(404);
		respond(400);
		AsyncApiClient client = client(fast().build());

		assertThat(failure(client.request("GET", "/missing"))).isInstanceOf(ResourceNotFoundException.class);
		assertThat(failure(client.request("PUT", "/bad"))).isExactlyInstanceOf(ApiClientException.class);
		assertThat(this.dispatcher.count()).isEqualTo(2);
	}

	@Test
	void retriesStopAfterMaxRetriesWithTheLastFailure() {
		for (int i = 0; i < 5; i++) {
			respond(503);
		}

		ApiClientException ex = failure(client(fast().maxRetries(2).build()).request("GET", "/down"));

		assertThat(ex).isInstanceOf(ServerException.class);
		assertThat(ex.statusCode()).isEqualTo(503);
		assertThat(this.dispatcher.count()).isEqualTo(3);
	}

	@Test
	void backoffGrowsBetweenAttempts() {
		respond(503);
		respond(503);
		respond(200);

		client(fast().baseDelay(Duration.ofMillis(100)).backoffFactor(3).build()).request("GET", "/flaky").block(BLOCK);

		assertThat(this.dispatcher.count()).isEqualTo(3);
		assertThat(this.dispatcher.gapBefore(1)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
		assertThat(this.dispatcher.gapBefore(2)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
	}

	@Test
	void retryAfterInSecondsIsHonouredEvenForPostOn503() {
		respond(503, "1");
		respond(200);

		Object body = client(fast().build()).request(ApiRequest.post("/orders").json("{}").build()).block(BLOCK);

		assertThat(body).isEqualTo("status 200");
		assertThat(this.dispatcher.count()).isEqualTo(2);
		assertThat(this.dispatcher.gapBefore(1)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
	}

	@Test
	void retryAfterAsHttpDateIsHonoured() {
		Instant now = Instant.parse("2030-01-01T00:00:00Z");
		respond(429, DateTimeFormatter.RFC_1123_DATE_TIME.format(now.plusSeconds(1).atOffset(ZoneOffset.UTC)));
		respond(200);

		Object body = client(Retry.of("test", fast().build().toRetryConfig()), Clock.fixed(now, ZoneOffset.UTC))
			.request("GET", "/limited")
			.block(BLOCK);

		assertThat(body).isEqualTo("status 200");
		assertThat(this.dispatcher.gapBefore(1)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
	}

	@Test
	void retryAfterLongerThanMaxDelayFailsAtOnceWithTheDelay() {
		respond(429, "60");

		ApiClientException ex = failure(client(fast().build()).request("GET", "/limited"));

		assertThat(ex).isInstanceOf(RateLimitException.class);
		assertThat(ex.retryAfter()).isEqualTo(Duration.ofSeconds(60));
		assertThat(this.dispatcher.count()).isEqualTo(1);
	}

	@Test
	void retryAfterIsEnforcedEvenWhenTheRetrysOwnDelayIsShorter() {
		respond(429, "1");
		respond(200);
		Retry ownRetry = Retry.of("own", RetryConfig.custom()
			.maxAttempts(2)
			.waitDuration(Duration.ofMillis(10))
			.retryOnException(ApiFailures::isRetryable)
			.build());

		client(ownRetry, Clock.systemUTC()).request("GET", "/limited").block(BLOCK);

		assertThat(this.dispatcher.count()).isEqualTo(2);
		assertThat(this.dispatcher.gapBefore(1)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
	}

	@Test
	void noRetryWithoutARetry() {
		respond(503);
		this.client = AsyncApiClient.builder().baseUrl("http://127.0.0.1:" + this.server.getPort()).build();

		assertThat(failure(this.client.request("GET", "/down"))).isInstanceOf(ServerException.class);
		assertThat(this.dispatcher.count()).isEqualTo(1);
	}

}
