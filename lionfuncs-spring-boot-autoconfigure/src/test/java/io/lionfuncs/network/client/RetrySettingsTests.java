package io.lionfuncs.network.client;

import java.time.Duration;
import java.util.Map;

import io.github.resilience4j.core.functions.Either;
import io.github.resilience4j.retry.RetryConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link RetrySettings}.
 */
class RetrySettingsTests {

	@Test
	void defaultsAreTheSeeds() {
		RetrySettings settings = RetrySettings.defaults();

		assertThat(settings.maxRetries()).isEqualTo(3);
		assertThat(settings.baseDelay()).isEqualTo(Duration.ofSeconds(1));
		assertThat(settings.maxDelay()).isEqualTo(Duration.ofSeconds(30));
		assertThat(settings.backoffFactor()).isEqualTo(2.0);
		assertThat(settings.jitter()).isTrue();
	}

	@Test
	void invalidSettingsAreRefusedByName() {
		assertThatIllegalArgumentException().isThrownBy(() -> RetrySettings.builder().maxRetries(-1).build())
			.withMessageContaining("maxRetries");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RetrySettings.builder().baseDelay(Duration.ofMillis(-1)).build())
			.withMessageContaining("baseDelay");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RetrySettings.builder().maxDelay(Duration.ofMillis(10)).build())
			.withMessageContaining("maxDelay");
		assertThatIllegalArgumentException().isThrownBy(() -> RetrySettings.builder().backoffFactor(0.5).build())
			.withMessageContaining("backoffFactor");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RetrySettings.builder().backoffFactor(Double.NaN).build())
			.withMessageContaining("backoffFactor");
	}

	@Test
	void backoffGrowsByTheFactorAndIsCappedByMaxDelay() {
		RetrySettings settings = RetrySettings.builder().maxDelay(Duration.ofSeconds(5)).build();

		assertThat(settings.backoff(1)).isEqualTo(Duration.ofSeconds(1));
		assertThat(settings.backoff(2)).isEqualTo(Duration.ofSeconds(2));
		assertThat(settings.backoff(3)).isEqualTo(Duration.ofSeconds(4));
		assertThat(settings.backoff(4)).isEqualTo(Duration.ofSeconds(5));
		assertThat(settings.backoff(500)).isEqualTo(Duration.ofSeconds(5));
	}

	@Test
	void jitterStaysInTheUpperHalfOfTheBackoff() {
		RetrySettings settings = RetrySettings.defaults();

		assertThat(settings.delayBefore(3, null, () -> 0.0)).isEqualTo(Duration.ofSeconds(2));
		assertThat(settings.delayBefore(3, null, () -> 0.5)).isEqualTo(Duration.ofSeconds(3));
		assertThat(settings.delayBefore(3, null, () -> 0.9999)).isBetween(Duration.ofMillis(3999),
				Duration.ofSeconds(4));
		for (int i = 0; i < 1000; i++) {
			assertThat(settings.delayBefore(2, null)).isBetween(Duration.ofSeconds(1), Duration.ofSeconds(2));
		}
		assertThat(settings.toBuilder().jitter(false).build().delayBefore(2, null, () -> 0.0))
			.isEqualTo(Duration.ofSeconds(2));
	}

	@Test
	void retryAfterWinsWhenLongerThanTheBackoff() {
		RetrySettings settings = RetrySettings.builder().jitter(false).build();

		assertThat(settings.delayBefore(1, rateLimited(Duration.ofSeconds(7)))).isEqualTo(Duration.ofSeconds(7));
		assertThat(settings.delayBefore(3, rateLimited(Duration.ofSeconds(1)))).isEqualTo(Duration.ofSeconds(4));
	}

	@Test
	void aRetryAfterLongerThanMaxDelayIsNotWaitedFor() {
		RetrySettings settings = RetrySettings.defaults();

		assertThat(settings.isRetryable(rateLimited(Duration.ofSeconds(30)))).isTrue();
		assertThat(settings.isRetryable(rateLimited(Duration.ofSeconds(31)))).isFalse();
		assertThat(settings.isRetryable(rateLimited(null))).isTrue();
	}

	@Test
	void retryConfigCarriesTheRules() {
		RetrySettings settings = RetrySettings.builder().maxRetries(2).jitter(false).build();

		RetryConfig config = settings.toRetryConfig();

		assertThat(config.getMaxAttempts()).isEqualTo(3);
		assertThat(config.getExceptionPredicate().test(rateLimited(null))).isTrue();
		assertThat(config.getExceptionPredicate().test(status("POST", 500))).isFalse();
		assertThat(config.getExceptionPredicate().test(status("GET", 502))).isTrue();
		assertThat(config.getExceptionPredicate().test(new IllegalStateException())).isFalse();
		assertThat(config.getIntervalBiFunction().apply(2, Either.left(status("GET", 502)))).isEqualTo(2000L);
		assertThat(config.getIntervalBiFunction().apply(1, Either.left(rateLimited(Duration.ofMillis(2500)))))
			.isEqualTo(2500L);
	}

	@Test
	void intervalsAreRoundedUpToWholeMilliseconds() {
		RetrySettings settings = RetrySettings.builder()
			.baseDelay(Duration.ofNanos(1_500_000))
			.maxDelay(Duration.ofSeconds(1))
			.jitter(false)
			.build();

		RetryConfig config = settings.toRetryConfig();

		assertThat(config.getIntervalBiFunction().apply(1, Either.left(status("GET", 502)))).isEqualTo(2L);
		assertThat(config.getIntervalBiFunction().apply(1, Either.left(rateLimited(Duration.ofNanos(3_000_001)))))
			.as("a Retry-After is never cut short by rounding")
			.isEqualTo(4L);
	}

	static RateLimitException rateLimited(Duration retryAfter) {
		return new RateLimitException("429",
				new ExchangeDetails("POST", "https://api.example.com/v1/chat", 429, Map.of(), null, retryAfter), null);
	}

	static ApiClientException status(String method, int status) {
		ExchangeDetails details = new ExchangeDetails(method, "https://api.example.com/v1/chat", status, Map.of(),
				null, null);
		return (status >= 500) ? new ServerException("status", details, null)
				: new ApiClientException("status", details, null);
	}

}
