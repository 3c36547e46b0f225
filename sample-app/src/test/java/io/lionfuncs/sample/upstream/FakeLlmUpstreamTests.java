package io.lionfuncs.sample.upstream;

import java.time.Duration;
import java.util.Map;

import io.lionfuncs.sample.DefinedPortTests;
import io.lionfuncs.sample.upstream.FakeLlmUpstream.UpstreamSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.reactive.server.EntityExchangeResult;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The embedded fake upstream over HTTP: completions with usage and rate-limit headers,
 * 429 with {@code Retry-After} when a client is too fast, and switchable faults.
 */
@TestPropertySource(properties = { "sample.upstream.requests-per-second=5", "sample.upstream.tokens-per-minute=50000",
		"sample.upstream.latency=0ms", "sample.upstream.chunk-delay=5ms" })
class FakeLlmUpstreamTests extends DefinedPortTests {

	private static final String CHAT = "/upstream/v1/chat/completions";

	@AfterEach
	void resetFaults() {
		this.client.delete().uri("/upstream/admin/faults").exchange().expectStatus().isOk().expectBody(Void.class);
	}

	@Test
	void completionReportsUsageAndRateLimits() {
		Map<String, Object> body = Map.of("model", "small-1", "max_tokens", 40, "messages",
				java.util.List.of(Map.of("role", "user", "content", "Count to three, please.")));
		this.client.post()
			.uri(CHAT)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.valueEquals("x-ratelimit-limit-requests", "5")
			.expectHeader()
			.valueMatches("x-ratelimit-remaining-requests", "[0-4]")
			.expectHeader()
			.valueMatches("x-ratelimit-reset-requests", "\\d+(ms|s)")
			.expectHeader()
			.valueEquals("x-ratelimit-limit-tokens", "50000")
			.expectHeader()
			.valueMatches("x-ratelimit-remaining-tokens", "4\\d{4}")
			.expectHeader()
			.valueMatches("x-ratelimit-reset-tokens", "\\d+(ms|s)|\\d+m\\d+s")
			.expectBody()
			.jsonPath("$.id")
			.value(String.class, (id) -> assertThat(id).startsWith("chatcmpl-"))
			.jsonPath("$.model")
			.isEqualTo("small-1")
			.jsonPath("$.choices[0].message.role")
			.isEqualTo("assistant")
			.jsonPath("$.usage.prompt_tokens")
			.isEqualTo(5) // 23 characters, about four per token
			.jsonPath("$.usage.completion_tokens")
			.value(Integer.class, (tokens) -> assertThat(tokens).isBetween(12, 40))
			.jsonPath("$.usage.total_tokens")
			.value(Integer.class, (tokens) -> assertThat(tokens).isBetween(17, 45));
	}

	@Test
	void aStreamedCompletionSendsChunksAndTheUsageChunkWhenAskedFor() {
		Map<String, Object> body = Map.of("model", "small-1", "stream", true, "max_tokens", 40, "stream_options",
				Map.of("include_usage", true), "messages",
				java.util.List.of(Map.of("role", "user", "content", "Count to three, please.")));
		java.util.List<String> data = this.client.post()
			.uri(CHAT)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.TEXT_EVENT_STREAM)
			.expectHeader()
			.valueEquals("x-ratelimit-limit-requests", "5")
			.returnResult(String.class)
			.getResponseBody()
			.collectList()
			.block(Duration.ofSeconds(30));

