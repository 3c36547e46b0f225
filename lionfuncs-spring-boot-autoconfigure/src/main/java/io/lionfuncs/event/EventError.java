package io.lionfuncs.event;

/**
 * Thrown when an {@link Event} is misused (changed after {@link Event#close()}) or
 * cannot be read, written or sent. The name follows e3's {@code EventError}.
 */
public class EventError extends RuntimeException {

	private static final long serialVersionUID = 1L;

	/**
	 * Creates an error.
	 * @param message what went wrong
	 */
	public EventError(String message) {
		super(message);
	}

	/**
	 * Creates an error with a cause.
	 * @param message what went wrong
	 * @param cause the cause
	 */
	public EventError(String message, Throwable cause) {
		super(message, cause);
	}

}
