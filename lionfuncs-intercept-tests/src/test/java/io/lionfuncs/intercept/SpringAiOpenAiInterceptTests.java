package io.lionfuncs.intercept;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

/**
 * A Spring AI application calling OpenAI's chat completions through {@link ChatClient},
 * configured with nothing but {@code lionfuncs.clients.openai.base-url} and the
 * executor's limits: its calls are queued, limited at the provider's door and tracked,
 * their usage trued up, and a 429 makes the SDK's retry wait for the pause.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE,
		properties = { "spring.main.web-application-type=none", "spring.ai.model.chat=openai",
				"spring.ai.openai.api-key=test-key", "spring.ai.openai.chat.options.model=gpt-4o-mini",
				"lionfuncs.clients.openai.executor.concurrency-limit=4",
				"lionfuncs.clients.openai.executor.requests-rate=2",
				"lionfuncs.clients.openai.executor.requests-bucket-capacity=2",
				"lionfuncs.clients.openai.executor.api-tokens-rate=100000",
				"lionfuncs.clients.openai.executor.shutdown-timeout=0s" })
class SpringAiOpenAiInterceptTests extends AbstractSpringAiInterceptTests {

	private static final Logger logger = LoggerFactory.getLogger(SpringAiOpenAiInterceptTests.class);

	@DynamicPropertySource
	static void providerUrl(DynamicPropertyRegistry registry) {
		registry.add("spring.ai.openai.base-url", () -> provider().url() + "/v1");
		registry.add("lionfuncs.clients.openai.base-url", () -> provider().url() + "/v1");
	}

	@Test
	void callsArriveWithinTheRequestBucketAndAreTrackedWithTheirUsage() throws Exception {
		ChatClient chat = this.chatClientBuilder.build();
		Executor executor = this.clients.executor("openai");
		int before = provider().arrivals("/v1/chat/completions").size();
		ExecutorService callers = Executors.newFixedThreadPool(6);
		try {
			List<CompletableFuture<String>> answers = new ArrayList<>();
			for (int i = 0; i < 6; i++) {
				answers.add(CompletableFuture.supplyAsync(() -> chat.prompt("Say hello").call().content(), callers));
			}
			for (CompletableFuture<String> answer : answers) {
				assertThat(answer.get(30, TimeUnit.SECONDS)).isEqualTo("Hello from the fake provider");
			}
		}
		finally {
			callers.shutdownNow();
		}
		List<FakeProvider.Arrival> arrivals = provider().arrivals("/v1/chat/completions", before);
		assertThat(arrivals).hasSize(6);
		String measured = Windows.assertWithinBucket(arrivals, 2, 2, Duration.ofMillis(500), Duration.ofSeconds(1),
				Duration.ofSeconds(2));
		logger.info("Spring AI OpenAI call(): 6 calls, capacity 2, 2/s: {}arrivals at {} ms", measured,
				Windows.offsets(arrivals));
		List<NetworkRequestEvent> governed = executor.recent()
			.stream()
			.filter((event) -> "Spring AI OpenAI".equals(event.getMetadata().get("intercepted")))
			.limit(6)
			.toList();
		assertThat(governed).hasSize(6).allSatisfy((event) -> {
			assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED);
			assertThat(event.getMethod()).isEqualTo("POST");
			assertThat(event.getEndpointUrl()).isEqualTo(provider().url() + "/v1/chat/completions");
			assertThat(event.getHeaders()).containsKey("Authorization").doesNotContainValue("Bearer test-key");
			assertThat(event.getApiTokensUsed()).isEqualTo(FakeProvider.OPENAI_TOTAL_TOKENS);
			assertThat(event.getNumApiTokensNeeded()).isPositive();
		});
	}

	@Test
	void aRetryAfter429WaitsForThePauseAndEveryAttemptIsACall() throws Exception {
		ChatClient chat = this.chatClientBuilder.build();
		Executor executor = this.clients.executor("openai");
		long rateLimitedBefore = executor.budgetStats().rateLimitedResponses();
		int before = provider().arrivals("/v1/chat/completions").size();
		provider().answerNext(429, Map.of("Retry-After", "2"));

		String answer = chat.prompt("Say hello").call().content();

		assertThat(answer).isEqualTo("Hello from the fake provider");
		List<FakeProvider.Arrival> arrivals = provider().arrivals("/v1/chat/completions", before);
		assertThat(arrivals).hasSize(2);
		Duration gap = Duration.ofNanos(arrivals.get(1).nanos() - arrivals.get(0).nanos());
		logger.info("Spring AI OpenAI retry after a 429 with Retry-After: 2 arrived {} later", gap);
		assertThat(gap).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
		assertThat(executor.budgetStats().rateLimitedResponses()).isEqualTo(rateLimitedBefore + 1);
		List<NetworkRequestEvent> attempts = executor.recent().subList(0, 2);
		assertThat(attempts).extracting(NetworkRequestEvent::getStatus)
			.containsExactly(RequestStatus.COMPLETED, RequestStatus.FAILED);
		assertThat(attempts.get(1).getResponseStatusCode()).isEqualTo(429);
		assertThat(attempts.get(1).getApiTokensUsed()).as("a refused call used nothing").isZero();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
