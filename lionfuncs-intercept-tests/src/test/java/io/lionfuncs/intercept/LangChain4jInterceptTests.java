package io.lionfuncs.intercept;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import io.lionfuncs.autoconfigure.LionfuncsClients;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.TaskRejectedException;
import io.lionfuncs.network.intercept.langchain4j.GovernedHttpClientBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * LangChain4j's OpenAI models built with the starter's {@link GovernedHttpClientBuilder}
 * (the one line a user adds): calls and streams are limited at the provider's door,
 * streams hold their slot until they close, usage is trued up, and a 429's
 * {@code Retry-After}, which LangChain4j itself ignores, pauses the executor so that its
 * retry waits for it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE,
		properties = { "spring.main.web-application-type=none", "spring.ai.openai.api-key=unused",
				"spring.ai.anthropic.api-key=unused", "lionfuncs.clients.openai.executor.concurrency-limit=2",
				"lionfuncs.clients.openai.executor.requests-rate=2",
				"lionfuncs.clients.openai.executor.requests-bucket-capacity=2",
				"lionfuncs.clients.openai.executor.api-tokens-rate=100000",
				"lionfuncs.clients.openai.executor.shutdown-timeout=0s" })
class LangChain4jInterceptTests {

	private static final Logger logger = LoggerFactory.getLogger(LangChain4jInterceptTests.class);

	private static final Duration WAIT = Duration.ofSeconds(30);

	private static final FakeProvider provider = new FakeProvider();

	@Autowired
	private GovernedHttpClientBuilder governedHttpClientBuilder;

	@Autowired
	private LionfuncsClients clients;

	@DynamicPropertySource
	static void providerUrl(DynamicPropertyRegistry registry) {
		registry.add("lionfuncs.clients.openai.base-url", () -> provider.url() + "/v1");
	}

	@AfterAll
	static void stopProvider() {
		provider.close();
	}

	private OpenAiChatModel chatModel() {
		return OpenAiChatModel.builder()
			.baseUrl(provider.url() + "/v1")
			.apiKey("test-key")
			.modelName("gpt-4o-mini")
			.httpClientBuilder(this.governedHttpClientBuilder)
			.build();
	}

	private OpenAiStreamingChatModel streamingChatModel() {
		return OpenAiStreamingChatModel.builder()
			.baseUrl(provider.url() + "/v1")
			.apiKey("test-key")
			.modelName("gpt-4o-mini")
			.httpClientBuilder(this.governedHttpClientBuilder)
			.build();
	}

	@Test
	void callsArriveWithinTheRequestBucketWithTheirUsage() throws Exception {
		OpenAiChatModel model = chatModel();
		int before = provider.arrivals("/v1/chat/completions").size();
		ExecutorService callers = Executors.newFixedThreadPool(6);
		try {
			List<CompletableFuture<String>> answers = new ArrayList<>();
			for (int i = 0; i < 6; i++) {
				answers.add(CompletableFuture.supplyAsync(() -> model.chat("Say hello"), callers));
			}
			for (CompletableFuture<String> answer : answers) {
				assertThat(answer.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("Hello from the fake provider");
			}
		}
		finally {
			callers.shutdownNow();
		}
		List<FakeProvider.Arrival> arrivals = provider.arrivals("/v1/chat/completions", before);
		assertThat(arrivals).hasSize(6);
		String measured = Windows.assertWithinBucket(arrivals, 2, 2, Duration.ofMillis(500), Duration.ofSeconds(1),
				Duration.ofSeconds(2));
		logger.info("LangChain4j chat(): 6 calls, capacity 2, 2/s: {}arrivals at {} ms", measured, Windows.offsets(arrivals));
		List<NetworkRequestEvent> ended = this.clients.executor("openai").recent().subList(0, 6);
		assertThat(ended).allSatisfy((event) -> {
			assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED);
			assertThat(event.getMetadata()).containsEntry("intercepted", "LangChain4j");
			assertThat(event.getApiTokensUsed()).isEqualTo(FakeProvider.OPENAI_TOTAL_TOKENS);
		});
	}

