package io.lionfuncs.network;

import java.util.concurrent.CompletionStage;

import io.lionfuncs.network.limit.TokenBucket;
import org.jspecify.annotations.Nullable;

/**
 * Reserves the tokens of the calls leaving the queue in both buckets, and gives them
 * back when a call does not leave after all. A reservation takes the tokens now (the
 * bucket may go into debt) and tells how long until they exist.
 */
final class Reservations {

	private final TokenBucket requestsBucket;

	private final @Nullable TokenBucket apiTokensBucket;

	private final boolean synchronous;

	Reservations(TokenBucket requestsBucket, @Nullable TokenBucket apiTokensBucket) {
		this.requestsBucket = requestsBucket;
		this.apiTokensBucket = apiTokensBucket;
		this.synchronous = requestsBucket.isSynchronous() && (apiTokensBucket == null || apiTokensBucket.isSynchronous());
	}

	/**
	 * Whether both buckets answer without I/O, so that {@link #reserve} may be used.
	 */
	boolean isSynchronous() {
		return this.synchronous;
	}

	/**
	 * The most API tokens one request may need: the API-token bucket's capacity.
	 * @return the capacity, or {@code Long.MAX_VALUE} without an API-token bucket
	 */
	long maxApiTokens() {
		return (this.apiTokensBucket != null) ? this.apiTokensBucket.settings().capacity() : Long.MAX_VALUE;
	}

	/**
	 * Reserves the tokens of a batch, in order. The request tokens of the whole batch are
	 * taken in one reservation when they all exist now; otherwise they are given back and
	 * taken one task at a time, so that each task waits only for its own token.
	 * @param delays receives each task's wait in nanoseconds
	 */
	void reserve(ExecutorTask[] batch, long[] delays, int size) {
		boolean allNow = false;
		if (size > 1 && size <= this.requestsBucket.settings().capacity()) {
			long delay = this.requestsBucket.reserve(size);
			allNow = delay == 0;
			if (!allNow && delay != Long.MAX_VALUE) {
				this.requestsBucket.refund(size);
			}
		}
		TokenBucket apiTokens = this.apiTokensBucket;
		for (int i = 0; i < size; i++) {
			ExecutorTask task = batch[i];
			long delay = allNow ? 0 : this.requestsBucket.reserve(1);
			long needed = task.apiTokens();
			boolean withApiTokens = apiTokens != null && needed > 0;
			if (withApiTokens) {
				delay = Math.max(delay, apiTokens.reserve(needed));
			}
			task.markReservedWhileTaken(withApiTokens);
			delays[i] = delay;
		}
	}

	/**
	 * Reserves one task's tokens without blocking, for buckets kept in a remote store.
	 * @return a stage completing with the wait in nanoseconds
	 */
	CompletionStage<Long> reserveAsync(ExecutorTask task) {
		CompletionStage<Long> delay = this.requestsBucket.reserveAsync(1);
		TokenBucket apiTokens = this.apiTokensBucket;
		long needed = task.apiTokens();
		boolean withApiTokens = apiTokens != null && needed > 0;
		if (withApiTokens) {
			delay = delay.thenCombine(apiTokens.reserveAsync(needed), Math::max);
		}
		return delay.thenApply((nanos) -> {
			task.markReserved(withApiTokens);
			return nanos;
		});
	}

	/**
	 * Gives back a task's tokens if they were reserved and not given back yet.
	 */
	void refundIfReserved(ExecutorTask task) {
		if (task.claimRefund()) {
			this.requestsBucket.refund(1);
			TokenBucket apiTokens = this.apiTokensBucket;
			if (apiTokens != null && task.reservedApiTokens()) {
				apiTokens.refund(task.apiTokens());
			}
		}
	}

}
