package io.lionfuncs.network.limit;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Counts calls in flight against a fixed limit without ever blocking: a caller either
 * gets a slot at once or leaves its task queued until a slot is released.
 */
public final class ConcurrencyLimiter {

	private final int limit;

	private final AtomicInteger inUse = new AtomicInteger();

	/**
	 * Creates a limiter.
	 * @param limit calls allowed in flight at once, at least one
	 */
	public ConcurrencyLimiter(int limit) {
		if (limit < 1) {
			throw new IllegalArgumentException("Concurrency limit must be at least 1 but was " + limit);
		}
		this.limit = limit;
	}

	/**
	 * Takes a slot if one is free.
	 * @return whether a slot was taken
	 */
	public boolean tryAcquire() {
		for (;;) {
			int current = this.inUse.get();
			if (current >= this.limit) {
				return false;
			}
			if (this.inUse.compareAndSet(current, current + 1)) {
				return true;
			}
		}
	}

	/**
	 * Takes as many of the wanted slots as are free, in one step.
	 * @param wanted the most slots to take
	 * @return how many were taken, from zero to {@code wanted}
	 */
	public int tryAcquireUpTo(int wanted) {
		for (;;) {
			int current = this.inUse.get();
			int taken = Math.min(wanted, this.limit - current);
			if (taken <= 0) {
				return 0;
			}
			if (this.inUse.compareAndSet(current, current + taken)) {
				return taken;
			}
		}
	}

	/**
	 * Gives a slot back.
	 * @throws IllegalStateException if no slot is held
	 */
	public void release() {
		release(1);
	}

	/**
	 * Gives slots back.
	 * @param slots how many
	 * @throws IllegalStateException if fewer slots are held
	 */
	public void release(int slots) {
		if (slots <= 0) {
			return;
		}
		if (this.inUse.getAndAdd(-slots) < slots) {
			this.inUse.addAndGet(slots);
			throw new IllegalStateException("Concurrency slot released more often than acquired");
		}
	}

	/**
	 * The configured limit.
	 * @return calls allowed in flight at once
	 */
	public int limit() {
		return this.limit;
	}

	/**
	 * Slots held now.
	 * @return calls in flight or about to start
	 */
	public int inUse() {
		return this.inUse.get();
	}

	/**
	 * Slots free now.
	 * @return {@code limit - inUse}
	 */
	public int available() {
		return this.limit - this.inUse.get();
	}

}
