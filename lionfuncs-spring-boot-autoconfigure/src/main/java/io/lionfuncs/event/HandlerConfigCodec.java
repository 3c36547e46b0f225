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
	 * Writes the string that re-creates handlers.
	 * @param handlers the handlers by name, in order
	 * @param factories the factories another process re-creates them with
	 * @return the string
	 * @throws IllegalStateException if a handler has no factory of its name, or its
	 * configuration holds {@code |}
	 */
	static String encode(Map<String, EventHandler> handlers, HandlerFactories factories) {
		StringJoiner joiner = new StringJoiner("|");
		handlers.forEach((name, handler) -> {
			if (!factories.contains(name)) {
				throw new IllegalStateException("Event handler '" + name + "' has no registered factory of that "
						+ "name, so another process could not re-create it; known factories: " + factories.names());
			}
			String config = handler.encodeConfig();
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
