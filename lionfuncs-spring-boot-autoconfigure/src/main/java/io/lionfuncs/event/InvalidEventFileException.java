package io.lionfuncs.event;

/**
 * Thrown when an event file (or JSON document) cannot be loaded: it is missing, too
 * large, too deeply nested, malformed, or not in e3's layout. The message names the
 * source and the problem.
 */
public class InvalidEventFileException extends EventError {

	private static final long serialVersionUID = 1L;

	private final String source;

	/**
	 * Creates an exception.
	 * @param source the file or other source that was read
	 * @param problem what is wrong with it
	 */
	public InvalidEventFileException(String source, String problem) {
		super(message(source, problem));
		this.source = source;
	}

	/**
	 * Creates an exception with a cause.
	 * @param source the file or other source that was read
	 * @param problem what is wrong with it
	 * @param cause the cause
	 */
	public InvalidEventFileException(String source, String problem, Throwable cause) {
		super(message(source, problem), cause);
		this.source = source;
	}

	private static String message(String source, String problem) {
		return "Invalid event file '" + source + "': " + problem;
	}

	/**
	 * The file or other source that was read.
	 * @return the source
	 */
	public String getSource() {
		return this.source;
	}

}
