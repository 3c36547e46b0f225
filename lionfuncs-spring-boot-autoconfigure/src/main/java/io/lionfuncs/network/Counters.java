package io.lionfuncs.network;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;

/**
 * An executor's counts: requests accepted and finished by status (a stop is complete
 * when those finished reach those accepted), rejections and waits for tokens. Striped, so that
 * submitters and dispatchers do not contend on one counter.
 */
final class Counters {

	private final LongAdder accepted = new LongAdder();

	private final LongAdder completed = new LongAdder();

	private final LongAdder failed = new LongAdder();

	private final LongAdder cancelled = new LongAdder();

	private final LongAdder rejected = new LongAdder();

	private final LongAdder rateLimitWaits = new LongAdder();

	private final LongAdder rateLimitWaitNanos = new LongAdder();

	void accepted() {
		this.accepted.increment();
	}

	void rejected() {
		this.rejected.increment();
	}

	void waitedForTokens(long nanos) {
		this.rateLimitWaits.increment();
		this.rateLimitWaitNanos.add(nanos);
	}

	/**
	 * Counts a request that reached its terminal status.
	 */
	void finished(RequestStatus status) {
		switch (status) {
			case COMPLETED -> this.completed.increment();
			case FAILED -> this.failed.increment();
			default -> this.cancelled.increment();
		}
	}

	/**
	 * Whether every accepted request has finished. Finished is read first: each finished
	 * request was accepted before, so equal sums leave none unfinished, and one accepted
	 * after the read of {@code accepted} sees the stop and is rejected.
	 */
	boolean allFinished() {
		long finished = this.completed.sum() + this.failed.sum() + this.cancelled.sum();
		return this.accepted.sum() == finished;
	}

	long completed() {
		return this.completed.sum();
	}

	long failed() {
		return this.failed.sum();
	}

	long cancelled() {
		return this.cancelled.sum();
	}

	long rejectedCount() {
		return this.rejected.sum();
	}

	long rateLimitWaits() {
		return this.rateLimitWaits.sum();
	}

	Duration rateLimitWaitTime() {
		return Duration.ofNanos(this.rateLimitWaitNanos.sum());
	}

}
