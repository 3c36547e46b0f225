package io.lionfuncs.network.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

import io.github.resilience4j.retry.RetryConfig;
import org.jspecify.annotations.Nullable;

/**
 * Retry settings under the seed's names, and the Resilience4j {@link RetryConfig} they
 * stand for. The config carries the whole retry policy, so a {@code Retry} built from it
 * anywhere (for example in Spring Boot's {@code RetryRegistry}) behaves as the client
 * expects:
 * <ul>
 * <li>at most {@code maxRetries} retries after the first attempt;</li>
 * <li>only {@linkplain ApiFailures#isRetryable retryable} failures are retried
 * (idempotency-aware);</li>
 * <li>the delay before retry {@code n} is {@code baseDelay × backoffFactor^(n−1)},
 * capped by {@code maxDelay}, and with {@code jitter} drawn uniformly from its upper
 * half;</li>
 * <li>a {@code Retry-After} is honoured: never retried earlier than it says, and not
 * retried at all when it asks for longer than {@code maxDelay} (the caller gets the
 * exception and its {@code retryAfter()} instead of a request held that long).</li>
 * </ul>
 *
 * @param maxRetries retries after the first attempt, zero or more
 * @param baseDelay delay before the first retry
 * @param maxDelay longest delay before a retry, and longest {@code Retry-After} waited
 * for
 * @param backoffFactor growth of the delay from one retry to the next, at least 1
 * @param jitter whether to randomise each delay within its upper half, so that clients
 * failing together do not retry together
 */
public record RetrySettings(int maxRetries, Duration baseDelay, Duration maxDelay, double backoffFactor,
		boolean jitter) {

	private static final RetrySettings DEFAULTS = new RetrySettings(3, Duration.ofSeconds(1), Duration.ofSeconds(30),
			2.0, true);

	public RetrySettings {
		if (maxRetries < 0) {
			throw new IllegalArgumentException("maxRetries must be 0 or more but was " + maxRetries);
		}
		if (baseDelay == null || baseDelay.isNegative()) {
			throw new IllegalArgumentException("baseDelay must be zero or positive but was " + baseDelay);
		}
		if (maxDelay == null || maxDelay.compareTo(baseDelay) < 0) {
			throw new IllegalArgumentException(
					"maxDelay must be at least baseDelay (" + baseDelay + ") but was " + maxDelay);
		}
		if (!(backoffFactor >= 1.0) || Double.isInfinite(backoffFactor)) {
			throw new IllegalArgumentException("backoffFactor must be 1 or more but was " + backoffFactor);
		}
	}

	/**
	 * The seed's defaults: 3 retries, 1 s base delay, 30 s max delay, factor 2, jitter.
	 * @return the default settings
	 */
	public static RetrySettings defaults() {
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
	 * The delay before a retry, without jitter: {@code baseDelay × backoffFactor^(n−1)},
	 * capped by {@code maxDelay}.
	 * @param retry the retry's number, from 1
	 * @return the delay
	 */
	public Duration backoff(int retry) {
		if (retry < 1) {
			throw new IllegalArgumentException("retry must be 1 or more but was " + retry);
		}
		double nanos = this.baseDelay.toNanos() * Math.pow(this.backoffFactor, retry - 1);
		long maxNanos = this.maxDelay.toNanos();
		return Duration.ofNanos((nanos >= maxNanos) ? maxNanos : (long) nanos);
	}

	/**
	 * The delay before a retry after a failure: the (jittered) backoff, or the failure's
	 * {@code Retry-After} when that is longer.
	 * @param retry the retry's number, from 1
	 * @param failure the failure that caused the retry, or {@code null}
	 * @return the delay
	 */
	public Duration delayBefore(int retry, @Nullable Throwable failure) {
		return delayBefore(retry, failure, () -> ThreadLocalRandom.current().nextDouble());
	}

	Duration delayBefore(int retry, @Nullable Throwable failure, DoubleSupplier random) {
		Duration backoff = backoff(retry);
		if (this.jitter) {
			long nanos = backoff.toNanos();
			backoff = Duration.ofNanos(nanos / 2 + (long) ((nanos - nanos / 2) * random.getAsDouble()));
		}
		Duration retryAfter = ApiFailures.retryAfter(failure);
		return (retryAfter != null && retryAfter.compareTo(backoff) > 0) ? retryAfter : backoff;
	}

	/**
	 * Whether a failure is retried under these settings: it is
	 * {@linkplain ApiFailures#isRetryable retryable} and any {@code Retry-After} it
	 * carries is within {@code maxDelay}.
	 * @param failure the failure of one attempt
	 * @return whether to retry
	 */
	public boolean isRetryable(Throwable failure) {
		if (!ApiFailures.isRetryable(failure)) {
			return false;
		}
		Duration retryAfter = ApiFailures.retryAfter(failure);
		return retryAfter == null || retryAfter.compareTo(this.maxDelay) <= 0;
	}

	/**
	 * The Resilience4j configuration for these settings, carrying every rule above.
	 * @return the retry configuration
	 */
	public RetryConfig toRetryConfig() {
		return RetryConfig.custom()
			.maxAttempts(this.maxRetries + 1)
			.retryOnException(this::isRetryable)
			.intervalBiFunction((retry, outcome) -> toMillis(
					delayBefore(retry, (outcome != null && outcome.isLeft()) ? outcome.getLeft() : null)))
			.build();
	}

	private static long toMillis(Duration delay) {
		// Round up: a Retry-After must never be cut short.
		long millis = delay.toMillis();
		return (delay.minusMillis(millis).isZero()) ? millis : millis + 1;
	}

	/**
	 * Builds {@link RetrySettings}.
	 */
	public static final class Builder {

		private int maxRetries;

		private Duration baseDelay;

		private Duration maxDelay;

		private double backoffFactor;

		private boolean jitter;

		private Builder(RetrySettings settings) {
			this.maxRetries = settings.maxRetries;
			this.baseDelay = settings.baseDelay;
			this.maxDelay = settings.maxDelay;
			this.backoffFactor = settings.backoffFactor;
			this.jitter = settings.jitter;
		}

		/**
		 * Retries after the first attempt.
		 * @param maxRetries zero or more
		 * @return this builder
		 */
		public Builder maxRetries(int maxRetries) {
			this.maxRetries = maxRetries;
			return this;
		}

		/**
		 * Delay before the first retry.
		 * @param baseDelay zero or positive
		 * @return this builder
		 */
		public Builder baseDelay(Duration baseDelay) {
			this.baseDelay = baseDelay;
			return this;
		}

		/**
		 * Longest delay before a retry, and longest {@code Retry-After} waited for.
		 * @param maxDelay at least {@code baseDelay}
		 * @return this builder
		 */
		public Builder maxDelay(Duration maxDelay) {
			this.maxDelay = maxDelay;
			return this;
		}

		/**
		 * Growth of the delay from one retry to the next.
		 * @param backoffFactor 1 or more
		 * @return this builder
		 */
		public Builder backoffFactor(double backoffFactor) {
			this.backoffFactor = backoffFactor;
			return this;
		}

		/**
		 * Whether to randomise each delay within its upper half.
		 * @param jitter whether to add jitter
		 * @return this builder
		 */
		public Builder jitter(boolean jitter) {
			this.jitter = jitter;
			return this;
		}

		/**
		 * Builds the settings.
		 * @return the settings
		 * @throws IllegalArgumentException naming the first invalid setting
		 */
		public RetrySettings build() {
			return new RetrySettings(this.maxRetries, this.baseDelay, this.maxDelay, this.backoffFactor,
					this.jitter);
		}

	}

}
