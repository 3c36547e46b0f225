package io.lionfuncs.network.connection;

/**
 * Told of every {@link ConnectionEvent} of a {@link ConnectionTracker}.
 * <p>
 * Called on the connection's I/O thread, in order for each connection: an
 * implementation must be quick and must not block (hand slow work to another thread).
 * An exception it throws is logged and does not reach the connection or the other
 * listeners.
 */
@FunctionalInterface
public interface ConnectionEventListener {

	/**
	 * Handles an event.
	 * @param event the event
	 */
	void onEvent(ConnectionEvent event);

}
