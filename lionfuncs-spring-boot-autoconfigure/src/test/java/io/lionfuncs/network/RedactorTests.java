package io.lionfuncs.network;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Redactor}.
 */
class RedactorTests {

	@Test
	void defaultHeadersAreRedactedInAnyCase() {
		Map<String, Object> headers = new LinkedHashMap<>();
		headers.put("authorization", "Bearer a");
		headers.put("PROXY-AUTHORIZATION", "Basic b");
		headers.put("Cookie", "c");
		headers.put("Set-Cookie", List.of("d=1", "e=2"));
		headers.put("x-api-key", "f");
		headers.put("Api-Key", "g");
		headers.put("Content-Type", "application/json");

		Map<String, String> redacted = Redactor.defaults().headers(headers);

		assertThat(redacted).containsExactly(Map.entry("authorization", Redactor.MASK),
				Map.entry("PROXY-AUTHORIZATION", Redactor.MASK), Map.entry("Cookie", Redactor.MASK),
				Map.entry("Set-Cookie", Redactor.MASK), Map.entry("x-api-key", Redactor.MASK),
				Map.entry("Api-Key", Redactor.MASK), Map.entry("Content-Type", "application/json"));
	}

	@Test
	void credentialLookingNamesAreRedactedButRateLimitHeadersAreNot() {
		Redactor redactor = Redactor.defaults();

		assertThat(redactor.isSensitive("X-Goog-Api-Key")).isTrue();
		assertThat(redactor.isSensitive("X-Auth-Token")).isTrue();
		assertThat(redactor.isSensitive("X-Client-Secret")).isTrue();
		assertThat(redactor.isSensitive("x-ratelimit-remaining-tokens")).isFalse();
		assertThat(redactor.isSensitive("anthropic-ratelimit-tokens-reset")).isFalse();
		assertThat(redactor.isSensitive("Retry-After")).isFalse();
	}

	@Test
	void configuredNamesAddToTheDefaults() {
		Redactor redactor = Redactor.withAdditionalNames(List.of("X-Tenant"));

		assertThat(redactor.isSensitive("x-tenant")).isTrue();
		assertThat(redactor.isSensitive("Authorization")).isTrue();
	}

	@Test
	void urlLosesUserInfoAndSensitiveQueryValues() {
		assertThat(Redactor.defaults().url("https://bob:hunter2@api.example.com/v1?key=abc&page=2&access_token=t#top"))
			.isEqualTo("https://api.example.com/v1?key=******&page=2&access_token=******#top");
		assertThat(Redactor.defaults().url("/v1/models/{id}")).isEqualTo("/v1/models/{id}");
	}

	@Test
	void anImmutableMapWithNothingToMaskIsSharedAndAnyOtherIsCopied() {
		Map<String, String> clean = Map.of("Content-Type", "application/json", "Accept", "text/plain");
		Map<String, String> secret = Map.of("Authorization", "Bearer sk-secret");
		Map<String, String> mutable = new LinkedHashMap<>(clean);

		assertThat(Redactor.defaults().headers(clean)).isSameAs(clean);
		assertThat(Redactor.defaults().headers(secret)).isNotSameAs(secret)
			.containsExactly(Map.entry("Authorization", Redactor.MASK));
		Map<String, String> copy = Redactor.defaults().headers(mutable);
		mutable.put("Cookie", "sid=1");
		assertThat(copy).isNotSameAs(mutable).doesNotContainKey("Cookie");
	}

}
