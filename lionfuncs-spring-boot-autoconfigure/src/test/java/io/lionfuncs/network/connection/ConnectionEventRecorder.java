package io.lionfuncs.network.connection;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import io.lionfuncs.network.connection.ConnectionEvent.Closed;
import io.lionfuncs.network.connection.ConnectionEvent.RawData;
import io.lionfuncs.network.connection.ConnectionEvent.Updated;

/**
 * Records every connection event, and works out from them alone what a tracker's
 * counts should be.
 */
public final class ConnectionEventRecorder implements ConnectionEventListener {

	private final List<ConnectionEvent> events = new CopyOnWriteArrayList<>();

	@Override
	public void onEvent(ConnectionEvent event) {
		this.events.add(event);
	}

	public List<ConnectionEvent> events() {
		return List.copyOf(this.events);
	}

	public List<ConnectionEvent> events(String connectionId) {
		return this.events.stream().filter((event) -> event.connectionId().equals(connectionId)).toList();
	}

	/**
	 * The connections seen, in the order of their first event.
	 */
	public List<String> connectionIds() {
		return new ArrayList<>(
				this.events.stream().map(ConnectionEvent::connectionId).collect(Collectors.toCollection(LinkedHashSet::new)));
	}

	public <T extends ConnectionEvent> List<T> ofType(Class<T> type) {
		return this.events.stream().filter(type::isInstance).map(type::cast).toList();
	}

	public List<Closed> closed() {
		return ofType(Closed.class);
	}

	/**
	 * The connection's {@code Updated} states in order: {@code false} for busy,
	 * {@code true} for idle.
	 */
	public List<Boolean> updates(String connectionId) {
		return events(connectionId).stream()
			.filter(Updated.class::isInstance)
			.map((event) -> ((Updated) event).idle())
			.toList();
	}

	/**
	 * What a tracker should report, counted from the events: a connection is active or
	 * idle as its last {@code Updated} says until it is {@code Closed}.
	 */
	public ConnectionStats expectedStats(String clientName, int pendingAcquires) {
		Map<String, Boolean> open = new LinkedHashMap<>();
		Map<Closed.Reason, Long> closed = new EnumMap<>(Closed.Reason.class);
		long read = 0;
		long written = 0;
		for (ConnectionEvent event : this.events) {
			if (!event.clientName().equals(clientName)) {
				continue;
			}
			if (event instanceof Updated updated) {
				open.put(updated.connectionId(), updated.idle());
			}
			else if (event instanceof Closed close) {
				open.remove(close.connectionId());
				closed.merge(close.reason(), 1L, Long::sum);
			}
			else if (event instanceof RawData data) {
				if (data.direction() == RawData.Direction.READ) {
					read += data.bytes();
				}
				else {
					written += data.bytes();
				}
			}
		}
		int idle = (int) open.values().stream().filter(Boolean::booleanValue).count();
		return new ConnectionStats(clientName, open.size() - idle, idle, closed, read, written, pendingAcquires);
	}

	/**
	 * One line per event, for a log.
	 */
	public String describe() {
		if (this.events.isEmpty()) {
			return "(no events)";
		}
		long start = this.events.get(0).timestamp().toEpochMilli();
		StringBuilder text = new StringBuilder();
		for (ConnectionEvent event : this.events) {
			text.append(String.format("%n+%5d ms  ", event.timestamp().toEpochMilli() - start)).append(event);
		}
		return text.toString();
	}

}
