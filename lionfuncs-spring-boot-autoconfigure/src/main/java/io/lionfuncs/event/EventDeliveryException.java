package io.lionfuncs.event;

/**
 * Thrown by an {@link EventHandler} that could not deliver an event this time (the
 * receiver is down, answered an error, timed out). Like a {@code false} result it counts
 * as a failure; the {@link EventManager} keeps the event and tries again later.
 */
public class EventDeliveryException extends EventError {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates an exception.
	 * @param message why the event was not delivered
	 */
	public EventDeliveryException(String message) {
		super(message);
	}

	/**
	 * Creates an exception with a cause.
	 * @param message why the event was not delivered
	 * @param cause the cause
	 */
	public EventDeliveryException(String message, Throwable cause) {
		super(message, cause);
	}

}
