package io.lionfuncs.network.client;

import java.time.Duration;
import java.util.Map;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link CircuitBreakerSettings}.
 */
class CircuitBreakerSettingsTests {

	@Test
	void defaultsAreTheSeeds() {
		assertThat(CircuitBreakerSettings.defaults())
			.isEqualTo(new CircuitBreakerSettings(5, Duration.ofSeconds(30), 1));
	}

	@Test
	void settingsMapOntoACountBasedWindowThatOpensWhenFull() {
		CircuitBreakerConfig config = CircuitBreakerSettings.builder()
			.failureThreshold(3)
			.recoveryTime(Duration.ofSeconds(12))
			.halfOpenMaxCalls(2)
			.build()
			.toCircuitBreakerConfig();

		assertThat(config.getSlidingWindowType()).isEqualTo(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED);
		assertThat(config.getSlidingWindowSize()).isEqualTo(3);
		assertThat(config.getMinimumNumberOfCalls()).isEqualTo(3);
		assertThat(config.getFailureRateThreshold()).isEqualTo(100.0f);
		assertThat(config.getWaitIntervalFunctionInOpenState().apply(1)).isEqualTo(12_000L);
		assertThat(config.getPermittedNumberOfCallsInHalfOpenState()).isEqualTo(2);
	}

	@Test
	void onlyServiceFailuresCountAndRateLimitsAreIgnored() {
		CircuitBreakerConfig config = CircuitBreakerSettings.defaults().toCircuitBreakerConfig();
		ExchangeDetails request = ExchangeDetails.request("GET", "https://api.example.com/v1/items");
		ExchangeDetails notFound = new ExchangeDetails("GET", "https://api.example.com/v1/items", 404, Map.of(), null,
				null);

		assertThat(config.getRecordExceptionPredicate().test(new ServerException("500", request, null))).isTrue();
		assertThat(config.getRecordExceptionPredicate().test(new ApiConnectionException("reset", request, false, null)))
			.isTrue();
		assertThat(config.getRecordExceptionPredicate().test(new ApiTimeoutException("slow", request, false, null)))
			.isTrue();
		assertThat(config.getRecordExceptionPredicate().test(new ResourceNotFoundException("404", notFound, null)))
			.isFalse();
		assertThat(config.getIgnoreExceptionPredicate().test(new RateLimitException("429", request, null))).isTrue();
	}

	@Test
	void invalidSettingsAreRefusedByName() {
		assertThatIllegalArgumentException().isThrownBy(() -> CircuitBreakerSettings.builder().failureThreshold(0).build())
			.withMessageContaining("failureThreshold");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> CircuitBreakerSettings.builder().recoveryTime(Duration.ZERO).build())
			.withMessageContaining("recoveryTime");
		assertThatIllegalArgumentException().isThrownBy(() -> CircuitBreakerSettings.builder().halfOpenMaxCalls(0).build())
			.withMessageContaining("halfOpenMaxCalls");
	}

}
