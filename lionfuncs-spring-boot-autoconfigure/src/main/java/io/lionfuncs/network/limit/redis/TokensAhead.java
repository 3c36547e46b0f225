package io.lionfuncs.network.limit.redis;

import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * The tokens one replica reserved in a shared bucket for calls that start later: the
 * debt a Redis that lost its data (restarted, or failed over to a replica behind it) no
 * longer knows about, and that this replica must take again so that those calls and the
 * ones after them keep within the budget.
 */
final class TokensAhead {

	/** More than any executor keeps waiting; beyond it the oldest are forgotten. */
	private static final int MAX_KEPT = 100_000;

	private final ArrayDeque<long[]> reserved = new ArrayDeque<>();

	/**
	 * Notes a reservation whose tokens exist only later.
	 * @param instantNanos when they exist, on the buckets' wall clock
	 * @param tokens how many
	 * @param nowNanos now, on the same clock
	 */
	synchronized void add(long instantNanos, long tokens, long nowNanos) {
		// Reservations of one bucket are made in order, so passed ones gather at the head.
		while (!this.reserved.isEmpty() && (this.reserved.peekFirst()[0] <= nowNanos
				|| this.reserved.size() >= MAX_KEPT)) {
			this.reserved.pollFirst();
		}
		this.reserved.addLast(new long[] { instantNanos, tokens });
	}

	/**
	 * The tokens reserved for instants still ahead.
	 * @param nowNanos now, on the buckets' wall clock
	 * @return the tokens
	 */
	synchronized long after(long nowNanos) {
		long tokens = 0;
		for (Iterator<long[]> it = this.reserved.iterator(); it.hasNext();) {
			long[] next = it.next();
			if (next[0] <= nowNanos) {
				it.remove();
			}
			else {
				tokens += next[1];
			}
		}
		return tokens;
	}

}
