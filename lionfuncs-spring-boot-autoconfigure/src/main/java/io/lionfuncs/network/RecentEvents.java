package io.lionfuncs.network;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.jspecify.annotations.Nullable;

/**
 * The last few finished requests, in a fixed ring, so that finished events stay
 * findable for a while without the executor's memory growing with the calls it made.
 */
final class RecentEvents {

	// A power of two at least the capacity, so that a slot is found by a mask.
	private final AtomicReferenceArray<NetworkRequestEvent> ring;

	private final int capacity;

	private final int mask;

	private final AtomicLong next = new AtomicLong();

	RecentEvents(int capacity) {
		this.capacity = capacity;
		int size = (capacity <= 1) ? capacity : Integer.highestOneBit(capacity - 1) << 1;
		this.ring = new AtomicReferenceArray<>(size);
		this.mask = size - 1;
	}

	void add(NetworkRequestEvent event) {
		if (this.capacity > 0) {
			long index = this.next.getAndIncrement();
			this.ring.setRelease((int) index & this.mask, event);
			if (this.mask >= this.capacity) {
				// The one that falls out of the last capacity entries is let go.
				this.ring.setRelease((int) (index - this.capacity) & this.mask, null);
			}
		}
	}

	/**
	 * The kept events, newest first.
	 */
	List<NetworkRequestEvent> newestFirst() {
		long last = this.next.get();
		List<NetworkRequestEvent> events = new ArrayList<>(this.capacity);
		for (long i = last - 1; i >= 0 && i >= last - this.capacity; i--) {
			NetworkRequestEvent event = this.ring.get((int) i & this.mask);
			if (event != null) {
				events.add(event);
			}
		}
		return events;
	}

	@Nullable NetworkRequestEvent find(UUID requestId) {
		for (NetworkRequestEvent event : newestFirst()) {
			if (event.hasRequestId(requestId)) {
				return event;
			}
		}
		return null;
	}

}
