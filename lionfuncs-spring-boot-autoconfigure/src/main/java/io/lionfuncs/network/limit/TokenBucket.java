package io.lionfuncs.network.limit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A token bucket that <em>reserves</em> tokens: a reservation takes the tokens at once
 * (the bucket may go into debt) and tells the caller how long to wait until they exist.
 * Waiters are therefore served in the order they reserved, and no window of length
 * {@code T} releases more than {@code capacity + rate * T / period} tokens.
 */
public interface TokenBucket extends BucketView {

	/**
	 * Whether {@link #reserve(long)} answers without I/O. Buckets kept in a remote store
	 * answer only through {@link #reserveAsync(long)}.
	 * @return {@code true} for a bucket held in this process
	 */
	@Override
	default boolean isSynchronous() {
		return true;
	}

	/**
	 * Takes {@code tokens} now, possibly into debt.
	 * @param tokens tokens to take, at least one and at most the capacity
	 * @return nanoseconds until the taken tokens exist; zero when they exist already
	 * @throws UnsupportedOperationException when the bucket is not synchronous
	 */
	long reserve(long tokens);

	/**
	 * Takes {@code tokens} now, possibly into debt, without blocking the caller.
	 * @param tokens tokens to take, at least one and at most the capacity
	 * @return a stage completing with the nanoseconds until the tokens exist
	 */
	default CompletionStage<Long> reserveAsync(long tokens) {
		try {
			return CompletableFuture.completedFuture(reserve(tokens));
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	/**
	 * Gives back tokens that were reserved but not used (a cancelled call, or a call that
	 * used fewer API tokens than estimated). The level never rises above the capacity.
	 * @param tokens tokens to give back, at least one
	 */
	void refund(long tokens);

	/**
	 * Takes tokens whatever the level, for usage found only after the call (the bucket
	 * may go into debt and delay later reservations).
	 * @param tokens tokens to take, at least one
	 */
	void forceConsume(long tokens);

}
