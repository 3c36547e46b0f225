package io.lionfuncs.network.limit;

import java.time.Duration;

/**
 * Shape of one token bucket: {@code rate} tokens are added every {@code period},
 * continuously (greedy refill), and the bucket holds at most {@code capacity} tokens.
 *
 * @param capacity the burst size, at least one token
 * @param rate tokens added per period, greater than zero
 * @param period the refill period, greater than zero
 */
public record BucketSettings(long capacity, double rate, Duration period) {

	/** The fastest refill Bucket4j supports: one token per nanosecond. */
	public static final double MAX_TOKENS_PER_NANOSECOND = 1.0;

	public BucketSettings {
		if (capacity < 1) {
			throw new IllegalArgumentException("Bucket capacity must be at least 1 token but was " + capacity);
		}
		if (!(rate > 0) || Double.isInfinite(rate)) {
			throw new IllegalArgumentException("Bucket rate must be a finite number greater than 0 but was " + rate);
		}
		if (period == null || period.isZero() || period.isNegative()) {
			throw new IllegalArgumentException("Bucket period must be greater than 0 but was " + period);
		}
		if (rate / period.toNanos() > MAX_TOKENS_PER_NANOSECOND) {
			throw new IllegalArgumentException("Bucket rate " + rate + " per " + period
					+ " is faster than the supported maximum of 1 token per nanosecond");
		}
	}

	/**
	 * The most calls of one token each that may leave in a window of the given length:
	 * {@code capacity + rate * window / period}.
	 * @param window the window length
	 * @return the bound, in tokens
	 */
	public double maxTokensIn(Duration window) {
		return this.capacity + this.rate * window.toNanos() / this.period.toNanos();
	}

	/**
	 * Tokens added per second by the refill.
	 * @return the refill rate per second
	 */
	public double tokensPerSecond() {
		return this.rate * 1_000_000_000.0 / this.period.toNanos();
	}

}
