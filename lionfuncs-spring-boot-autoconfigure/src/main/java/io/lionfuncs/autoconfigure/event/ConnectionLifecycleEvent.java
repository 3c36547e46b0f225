package io.lionfuncs.autoconfigure.event;

import io.lionfuncs.network.connection.ConnectionEvent;

import org.springframework.context.ApplicationEvent;

/**
 * Published for each {@link ConnectionEvent} of a lionfuncs client's connections when
 * {@code lionfuncs.connections.publish-application-events} is on. Published on the
 * connection's I/O thread: listeners must not block.
 *
 * @since 0.1.0
 */
public class ConnectionLifecycleEvent extends ApplicationEvent {

	private final ConnectionEvent connectionEvent;

	/**
	 * Creates a new event.
	 * @param connectionEvent the connection event (its client's name is the event source)
	 */
	public ConnectionLifecycleEvent(ConnectionEvent connectionEvent) {
		super(connectionEvent.clientName());
		this.connectionEvent = connectionEvent;
	}

	public String getClientName() {
		return this.connectionEvent.clientName();
	}

	public ConnectionEvent getConnectionEvent() {
		return this.connectionEvent;
	}

	@Override
	public String toString() {
		return "ConnectionLifecycleEvent[" + this.connectionEvent + "]";
	}

}
