package io.lionfuncs.event.handler;

import io.lionfuncs.event.EventHandler;
import io.lionfuncs.event.EventHandlerFactory;

/**
 * Creates {@link LoggingEventHandler logging handlers} from {@code <logger>[,<level>]}.
 * Registered as {@value LoggingEventHandler#NAME} through {@code META-INF/services}.
 */
public final class LoggingEventHandlerFactory implements EventHandlerFactory {

	private final String name;

	/** The factory named {@value LoggingEventHandler#NAME}. */
	public LoggingEventHandlerFactory() {
		this(LoggingEventHandler.NAME);
	}

	/**
	 * A factory of another name, for a second logging handler.
	 * @param name the name of the factory and its handlers
	 */
	public LoggingEventHandlerFactory(String name) {
		this.name = name;
	}

	@Override
	public String getName() {
		return this.name;
	}

	@Override
	public EventHandler create(String config) {
		return LoggingEventHandler.fromConfig(this.name, config);
	}

}
