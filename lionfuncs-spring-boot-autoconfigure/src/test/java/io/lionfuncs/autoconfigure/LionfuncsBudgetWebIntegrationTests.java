package io.lionfuncs.autoconfigure;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.client.ApiRequest;
import io.lionfuncs.network.client.AsyncApiClient;
import io.lionfuncs.testsupport.LocalWebTestClient;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The budgets in a running application calling a fake LLM provider: usage true-up,
 * provider-reported limits and a pause on 429 show in {@code /actuator/lionfuncs} and
 * in the meters.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=lionfuncs,metrics",
				"lionfuncs.executor.api-tokens-rate=90000", "lionfuncs.executor.shutdown-timeout=0s",
				"lionfuncs.client.retry.enabled=false" })
class LionfuncsBudgetWebIntegrationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final MockWebServer provider = startProvider();

	@LocalServerPort
	private int port;

	private WebTestClient client;

	@Autowired
	private LionfuncsClients clients;

	@DynamicPropertySource
	static void providerUrl(DynamicPropertyRegistry registry) {
		registry.add("lionfuncs.client.base-url", () -> provider.url("/v1").toString());
	}

	private static MockWebServer startProvider() {
		MockWebServer server = new MockWebServer();
		server.setDispatcher(new Dispatcher() {

			@Override
			public MockResponse dispatch(RecordedRequest request) {
				if (request.getTarget().endsWith("/limited")) {
					return new MockResponse.Builder().code(429).addHeader("Retry-After", "30").build();
				}
				return new MockResponse.Builder().code(200)
					.addHeader("Content-Type", "application/json")
					.addHeader("x-ratelimit-limit-tokens", "90000")
					.addHeader("x-ratelimit-remaining-tokens", "5000")
					.addHeader("x-ratelimit-reset-tokens", "57s")
					.body("{\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":30,\"total_tokens\":40}}")
					.build();
			}

		});
		try {
			server.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		return server;
	}

	@AfterAll
	static void stopProvider() {
		provider.close();
	}

	@BeforeEach
	void createClient() {
		this.client = LocalWebTestClient.create(this.port);
	}

	@Test
	void budgetsShowInTheEndpointAndMeters() throws Exception {
		JsonNode idle = lionfuncs().get("executors").get("default");
		assertThat(idle.has("pausedUntil")).isTrue();
		assertThat(idle.get("pausedUntil").isNull()).isTrue();
		assertThat(idle.get("budget").get("pause").get("paused").asBoolean()).isFalse();
		assertThat(metric("lionfuncs.executor.paused")).isZero();

		Executor executor = this.clients.executor("default");
		AsyncApiClient api = this.clients.client("default");
		for (int i = 0; i < 3; i++) {
			NetworkRequestEvent event = executor
				.submitTask(api.task(ApiRequest.post("/chat").json("{}").build()).numApiTokensNeeded(100).build())
				.completion()
				.get(WAIT.toSeconds(), TimeUnit.SECONDS);
			assertThat(event.getApiTokensUsed()).isEqualTo(40);
		}
		NetworkRequestEvent limited = executor.submitTask(api.task(ApiRequest.post("/limited").build()).build())
			.completion()
			.get(WAIT.toSeconds(), TimeUnit.SECONDS);
		assertThat(limited.getStatus()).isEqualTo(RequestStatus.FAILED);

		JsonNode paused = lionfuncs().get("executors").get("default");
		Instant until = Instant.parse(paused.get("pausedUntil").asString());
		assertThat(until).isAfter(Instant.now().plusSeconds(20));
		JsonNode budget = paused.get("budget");
		assertThat(budget.get("pause").get("paused").asBoolean()).isTrue();
		assertThat(budget.get("pause").get("reason").asString()).isEqualTo("429 Too Many Requests (Retry-After)");
		assertThat(budget.get("pause").get("rateLimitedResponses").asLong()).isEqualTo(1);
		JsonNode usage = budget.get("usage");
		assertThat(usage.get("calls").asLong()).isEqualTo(3);
		assertThat(usage.get("estimatedApiTokens").asLong()).isEqualTo(300);
		assertThat(usage.get("actualApiTokens").asLong()).isEqualTo(120);
		assertThat(usage.get("actualToEstimated").asDouble()).isEqualTo(0.4);
		assertThat(usage.get("refundedApiTokens").asLong()).isEqualTo(180);
		JsonNode tokens = budget.get("providerLimits").get("tokens");
		assertThat(tokens.get("source").asString()).isEqualTo("openai");
		assertThat(tokens.get("remaining").asLong()).isEqualTo(5000);
		assertThat(tokens.get("limit").asLong()).isEqualTo(90000);
		assertThat(Instant.parse(tokens.get("resetAt").asString())).isAfter(Instant.now());
		assertThat(metric("lionfuncs.executor.paused")).isEqualTo(1.0);
		assertThat(metric("lionfuncs.executor.pauses")).isEqualTo(1.0);
		assertThat(metric("lionfuncs.executor.api.tokens.estimated")).isEqualTo(300.0);
		assertThat(metric("lionfuncs.executor.api.tokens.actual")).isEqualTo(120.0);
	}

	private JsonNode lionfuncs() {
		return this.client.get()
			.uri("/actuator/lionfuncs")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
	}

	private double metric(String name) {
		JsonNode body = this.client.get()
			.uri("/actuator/metrics/{name}?tag=executor:default", name)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
		return body.get("measurements").get(0).get("value").asDouble();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
