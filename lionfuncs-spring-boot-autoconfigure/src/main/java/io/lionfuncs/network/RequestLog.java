package io.lionfuncs.network;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A request's log: the latest entries only, with a count of those dropped. Guarded by
 * the monitor of the request's lifecycle.
 */
final class RequestLog {

	static final int DEFAULT_MAX_ENTRIES = 100;

	private final ArrayDeque<String> entries = new ArrayDeque<>(4);

	private int dropped;

	void add(String message, int maxEntries) {
		if (this.entries.size() >= maxEntries) {
			this.entries.pollFirst();
			this.dropped++;
		}
		this.entries.addLast(message);
	}

	/**
	 * The entries, oldest first, led by a note of how many were dropped.
	 */
	List<String> entries() {
		if (this.dropped == 0) {
			return List.copyOf(this.entries);
		}
		List<String> copy = new ArrayList<>(this.entries.size() + 1);
		copy.add("(" + this.dropped + " earlier entries dropped)");
		copy.addAll(this.entries);
		return List.copyOf(copy);
	}

}
