package io.lionfuncs.intercept;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Streamed Spring AI OpenAI answers ({@code ChatClient#stream()}, run on OkHttp's
 * dispatcher threads) hold their executor's concurrency slot until the stream ends: with
 * a limit of 2, a third stream's request reaches the provider only once one has ended.
 * Each stream's usage is read from its final chunk.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE,
		properties = { "spring.main.web-application-type=none", "spring.ai.model.chat=openai",
				"spring.ai.openai.api-key=test-key", "spring.ai.openai.chat.options.model=gpt-4o-mini",
				"lionfuncs.clients.openai.executor.concurrency-limit=2",
				"lionfuncs.clients.openai.executor.requests-rate=100",
				"lionfuncs.clients.openai.executor.shutdown-timeout=0s" })
class SpringAiOpenAiStreamInterceptTests extends AbstractSpringAiInterceptTests {

	private static final Duration WAIT = Duration.ofSeconds(20);

	@DynamicPropertySource
	static void providerUrl(DynamicPropertyRegistry registry) {
		registry.add("spring.ai.openai.base-url", () -> provider().url() + "/v1");
		registry.add("lionfuncs.clients.openai.base-url", () -> provider().url() + "/v1");
	}

	@Test
	void streamsHoldTheirSlotsUntilTheyEnd() {
		ChatClient chat = this.chatClientBuilder.build();
		Executor executor = this.clients.executor("openai");
		provider().holdStreams();
		List<Mono<String>> streams = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			streams.add(chat.prompt("Stream hello").stream().content().collectList().map((parts) -> String.join("", parts))
				.cache());
		}
		streams.forEach(Mono::subscribe);

		await().atMost(WAIT).until(() -> provider().openStreams() == 2);
		await().during(Duration.ofMillis(500)).atMost(WAIT)
			.until(() -> provider().arrivals("/v1/chat/completions").size() == 2 && executor.queued().size() == 1);
		assertThat(executor.inFlight()).hasSize(2)
			.allSatisfy((event) -> assertThat(event.getFirstByteAt()).as("first byte stamped").isNotNull());

		provider().releaseStream();
		await().atMost(WAIT).until(() -> provider().arrivals("/v1/chat/completions").size() == 3);
		provider().releaseAllStreams();

		for (Mono<String> stream : streams) {
			assertThat(stream.block(WAIT)).isEqualTo("Hello there");
		}
		assertThat(provider().maxOpenStreams()).isEqualTo(2);
		await().atMost(WAIT).until(() -> executor.inFlight().isEmpty());
		List<NetworkRequestEvent> ended = executor.recent().subList(0, 3);
		assertThat(ended).allSatisfy((event) -> {
			assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED);
			assertThat(event.getApiTokensUsed()).as("usage from the final chunk")
				.isEqualTo(FakeProvider.OPENAI_TOTAL_TOKENS);
			assertThat(event.getFirstByteAt()).isNotNull();
		});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
