package io.lionfuncs.event;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Formats one entry of an {@link Event}'s data for {@link Event#asMap()}, as e3's
 * {@code set_formatter} functions do: it receives the key and the stored value and
 * returns the entries to put in the map instead (usually one, under the same key).
 */
@FunctionalInterface
public interface EventFormatter {

	/**
	 * Formats an entry.
	 * @param key the data key
	 * @param value the stored value
	 * @return the entries that replace it in {@link Event#asMap()}
	 */
	Map<String, ? extends @Nullable Object> format(String key, @Nullable Object value);

}