		assertThat(data).hasSize(23).last().isEqualTo("[DONE]");
		assertThat(data.get(0)).contains("\"usage\":null");
		assertThat(data.get(20)).contains("\"finish_reason\":\"stop\"");
		assertThat(data.get(21)).contains("\"prompt_tokens\":5").contains("\"choices\":[]");
	}

	@Test
	void aStreamedCompletionLeavesUsageOutUnlessAskedFor() {
		Map<String, Object> body = Map.of("model", "small-1", "stream", true, "max_tokens", 40);
		java.util.List<String> data = this.client.post()
			.uri(CHAT)
			.bodyValue(body)
			.exchange()
			.expectStatus()
			.isOk()
			.returnResult(String.class)
			.getResponseBody()
			.collectList()
			.block(Duration.ofSeconds(30));

		assertThat(data).hasSize(22).noneMatch((chunk) -> chunk.contains("usage"));
	}

	@Test
	void tooManyRequestsPerSecondAreAnswered429WithRetryAfter() {
		// Five per second: the sixth of a quick run is refused (unless the machine paused).
		EntityExchangeResult<String> refused = null;
		for (int i = 0; i < 50 && refused == null; i++) {
			EntityExchangeResult<String> result = chat(10);
			if (result.getStatus().value() == HttpStatus.TOO_MANY_REQUESTS.value()) {
				refused = result;
			}
		}
		assertThat(refused).as("a 429 among 50 quick calls").isNotNull();
		assertThat(refused.getResponseHeaders().getFirst("Retry-After")).isEqualTo("1");
		assertThat(refused.getResponseHeaders().getFirst("x-ratelimit-remaining-requests")).isEqualTo("0");
		assertThat(refused.getResponseBody()).contains("\"type\":\"rate_limit_exceeded\"");
		assertThat(settings().throttled()).isPositive();
	}

	@Test
	void tooManyTokensPerMinuteAreAnswered429WithRetryAfter() {
		change("tokensPerMinute=200&requestsPerSecond=1000");
		EntityExchangeResult<String> refused = null;
		for (int i = 0; i < 20 && refused == null; i++) {
			EntityExchangeResult<String> result = chat(100);
			if (result.getStatus().value() == HttpStatus.TOO_MANY_REQUESTS.value()) {
				refused = result;
			}
		}
		assertThat(refused).as("a 429 once 200 tokens are used").isNotNull();
		// A whole call's tokens come back at 200 per minute: seconds, not one.
		assertThat(Long.parseLong(refused.getResponseHeaders().getFirst("Retry-After"))).isBetween(1L, 60L);
		assertThat(Long.parseLong(refused.getResponseHeaders().getFirst("x-ratelimit-remaining-tokens")))
			.isLessThanOrEqualTo(100);
	}

	@Test
	void requestLargerThanTheTokenLimitIsRefusedOutright() {
		change("tokensPerMinute=100");
		EntityExchangeResult<String> result = chat(1000);
		assertThat(result.getStatus()).isEqualTo(HttpStatus.BAD_REQUEST);
		assertThat(result.getResponseBody()).contains("\"type\":\"request_too_large\"");
	}

	@Test
	void aBodyLargerThanTheServerReadsIsAnswered413() {
		String prompt = "x".repeat(20 * 1024 * 1024);
		EntityExchangeResult<String> result = this.client.post()
			.uri(CHAT)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"model\":\"fake-1\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}")
			.exchange()
			.expectBody(String.class)
			.returnResult();

		assertThat(result.getStatus()).isEqualTo(HttpStatus.CONTENT_TOO_LARGE);
		assertThat(result.getResponseBody()).contains("\"type\":\"request_too_large\"");
	}

	@Test
	void errorRateInjectsServiceUnavailable() {
		long failedBefore = settings().failed();
		change("errorRate=1");
		EntityExchangeResult<String> result = chat(10);
		assertThat(result.getStatus()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
		assertThat(result.getResponseBody()).contains("\"type\":\"server_error\"");
		assertThat(settings().failed()).isEqualTo(failedBefore + 1);
		change("errorRate=0");
		assertThat(chat(10).getStatus()).isEqualTo(HttpStatus.OK);
	}

	@Test
	void latencyDelaysTheAnswer() {
		change("latencyMs=400");
		long started = System.nanoTime();
		assertThat(chat(10).getStatus()).isEqualTo(HttpStatus.OK);
		assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
	}

	@Test
	void adminChangesOnlyWhatIsGivenAndResetRestoresTheConfiguration() {
		UpstreamSettings changed = change("errorRate=0.25&latencyMs=30");
		assertThat(changed.errorRate()).isEqualTo(0.25);
		assertThat(changed.latencyMs()).isEqualTo(30);
		assertThat(changed.requestsPerSecond()).isEqualTo(5);
		assertThat(changed.tokensPerMinute()).isEqualTo(50000);
		// GET only reads, whatever its parameters.
		assertThat(this.client.get()
			.uri("/upstream/admin/faults?errorRate=1")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(UpstreamSettings.class)
			.returnResult()
			.getResponseBody()).extracting(UpstreamSettings::errorRate).isEqualTo(0.25);
		UpstreamSettings reset = this.client.delete()
			.uri("/upstream/admin/faults")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(UpstreamSettings.class)
			.returnResult()
			.getResponseBody();
		assertThat(reset).isNotNull();
		assertThat(reset.errorRate()).isZero();
		assertThat(reset.latencyMs()).isZero();
	}

	@Test
	void adminRejectsInvalidValuesNamingTheParameter() {
		this.client.post()
			.uri("/upstream/admin/faults?errorRate=2")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.error.message")
			.isEqualTo("errorRate must be between 0 and 1 but was 2");
		this.client.post()
			.uri("/upstream/admin/faults?latencyMs=soon")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.error.message")
			.isEqualTo("latencyMs must be a number but was 'soon'");
		assertThat(settings().errorRate()).isZero();
	}

	@Test
	void waitsAreFormattedTheWayOpenAiDoes() {
		assertThat(FakeLlmUpstream.openAiDuration(20_000_000L)).isEqualTo("20ms");
		assertThat(FakeLlmUpstream.openAiDuration(1_400_000_000L)).isEqualTo("1s");
		assertThat(FakeLlmUpstream.openAiDuration(360_000_000_000L)).isEqualTo("6m0s");
	}

	private EntityExchangeResult<String> chat(int maxTokens) {
		return this.client.post()
			.uri(CHAT)
			.bodyValue(Map.of("model", "fake-1", "max_tokens", maxTokens, "messages",
					java.util.List.of(Map.of("role", "user", "content", "Hi"))))
			.exchange()
			.expectBody(String.class)
			.returnResult();
	}

	private UpstreamSettings change(String query) {
		UpstreamSettings settings = this.client.post()
			.uri("/upstream/admin/faults?" + query)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(UpstreamSettings.class)
			.returnResult()
			.getResponseBody();
		assertThat(settings).isNotNull();
		return settings;
	}

	private UpstreamSettings settings() {
		UpstreamSettings settings = this.client.get()
			.uri("/upstream/admin/faults")
			.exchange()
			.expectBody(UpstreamSettings.class)
			.returnResult()
			.getResponseBody();
		assertThat(settings).isNotNull();
		return settings;
	}

}
