package io.lionfuncs.network.client;

import java.time.Duration;

import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;

/**
 * Circuit breaker settings under the seed's names, and the Resilience4j
 * {@link CircuitBreakerConfig} they stand for:
 * <ul>
 * <li>the breaker opens after {@code failureThreshold} consecutive
 * {@linkplain ApiFailures#isServiceFailure service failures} (a count-based window of
 * that size, all of it failed); 4xx responses count as successes, since the service
 * answered, and 429 counts as neither;</li>
 * <li>an open breaker refuses calls for {@code recoveryTime}, then lets
 * {@code halfOpenMaxCalls} trial calls through (half-open);</li>
 * <li>once the trial calls have finished, it closes unless every one of them failed,
 * and opens again otherwise. Resilience4j resets its counts on every transition, so the
 * breaker never sticks in half-open or keeps an old failure count.</li>
 * </ul>
 *
 * @param failureThreshold consecutive failures that open the breaker, at least 1
 * @param recoveryTime how long the breaker stays open before trial calls, positive
 * @param halfOpenMaxCalls trial calls let through while half-open, at least 1
 */
public record CircuitBreakerSettings(int failureThreshold, Duration recoveryTime, int halfOpenMaxCalls) {

	private static final CircuitBreakerSettings DEFAULTS = new CircuitBreakerSettings(5, Duration.ofSeconds(30), 1);

	public CircuitBreakerSettings {
		if (failureThreshold < 1) {
			throw new IllegalArgumentException("failureThreshold must be 1 or more but was " + failureThreshold);
		}
		if (recoveryTime == null || recoveryTime.isNegative() || recoveryTime.isZero()) {
			throw new IllegalArgumentException("recoveryTime must be positive but was " + recoveryTime);
		}
		if (halfOpenMaxCalls < 1) {
			throw new IllegalArgumentException("halfOpenMaxCalls must be 1 or more but was " + halfOpenMaxCalls);
		}
	}

	/**
	 * The seed's defaults: 5 failures, 30 s recovery time, 1 half-open call.
	 * @return the default settings
	 */
	public static CircuitBreakerSettings defaults() {
		return DEFAULTS;
	}

	/**
	 * A builder starting from the defaults.
	 * @return a builder
	 */
	public static Builder builder() {
		return new Builder(DEFAULTS);
	}

	/**
	 * A builder starting from these settings.
	 * @return a builder
	 */
	public Builder toBuilder() {
		return new Builder(this);
	}

	/**
	 * The Resilience4j configuration for these settings.
	 * @return the circuit breaker configuration
	 */
	public CircuitBreakerConfig toCircuitBreakerConfig() {
		return CircuitBreakerConfig.custom()
			.slidingWindow(this.failureThreshold, this.failureThreshold, SlidingWindowType.COUNT_BASED)
			.failureRateThreshold(100.0f)
			.waitDurationInOpenState(this.recoveryTime)
			.permittedNumberOfCallsInHalfOpenState(this.halfOpenMaxCalls)
			.recordException(ApiFailures::isServiceFailure)
			.ignoreException(ApiFailures::isRateLimited)
			.build();
	}

	/**
	 * Builds {@link CircuitBreakerSettings}.
	 */
	public static final class Builder {

		private int failureThreshold;

		private Duration recoveryTime;

		private int halfOpenMaxCalls;

		private Builder(CircuitBreakerSettings settings) {
			this.failureThreshold = settings.failureThreshold;
			this.recoveryTime = settings.recoveryTime;
			this.halfOpenMaxCalls = settings.halfOpenMaxCalls;
		}

		/**
		 * Consecutive service failures that open the breaker.
		 * @param failureThreshold 1 or more
		 * @return this builder
		 */
		public Builder failureThreshold(int failureThreshold) {
			this.failureThreshold = failureThreshold;
			return this;
		}

		/**
		 * How long the breaker stays open before letting trial calls through.
		 * @param recoveryTime positive
		 * @return this builder
		 */
		public Builder recoveryTime(Duration recoveryTime) {
			this.recoveryTime = recoveryTime;
			return this;
		}

		/**
		 * Trial calls let through while half-open.
		 * @param halfOpenMaxCalls 1 or more
		 * @return this builder
		 */
		public Builder halfOpenMaxCalls(int halfOpenMaxCalls) {
			this.halfOpenMaxCalls = halfOpenMaxCalls;
			return this;
		}

		/**
		 * Builds the settings.
		 * @return the settings
		 * @throws IllegalArgumentException naming the first invalid setting
		 */
		public CircuitBreakerSettings build() {
			return new CircuitBreakerSettings(this.failureThreshold, this.recoveryTime, this.halfOpenMaxCalls);
		}

	}

}
