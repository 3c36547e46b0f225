package io.lionfuncs.intercept;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A Spring AI application calling Anthropic's messages API through {@link ChatClient}:
 * calls and streams are governed by the executor of {@code lionfuncs.clients.anthropic},
 * and the usage (input plus output tokens, from the body or from {@code message_start}
 * and {@code message_delta}) trues up the estimate.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE,
		properties = { "spring.main.web-application-type=none", "spring.ai.model.chat=anthropic",
				"spring.ai.anthropic.api-key=test-key", "spring.ai.openai.api-key=unused",
				"spring.ai.anthropic.chat.options.model=claude-sonnet-4-5",
				"lionfuncs.clients.anthropic.executor.concurrency-limit=2",
				"lionfuncs.clients.anthropic.executor.requests-rate=1",
				"lionfuncs.clients.anthropic.executor.requests-bucket-capacity=1",
				"lionfuncs.clients.anthropic.executor.api-tokens-rate=100000",
				"lionfuncs.clients.anthropic.executor.shutdown-timeout=0s" })
class SpringAiAnthropicInterceptTests extends AbstractSpringAiInterceptTests {

	private static final Logger logger = LoggerFactory.getLogger(SpringAiAnthropicInterceptTests.class);

	private static final Duration WAIT = Duration.ofSeconds(30);

	@DynamicPropertySource
	static void providerUrl(DynamicPropertyRegistry registry) {
		registry.add("spring.ai.anthropic.base-url", () -> provider().url());
		registry.add("lionfuncs.clients.anthropic.base-url", () -> provider().url());
	}

	@Test
	void callsAndStreamsArriveWithinTheRequestBucketWithTheirUsage() throws Exception {
		ChatClient chat = this.chatClientBuilder.build();
		Executor executor = this.clients.executor("anthropic");
		ExecutorService callers = Executors.newFixedThreadPool(4);
		List<CompletableFuture<String>> answers = new ArrayList<>();
		try {
			for (int i = 0; i < 2; i++) {
				answers.add(CompletableFuture.supplyAsync(() -> chat.prompt("Say hello").call().content(), callers));
				answers.add(CompletableFuture.supplyAsync(
						() -> String.join("", chat.prompt("Stream hello").stream().content().collectList().block(WAIT)),
						callers));
			}
			for (CompletableFuture<String> answer : answers) {
				assertThat(answer.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isIn("Hello from the fake provider",
						"Hello there");
			}
		}
		finally {
			callers.shutdownNow();
		}
		List<FakeProvider.Arrival> arrivals = provider().arrivals("/v1/messages");
		assertThat(arrivals).hasSize(4);
		String measured = Windows.assertWithinBucket(arrivals, 1, 1, Duration.ofSeconds(1), Duration.ofSeconds(2),
				Duration.ofSeconds(3));
		logger.info("Spring AI Anthropic call() and stream(): 4 calls, capacity 1, 1/s: {}arrivals at {} ms", measured,
				Windows.offsets(arrivals));
		await().atMost(WAIT).until(() -> executor.inFlight().isEmpty());
		List<NetworkRequestEvent> ended = executor.recent().subList(0, 4);
		assertThat(ended).allSatisfy((event) -> {
			assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED);
			assertThat(event.getEndpointUrl()).isEqualTo(provider().url() + "/v1/messages");
			assertThat(event.getMetadata()).containsEntry("intercepted", "Spring AI Anthropic");
			assertThat(event.getApiTokensUsed())
				.isEqualTo(FakeProvider.ANTHROPIC_INPUT_TOKENS + FakeProvider.ANTHROPIC_OUTPUT_TOKENS);
		});
		assertThat(executor.budgetStats().actualApiTokens())
			.isEqualTo(4 * (FakeProvider.ANTHROPIC_INPUT_TOKENS + FakeProvider.ANTHROPIC_OUTPUT_TOKENS));
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
