package io.lionfuncs.event;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A test handler that records the uids it is sent, and the threads it is called on,
 * and answers as its behaviour says.
 */
class RecordingHandler implements EventHandler {

	private final String name;

	private volatile Predicate<Event> behaviour;

	final List<String> received = new CopyOnWriteArrayList<>();

	final List<String> taken = new CopyOnWriteArrayList<>();

	final List<String> threads = new CopyOnWriteArrayList<>();

	RecordingHandler(String name) {
		this(name, (event) -> true);
	}

	RecordingHandler(String name, Predicate<Event> behaviour) {
		this.name = name;
		this.behaviour = behaviour;
	}

	static RecordingHandler throwing(String name) {
		return new RecordingHandler(name, (event) -> {
			throw new IllegalStateException("boom");
		});
	}

	static RecordingHandler refusing(String name) {
		return new RecordingHandler(name, (event) -> false);
	}

	void behave(Predicate<Event> behaviour) {
		this.behaviour = behaviour;
	}

	@Override
	public String getName() {
		return this.name;
	}

	@Override
	public boolean sendEvent(Event event) {
		this.received.add(event.getUid());
		this.threads.add(Thread.currentThread().getName());
		boolean ok = this.behaviour.test(event);
		if (ok) {
			this.taken.add(event.getUid());
		}
		return ok;
	}

	@Override
	public String encodeConfig() {
		return "";
	}

}
