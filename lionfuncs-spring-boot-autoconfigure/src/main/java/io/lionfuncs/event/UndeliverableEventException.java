package io.lionfuncs.event;

/**
 * Thrown by an {@link EventHandler} that will never be able to deliver an event, for
 * example because an attachment name would escape the handler's directory. Retrying
 * cannot help, so the {@link EventManager} moves such an event to the handler's
 * dead-letter folder instead of retrying it (it is kept, not deleted).
 */
public class UndeliverableEventException extends EventError {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates an exception.
	 * @param message why the event can never be delivered
	 */
	public UndeliverableEventException(String message) {
		super(message);
	}

}
