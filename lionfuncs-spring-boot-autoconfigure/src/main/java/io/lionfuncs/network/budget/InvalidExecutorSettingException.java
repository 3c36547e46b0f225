package io.lionfuncs.network.budget;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when an {@link io.lionfuncs.network.ExecutorSettings} (or {@link BudgetSettings})
 * value is invalid. Carries the setting's name, the value and what is expected, so that
 * a caller (such as a Spring Boot failure analyzer) can point at the exact key to fix.
 */
public class InvalidExecutorSettingException extends IllegalArgumentException {

	private final String setting;

	private final @Nullable Object value;

	private final String expected;

	public InvalidExecutorSettingException(String setting, @Nullable Object value, String expected) {
		super("Invalid executor setting '" + setting + "': " + value + " (expected " + expected + ")");
		this.setting = setting;
		this.value = value;
		this.expected = expected;
	}

	/**
	 * The setting's name, as in {@link io.lionfuncs.network.ExecutorSettings} (or {@link BudgetSettings}) (camel case).
	 * @return the setting
	 */
	public String getSetting() {
		return this.setting;
	}

	/**
	 * The rejected value.
	 * @return the value
	 */
	public @Nullable Object getValue() {
		return this.value;
	}

	/**
	 * What a valid value looks like.
	 * @return the expectation
	 */
	public String getExpected() {
		return this.expected;
	}

}
