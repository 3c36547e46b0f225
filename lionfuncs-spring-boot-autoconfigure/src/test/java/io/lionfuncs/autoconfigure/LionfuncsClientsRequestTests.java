package io.lionfuncs.autoconfigure;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.RequestStatusListener;
import io.lionfuncs.network.client.ApiConnectionException;
import io.lionfuncs.network.client.ApiRequest;
import io.lionfuncs.network.client.RateLimitException;
import io.lionfuncs.network.client.ServerException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link LionfuncsClients#request}: the body of a call through a named or the
 * default client, or the call's own typed exception, against a real local server.
 */
class LionfuncsClientsRequestTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	private final MockWebServer server = new MockWebServer();

	private ApplicationContextRunner contextRunner;

	@BeforeEach
	void start() throws IOException {
		this.server.start();
		this.contextRunner = new ApplicationContextRunner()
			.withConfiguration(ClientAutoConfigurations.ALL)
			.withUserConfiguration(StatusRecorder.class)
			.withPropertyValues("lionfuncs.executor.shutdown-timeout=0s",
					"lionfuncs.clients.llm.base-url=" + this.server.url("/v1"),
					"lionfuncs.clients.llm.retry.base-delay=10ms", "lionfuncs.clients.llm.retry.max-delay=50ms",
					"lionfuncs.clients.llm.retry.jitter=false", "lionfuncs.clients.llm.executor.shutdown-timeout=0s");
	}

	@AfterEach
	void stop() {
		this.server.close();
	}

	private static ApiRequest chat() {
		return ApiRequest.post("/chat/completions").json(Map.of("messages", List.of("hi"))).build();
	}

	@Test
	void successfulCallGivesTheParsedBody() {
		this.server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "application/json")
			.body("{\"choices\":[{\"text\":\"short\"}]}")
			.build());
		this.contextRunner.run((context) -> StepVerifier
			.create(context.getBean(LionfuncsClients.class).request("llm", chat(), 40))
			.assertNext((body) -> assertThat(((JsonNode) body).at("/choices/0/text").asString()).isEqualTo("short"))
			.expectComplete()
			.verify(WAIT));
		assertThat(this.server.getRequestCount()).isEqualTo(1);
	}

	@Test
	void aStreamByNameGoesThroughThatClientAndExecutorWithItsUsage() throws InterruptedException {
		this.server.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/event-stream")
			.body("data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}],\"usage\":null}\n\n"
					+ "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,"
					+ "\"total_tokens\":4}}\n\ndata: [DONE]\n\n")
			.build());
		this.contextRunner
			.withPropertyValues("lionfuncs.clients.llm.stream-usage=true",
					"lionfuncs.clients.llm.executor.api-tokens-rate=1000")
			.run((context) -> {
				StepVerifier.create(context.getBean(LionfuncsClients.class).streamJson("llm", chat(), 40))
					.assertNext((chunk) -> assertThat(chunk.at("/choices/0/delta/content").asString()).isEqualTo("hi"))
					.assertNext((chunk) -> assertThat(chunk.at("/usage/total_tokens").asInt()).isEqualTo(4))
					.expectComplete()
					.verify(WAIT);
				NetworkRequestEvent event = context.getBean(LionfuncsClients.class).executor("llm").recent().get(0);
				assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED);
				assertThat(event.getApiTokensUsed()).isEqualTo(4);
			});
		assertThat(this.server.takeRequest().getBody().utf8()).contains("\"include_usage\":true");
	}

	@Test
	void defaultClientIsUsedWithoutAName() {
		this.server.enqueue(new MockResponse.Builder().body("pong").build());
		this.contextRunner.withPropertyValues("lionfuncs.client.base-url=" + this.server.url("/"))
			.run((context) -> StepVerifier.create(context.getBean(LionfuncsClients.class)
				.request(ApiRequest.get("/ping").build())).expectNext("pong").expectComplete().verify(WAIT));
	}

	@Test
	void serverErrorFailsWithTheServerException() {
		this.server.enqueue(new MockResponse.Builder().code(500).body("{\"error\":\"boom\"}").build());
		this.contextRunner.run((context) -> {
			StepVerifier.create(context.getBean(LionfuncsClients.class).request("llm", chat()))
				.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(ServerException.class)
					.hasMessage("POST " + this.server.url("/v1")
							+ "/chat/completions failed with 500 Internal Server Error"))
				.verify(WAIT);
			NetworkRequestEvent event = context.getBean(StatusRecorder.class).terminal.get(0);
			assertThat(event.getStatus()).isEqualTo(RequestStatus.FAILED);
			assertThat(event.getError()).isInstanceOf(ServerException.class);
		});
	}

	@Test
	void rateLimitedCallFailsWithTheRateLimitExceptionAndItsRetryAfter() {
		// A Retry-After beyond max-delay is not waited for: the caller gets it at once.
		this.server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "120").build());
		this.contextRunner.run((context) -> StepVerifier
			.create(context.getBean(LionfuncsClients.class).request("llm", chat()))
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOfSatisfying(RateLimitException.class,
					(limited) -> assertThat(limited.retryAfter()).isEqualTo(Duration.ofSeconds(120))))
			.verify(WAIT));
		assertThat(this.server.getRequestCount()).isEqualTo(1);
	}

	@Test
	void refusedConnectionFailsWithTheConnectionExceptionAfterTheRetries() throws IOException {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			closedPort = socket.getLocalPort();
		}
		this.contextRunner.withPropertyValues("lionfuncs.clients.llm.base-url=http://127.0.0.1:" + closedPort + "/v1")
			.run((context) -> StepVerifier.create(context.getBean(LionfuncsClients.class).request("llm", chat()))
				.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOfSatisfying(ApiConnectionException.class,
						(connection) -> assertThat(connection.isConnectFailure()).isTrue()))
				.verify(WAIT));
	}

	@Test
	void cancellingTheSubscriptionCancelsTheRequest() {
		this.server.enqueue(new MockResponse.Builder().headersDelay(30, TimeUnit.SECONDS).body("late").build());
		this.contextRunner.run((context) -> {
			Disposable subscription = context.getBean(LionfuncsClients.class).request("llm", chat()).subscribe();
			StatusRecorder recorder = context.getBean(StatusRecorder.class);
			await().atMost(WAIT).until(() -> this.server.getRequestCount() == 1);
			subscription.dispose();
			await().atMost(WAIT).until(() -> !recorder.terminal.isEmpty());
			NetworkRequestEvent event = recorder.terminal.get(0);
			assertThat(event.getStatus()).isEqualTo(RequestStatus.CANCELLED);
			StepVerifier.create(event.toBodyMono()).expectError(CancellationException.class).verify(WAIT);
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class StatusRecorder {

		final List<NetworkRequestEvent> terminal = new CopyOnWriteArrayList<>();

		@Bean
		RequestStatusListener terminalRecorder() {
			return (event, previous, current) -> {
				if (current.isTerminal()) {
					this.terminal.add(event);
				}
			};
		}

	}

}
