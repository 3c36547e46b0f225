package io.lionfuncs.autoconfigure;

import org.jspecify.annotations.Nullable;

/**
 * Thrown at start-up when a {@code lionfuncs.*} property has a value that cannot work.
 * Reported by {@link InvalidLionfuncsPropertyFailureAnalyzer}, which names the key, the
 * value and the fix.
 *
 * @since 0.1.0
 */
public class InvalidLionfuncsPropertyException extends RuntimeException {

	private final String property;

	private final @Nullable Object value;

	private final String fix;

	/**
	 * Creates a new exception.
	 * @param property the full property key, such as
	 * {@code lionfuncs.executor.requests-rate}
	 * @param value the rejected value
	 * @param fix what a valid value looks like, or what to do
	 */
	public InvalidLionfuncsPropertyException(String property, @Nullable Object value, String fix) {
		this(property, value, fix, null);
	}

	/**
	 * Creates a new exception.
	 * @param property the full property key
	 * @param value the rejected value
	 * @param fix what a valid value looks like, or what to do
	 * @param cause the underlying problem
	 */
	public InvalidLionfuncsPropertyException(String property, @Nullable Object value, String fix,
			@Nullable Throwable cause) {
		super("Invalid value '" + value + "' for property '" + property + "': " + fix, cause);
		this.property = property;
		this.value = value;
		this.fix = fix;
	}

	public String getProperty() {
		return this.property;
	}

	public @Nullable Object getValue() {
		return this.value;
	}

	public String getFix() {
		return this.fix;
	}

}