	@Test
	void aRetryAfter429WaitsForTheRetryAfterLangChain4jIgnores() {
		OpenAiChatModel model = chatModel();
		Executor executor = this.clients.executor("openai");
		int before = provider.arrivals("/v1/chat/completions").size();
		provider.answerNext(429, Map.of("Retry-After", "3"));

		assertThat(model.chat("Say hello")).isEqualTo("Hello from the fake provider");

		List<FakeProvider.Arrival> arrivals = provider.arrivals("/v1/chat/completions", before);
		assertThat(arrivals).hasSize(2);
		Duration gap = Duration.ofNanos(arrivals.get(1).nanos() - arrivals.get(0).nanos());
		logger.info("LangChain4j retry after a 429 with Retry-After: 3 arrived {} later", gap);
		assertThat(gap).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
		NetworkRequestEvent refused = executor.recent().get(1);
		assertThat(refused.getStatus()).isEqualTo(RequestStatus.FAILED);
		assertThat(refused.getResponseStatusCode()).isEqualTo(429);
		assertThat(refused.getResponseHeaders()).containsKey("retry-after");
	}

	@Test
	void aRequestThatCannotGetALeaseFailsAsTheJdkClientsIoErrorsDo() {
		OpenAiChatModel model = OpenAiChatModel.builder()
			.baseUrl(provider.url() + "/v1")
			.apiKey("test-key")
			.modelName("gpt-4o-mini")
			.maxTokens(1_000_000)
			.maxRetries(0)
			.httpClientBuilder(this.governedHttpClientBuilder)
			.build();
		int before = provider.arrivals("/v1/chat/completions").size();

		assertThatThrownBy(() -> model.chat("Say hello")).hasRootCauseInstanceOf(TaskRejectedException.class)
			.satisfies((ex) -> assertThat(ex).hasStackTraceContaining("java.io.IOException")
				.hasStackTraceContaining("granted no lease (TOO_LARGE)"));
		assertThat(provider.arrivals("/v1/chat/completions")).hasSize(before);
	}

	@Test
	void streamsHoldTheirSlotsUntilTheyClose() throws Exception {
		OpenAiStreamingChatModel model = streamingChatModel();
		Executor executor = this.clients.executor("openai");
		int before = provider.arrivals("/v1/chat/completions").size();
		provider.holdStreams();
		List<CompletableFuture<ChatResponse>> streams = new ArrayList<>();
		try {
			for (int i = 0; i < 3; i++) {
				CompletableFuture<ChatResponse> done = new CompletableFuture<>();
				model.chat("Stream hello", new StreamingChatResponseHandler() {

					@Override
					public void onPartialResponse(String partialResponse) {
					}

					@Override
					public void onCompleteResponse(ChatResponse completeResponse) {
						done.complete(completeResponse);
					}

					@Override
					public void onError(Throwable error) {
						done.completeExceptionally(error);
					}

				});
				streams.add(done);
			}
			await().atMost(WAIT).until(() -> provider.openStreams() == 2);
			// Long enough for the request bucket to have the third call's token: only the
			// concurrency slot holds it back.
			await().during(Duration.ofMillis(1500))
				.atMost(WAIT)
				.until(() -> provider.arrivals("/v1/chat/completions").size() - before == 2);
			provider.releaseStream();
			await().atMost(WAIT).until(() -> provider.arrivals("/v1/chat/completions").size() - before == 3);
		}
		finally {
			provider.releaseAllStreams();
		}
		for (CompletableFuture<ChatResponse> stream : streams) {
			assertThat(stream.get(WAIT.toSeconds(), TimeUnit.SECONDS).aiMessage().text()).isEqualTo("Hello there");
		}
		await().atMost(WAIT).until(() -> executor.inFlight().isEmpty());
		assertThat(executor.recent().subList(0, 3)).allSatisfy((event) -> {
			assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED);
			assertThat(event.getApiTokensUsed()).isEqualTo(FakeProvider.OPENAI_TOTAL_TOKENS);
		});
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

	}

}
