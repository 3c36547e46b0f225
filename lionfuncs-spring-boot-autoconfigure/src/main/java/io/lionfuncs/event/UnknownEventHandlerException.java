package io.lionfuncs.event;

import java.util.List;
import java.util.Set;

/**
 * Thrown when a handler name does not match any registered
 * {@link EventHandlerFactory}. Handler names are only ever looked up among the
 * registered factories, never loaded as class names.
 */
public class UnknownEventHandlerException extends EventError {

	private static final long serialVersionUID = 1L;

	private final String handlerName;

	private final List<String> knownNames;

	/**
	 * Creates an exception.
	 * @param handlerName the name that was asked for
	 * @param knownNames the names of the registered factories
	 * @param where where the name came from, for example
	 * {@code "environment variable E3_EVENT_HANDLERS"}
	 */
	public UnknownEventHandlerException(String handlerName, Set<String> knownNames, String where) {
		// the name may come from an environment variable: never let it forge log lines
		super("Unknown event handler '" + Event.printable(handlerName) + "' in " + where + "; known handlers: "
				+ (knownNames.isEmpty() ? "(none)" : String.join(", ", knownNames.stream().sorted().toList())));
		this.handlerName = handlerName;
		this.knownNames = knownNames.stream().sorted().toList();
	}

	/**
	 * The name that was asked for.
	 * @return the handler name
	 */
	public String getHandlerName() {
		return this.handlerName;
	}

	/**
	 * The names of the registered factories, sorted.
	 * @return the known names
	 */
	public List<String> getKnownNames() {
		return this.knownNames;
	}

}
