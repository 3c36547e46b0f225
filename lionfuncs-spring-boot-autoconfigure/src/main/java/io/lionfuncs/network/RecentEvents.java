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

	private final AtomicReferenceArray<NetworkRequestEvent> ring;

	private final AtomicLong next = new AtomicLong();

	RecentEvents(int capacity) {
		this.ring = new AtomicReferenceArray<>(capacity);
	}

	void add(NetworkRequestEvent event) {
		int capacity = this.ring.length();
		if (capacity > 0) {
			this.ring.setRelease((int) (this.next.getAndIncrement() % capacity), event);
		}
	}

	/**
	 * The kept events, newest first.
	 */
	List<NetworkRequestEvent> newestFirst() {
		int capacity = this.ring.length();
		long last = this.next.get();
		List<NetworkRequestEvent> events = new ArrayList<>(capacity);
		for (long i = last - 1; i >= 0 && i >= last - capacity; i--) {
			NetworkRequestEvent event = this.ring.get((int) (i % capacity));
			if (event != null) {
				events.add(event);
			}
		}
		return events;
	}

	@Nullable NetworkRequestEvent find(UUID requestId) {
		for (int i = 0; i < this.ring.length(); i++) {
			NetworkRequestEvent event = this.ring.get(i);
			if (event != null && event.hasRequestId(requestId)) {
				return event;
			}
		}
		return null;
	}

}
