package io.lionfuncs.network;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.lionfuncs.network.budget.ProviderLimit.Kind;
import io.lionfuncs.network.budget.ProviderLimit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RateLimitHeaders}: every provider format, and malformed values that
 * are ignored with one warning per header name.
 */
@ExtendWith(OutputCaptureExtension.class)
class RateLimitHeadersTests {

	private static final Instant NOW = Instant.parse("2025-01-01T12:00:00Z");

	private final RateLimitHeaders headers = new RateLimitHeaders("test");

	private List<ProviderLimit> limits(Map<String, String> response) {
		return this.headers.limits(RateLimitHeaders.relevant(response), NOW);
	}

	@ParameterizedTest
	@CsvSource({ "20ms, PT0.02S", "1s, PT1S", "6m0s, PT6M", "1h2m3.5s, PT1H2M3.5S", "0s, PT0S", "1.5s, PT1.5S",
			"250us, PT0.00025S", "100ns, PT0.0000001S", "2, PT2S", "0.5, PT0.5S" })
	void goDurationsAreRead(String value, Duration expected) {
		assertThat(RateLimitHeaders.goDuration(value)).isEqualTo(expected);
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "s", "1x", "1s2", "-1s", "1..2s", "abc", "1 s", "1e3s" })
	void malformedGoDurationsAreRejected(String value) {
		assertThat(RateLimitHeaders.goDuration(value)).isNull();
	}

	@Test
	void openAiHeadersAreRead() {
		Map<String, String> response = new LinkedHashMap<>();
		response.put("X-RateLimit-Limit-Requests", "60");
		response.put("X-RateLimit-Remaining-Requests", "59");
		response.put("X-RateLimit-Reset-Requests", "1s");
		response.put("x-ratelimit-limit-tokens", "150000");
		response.put("x-ratelimit-remaining-tokens", "149984");
		response.put("x-ratelimit-reset-tokens", "6m0s");
		response.put("Content-Type", "application/json");

		assertThat(limits(response)).containsExactly(
				new ProviderLimit(Kind.REQUESTS, "openai", 59, 60L, Duration.ofSeconds(1), true),
				new ProviderLimit(Kind.TOKENS, "openai", 149984, 150000L, Duration.ofMinutes(6), true));
	}

	@Test
	void openAiHeadersWithoutLimitRefillAtTheResetOnly() {
		assertThat(limits(Map.of("x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "20ms")))
			.containsExactly(new ProviderLimit(Kind.REQUESTS, "openai", 0, null, Duration.ofMillis(20), false));
	}

	@Test
	void anthropicHeadersAreReadForEveryKind() {
		String reset = DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(NOW.plusSeconds(30).atOffset(ZoneOffset.UTC));
		Map<String, String> response = new LinkedHashMap<>();
		for (String kind : List.of("requests", "tokens", "input-tokens", "output-tokens")) {
			response.put("anthropic-ratelimit-" + kind + "-limit", "1000");
			response.put("anthropic-ratelimit-" + kind + "-remaining", "400");
			response.put("anthropic-ratelimit-" + kind + "-reset", reset);
		}

		assertThat(limits(response)).containsExactly(
				new ProviderLimit(Kind.REQUESTS, "anthropic", 400, 1000L, Duration.ofSeconds(30), true),
				new ProviderLimit(Kind.TOKENS, "anthropic", 400, 1000L, Duration.ofSeconds(30), true),
				new ProviderLimit(Kind.INPUT_TOKENS, "anthropic", 400, 1000L, Duration.ofSeconds(30), true),
				new ProviderLimit(Kind.OUTPUT_TOKENS, "anthropic", 400, 1000L, Duration.ofSeconds(30), true));
	}

	@Test
	void anthropicResetsWithAnOffsetOrInThePastAreRead() {
		assertThat(limits(Map.of("anthropic-ratelimit-tokens-remaining", "0", "anthropic-ratelimit-tokens-reset",
				"2025-01-01T13:00:02.5+01:00")))
			.containsExactly(new ProviderLimit(Kind.TOKENS, "anthropic", 0, null, Duration.ofMillis(2500), false));
		assertThat(limits(Map.of("anthropic-ratelimit-requests-remaining", "3", "anthropic-ratelimit-requests-reset",
				"2024-12-31T00:00:00Z")))
			.containsExactly(new ProviderLimit(Kind.REQUESTS, "anthropic", 3, null, Duration.ZERO, false));
	}

	@Test
	void ietfFieldsAreRead() {
		assertThat(limits(Map.of("RateLimit-Limit", "100", "RateLimit-Remaining", "50", "RateLimit-Reset", "30")))
			.containsExactly(new ProviderLimit(Kind.QUOTA, "ietf", 50, 100L, Duration.ofSeconds(30), false));
	}

	@Test
	void structuredRateLimitFieldIsRead() {
		assertThat(limits(Map.of("RateLimit", "\"default\";r=50;t=30")))
			.containsExactly(new ProviderLimit(Kind.QUOTA, "ietf", 50, null, Duration.ofSeconds(30), false));
		assertThat(limits(Map.of("ratelimit", "\"burst\";r=5;t=1, \"daily, all\";r=900;t=3600")))
			.containsExactly(new ProviderLimit(Kind.QUOTA, "ietf", 5, null, Duration.ofSeconds(1), false),
					new ProviderLimit(Kind.QUOTA, "ietf", 900, null, Duration.ofHours(1), false));
		assertThat(limits(Map.of("RateLimit", "day;r=0"))).containsExactly(
				new ProviderLimit(Kind.QUOTA, "ietf", 0, null, null, false));
	}

	@Test
	void olderRateLimitDictionaryIsRead() {
		assertThat(limits(Map.of("RateLimit", "limit=100, remaining=50, reset=30")))
			.containsExactly(new ProviderLimit(Kind.QUOTA, "ietf", 50, 100L, Duration.ofSeconds(30), false));
	}

	@Test
	void retryAfterIsReadInMillisecondsSecondsOrAsADate() {
		assertThat(retryAfter(Map.of("retry-after-ms", "1500", "Retry-After", "9"))).isEqualTo(Duration.ofMillis(1500));
		assertThat(retryAfter(Map.of("Retry-After", "2"))).isEqualTo(Duration.ofSeconds(2));
		assertThat(retryAfter(Map.of("Retry-After",
				DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(5).atOffset(ZoneOffset.UTC)))))
			.isEqualTo(Duration.ofSeconds(5));
		assertThat(retryAfter(Map.of("Content-Type", "text/plain"))).isNull();
	}

	@Test
	void malformedValuesAreIgnoredWithOneWarningPerHeaderName(CapturedOutput output) {
		Map<String, String> malformed = new LinkedHashMap<>();
		malformed.put("x-ratelimit-remaining-requests", "many");
		malformed.put("x-ratelimit-remaining-tokens", "100");
		malformed.put("x-ratelimit-reset-tokens", "soon");
		malformed.put("x-ratelimit-limit-tokens", "-5");
		malformed.put("anthropic-ratelimit-tokens-remaining", "10");
		malformed.put("anthropic-ratelimit-tokens-reset", "tomorrow");
		malformed.put("RateLimit-Remaining", "-1");
		malformed.put("RateLimit", "\"default\";r=lots;t=30");
		malformed.put("Retry-After", "whenever");

		for (int i = 0; i < 3; i++) {
			assertThat(limits(malformed)).as("values that could be read are kept").containsExactly(
					new ProviderLimit(Kind.TOKENS, "openai", 100, null, null, false),
					new ProviderLimit(Kind.TOKENS, "anthropic", 10, null, null, false));
			assertThat(retryAfter(malformed)).isNull();
		}

		assertThat(this.headers.warnedHeaders()).containsExactlyInAnyOrder("x-ratelimit-remaining-requests",
				"x-ratelimit-reset-tokens", "x-ratelimit-limit-tokens", "anthropic-ratelimit-tokens-reset",
				"ratelimit-remaining", "ratelimit", "retry-after");
		for (String header : this.headers.warnedHeaders()) {
			assertThat(output.getOut().split("malformed '" + header + "'", -1)).as(header).hasSize(2);
		}
	}

	@Test
	void otherMalformedStructuredFieldsAreIgnored() {
		for (String value : List.of("", ",", "\"p\";t=30", "\"p\";r", "r=5", "limit=100, remaining=x",
				"limit=a, remaining=5", "remaining=5, reset=never")) {
			assertThat(limits(Map.of("RateLimit", value))).as(value).isEmpty();
		}
	}

	private Duration retryAfter(Map<String, String> response) {
		return this.headers.retryAfter(RateLimitHeaders.relevant(response), NOW);
	}

}
