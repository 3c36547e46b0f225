package io.lionfuncs.event;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * e3's handler configuration string, {@code name1=config|name2=config|name3}, as
 * {@code EventManager.load_handlers_from_env} reads it and
 * {@code handler_config_as_env} writes it: entries split on {@code |}, each split on its
 * first {@code =} into a handler name and the configuration passed to the handler's
 * {@code decode_config} (empty for a bare name). Empty entries are skipped.
 */
final class HandlerConfigCodec {

	private HandlerConfigCodec() {
	}

	/**
	 * Splits a configuration string.
	 * @param value the string
	 * @return the entries, in order
	 */
	static List<Entry> decode(String value) {
		List<Entry> entries = new ArrayList<>();
		for (String part : value.split("\\|")) {
			if (part.isBlank()) {
				continue;
			}
			int equals = part.indexOf('=');
			String name = ((equals < 0) ? part : part.substring(0, equals)).strip();
			entries.add(new Entry(name, (equals < 0) ? "" : part.substring(equals + 1)));
		}
		return entries;
	}

	/**
	 * Joins handler configurations.
	 * @param configs each handler's configuration by name, in order
	 * @return the string
	 * @throws IllegalStateException if a configuration holds {@code |}
	 */
	static String encode(Map<String, String> configs) {
		StringJoiner joiner = new StringJoiner("|");
		configs.forEach((name, config) -> {
			if (config.indexOf('|') >= 0) {
				throw new IllegalStateException("The configuration of event handler '" + name + "' contains '|'");
			}
			joiner.add(name + "=" + config);
		});
		return joiner.toString();
	}

	/**
	 * One handler of a configuration string.
	 * @param name the handler's name
	 * @param config its configuration
	 */
	record Entry(String name, String config) {
	}

}
