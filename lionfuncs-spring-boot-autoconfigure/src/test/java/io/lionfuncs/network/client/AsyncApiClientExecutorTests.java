package io.lionfuncs.network.client;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.Redactor;
import io.lionfuncs.network.RequestStatus;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for running {@link AsyncApiClient} requests through an {@link Executor}: the
 * call is rate-limited and its event records the request and the response or error.
 */
class AsyncApiClientExecutorTests {

	private static final Duration BLOCK = Duration.ofSeconds(10);

	private final MockWebServer server = new MockWebServer();

	private AsyncApiClient client;

	private Executor executor;

	@BeforeEach
	void start() throws Exception {
		this.server.start();
		this.client = AsyncApiClient.builder()
			.baseUrl("http://127.0.0.1:" + this.server.getPort())
			.defaultHeader("X-Api-Key", "key-secret")
			.defaultHeader("User-Agent", "lionfuncs-test")
			.build();
	}

	@AfterEach
	void stop() {
		if (this.executor != null) {
			this.executor.stop(false);
		}
		this.client.close();
		this.server.close();
	}

	private Executor executor(ExecutorSettings.Builder settings) {
		this.executor = Executor.builder().settings(settings.build()).build();
		this.executor.start();
		return this.executor;
	}

	private static NetworkRequestEvent awaitTerminal(NetworkRequestEvent event) throws Exception {
		return event.completion().get(10, TimeUnit.SECONDS);
	}

	@Test
	void successfulCallIsRecordedWithStatusHeadersAndBody() throws Exception {
		this.server.enqueue(new MockResponse.Builder().code(200)
			.setHeader("Content-Type", "application/json")
			.setHeader("x-ratelimit-remaining-tokens", "9000")
			.setHeader("Set-Cookie", "session=cookie-secret")
			.body("{\"usage\":{\"total_tokens\":12}}")
			.build());
		Map<String, Object> payload = Map.of("prompt", "hi");
		Executor executor = executor(ExecutorSettings.builder().requestsRate(100));

		NetworkRequestEvent event = this.client
			.submit(executor, ApiRequest.post("/v1/chat/{model}", "small").json(payload).build())
			.block(BLOCK);
		awaitTerminal(event);

		assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED);
		assertThat(event.getMethod()).isEqualTo("POST");
		assertThat(event.getEndpointUrl()).isEqualTo("http://127.0.0.1:" + this.server.getPort() + "/v1/chat/{model}");
		assertThat(event.getHeaders()).containsEntry("X-Api-Key", Redactor.MASK)
			.containsEntry("User-Agent", "lionfuncs-test");
		assertThat(event.getPayload()).isSameAs(payload);
		assertThat(event.getMetadata()).containsEntry("client", "default");
		assertThat(event.getResponseStatusCode()).isEqualTo(200);
		assertThat(event.getResponseHeaders()).containsEntry("x-ratelimit-remaining-tokens", "9000")
			.containsEntry("Set-Cookie", Redactor.MASK);
		assertThat(((JsonNode) event.getResponseBody()).at("/usage/total_tokens").asInt()).isEqualTo(12);
		assertThat(event.toString()).doesNotContain("secret");
		assertThat(this.server.takeRequest(10, TimeUnit.SECONDS).getTarget()).isEqualTo("/v1/chat/small");
	}

	@Test
	void failedCallIsRecordedWithTheResponseDetails() throws Exception {
		this.server.enqueue(new MockResponse.Builder().code(404)
			.setHeader("X-Request-Id", "req-9")
			.body("{\"error\":\"no such model\"}")
			.build());
		Executor executor = executor(ExecutorSettings.builder().requestsRate(100));

		NetworkRequestEvent event = awaitTerminal(
				this.client.submitTask(executor, ApiRequest.get("/v1/models/{id}", "nope").build()));

		assertThat(event.getStatus()).isEqualTo(RequestStatus.FAILED);
		assertThat(event.getErrorType()).isEqualTo(ResourceNotFoundException.class.getName());
		assertThat(event.getErrorMessage())
			.isEqualTo("GET http://127.0.0.1:" + this.server.getPort() + "/v1/models/{id} failed with 404 Not Found");
		assertThat(event.getResponseStatusCode()).isEqualTo(404);
		assertThat(event.getResponseHeaders()).containsEntry("X-Request-Id", "req-9");
		assertThat(event.getResponseBody()).isEqualTo("{\"error\":\"no such model\"}");
		assertThat(event.getErrorDetails()).doesNotContain("key-secret");
	}

	@Test
	void callsWaitForTheExecutorsRateLimit() throws Exception {
		this.server.enqueue(new MockResponse.Builder().body("first").build());
		this.server.enqueue(new MockResponse.Builder().body("second").build());
		Executor executor = executor(
				ExecutorSettings.builder().requestsRate(1).requestsPeriod(Duration.ofHours(1)).requestsBucketCapacity(1L));

		NetworkRequestEvent first = this.client.submitTask(executor, ApiRequest.get("/a").build());
		NetworkRequestEvent second = this.client.submitTask(executor, ApiRequest.get("/b").build());
		awaitTerminal(first);

		assertThat(first.getStatus()).isEqualTo(RequestStatus.COMPLETED);
		assertThat(first.getResponseBody()).isEqualTo("first");
		assertThat(second.isTerminal()).isFalse();
		assertThat(second.getCallStartedAt()).as("no token for the second call yet").isNull();
		executor.stop(false);
		assertThat(second.getStatus()).isEqualTo(RequestStatus.CANCELLED);
		assertThat(this.server.getRequestCount()).isEqualTo(1);
	}

	@Test
	void apiTokensCanBeReservedOnTheTask() throws Exception {
		this.server.enqueue(new MockResponse.Builder().body("ok").build());
		Executor executor = executor(ExecutorSettings.builder().requestsRate(100).apiTokensRate(1000.0));

		NetworkRequestEvent event = executor
			.submitTask(this.client.task(ApiRequest.get("/a").build()).numApiTokensNeeded(400).build());
		awaitTerminal(event);

		assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED);
		assertThat(event.getNumApiTokensNeeded()).isEqualTo(400);
		await().atMost(BLOCK).until(() -> executor.apiTokensBucket().availableTokens() < 1000);
	}

}
