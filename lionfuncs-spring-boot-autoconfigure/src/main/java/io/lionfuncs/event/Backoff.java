package io.lionfuncs.event;

/**
 * When a lane tries a failing handler again: after the first failure the initial delay,
 * doubled after each further failure up to the maximum, back to the initial delay after
 * a success. Times are {@link System#nanoTime()} values passed in, so that it is tested
 * without waiting.
 * <p>
 * Not thread-safe: the lane guards it with its lock.
 */
final class Backoff {

	private final long initialNanos;

	private final long maxNanos;

	private long delayNanos;

	private long nextAttemptNanos;

	private boolean waiting;

	Backoff(long initialNanos, long maxNanos) {
		this.initialNanos = initialNanos;
		this.maxNanos = Math.max(maxNanos, initialNanos);
		this.delayNanos = initialNanos;
	}

	/**
	 * Records a failed attempt at {@code now}: the next waits the current delay. Failures
	 * of attempts made before the delay began (several were in flight) count once.
	 */
	void failed(long now) {
		if (this.waiting && now - this.nextAttemptNanos < 0) {
			return;
		}
		this.nextAttemptNanos = now + this.delayNanos;
		this.delayNanos = Math.min(this.maxNanos, this.delayNanos * 2);
		this.waiting = true;
	}

	/** Records a success: the next failure waits the initial delay again. */
	void succeeded() {
		this.delayNanos = this.initialNanos;
		this.waiting = false;
	}

	/** Lets the next attempt happen now, as after a success. */
	void reset() {
		succeeded();
	}

	/**
	 * How long until the next attempt may be made.
	 * @param now the current time
	 * @return the nanoseconds, {@code 0} or less when it may be made now
	 */
	long remaining(long now) {
		return this.waiting ? this.nextAttemptNanos - now : 0;
	}

}
