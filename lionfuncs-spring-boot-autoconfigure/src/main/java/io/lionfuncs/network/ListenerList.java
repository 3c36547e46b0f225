package io.lionfuncs.network;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * A copy-on-write list of listeners: read on every notification without a lock or an
 * allocation, copied on the rare change.
 *
 * @param <L> the listener type
 */
final class ListenerList<L> {

	private final L[] none;

	private volatile L[] listeners;

	ListenerList(L[] none, Collection<? extends L> initial) {
		this.none = none;
		this.listeners = initial.toArray(none);
	}

	/**
	 * The listeners now; never modify the array.
	 */
	L[] current() {
		return this.listeners;
	}

	boolean isEmpty() {
		return this.listeners.length == 0;
	}

	synchronized void add(L listener) {
		Objects.requireNonNull(listener, "listener must not be null");
		L[] current = this.listeners;
		L[] updated = Arrays.copyOf(current, current.length + 1);
		updated[current.length] = listener;
		this.listeners = updated;
	}

	synchronized boolean remove(L listener) {
		List<L> current = new ArrayList<>(Arrays.asList(this.listeners));
		boolean removed = current.remove(listener);
		this.listeners = current.toArray(this.none);
		return removed;
	}

}
