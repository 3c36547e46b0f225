package io.lionfuncs.event.handler;

import io.lionfuncs.event.EventHandler;
import io.lionfuncs.event.EventHandlerFactory;

/**
 * Creates {@link FileEventHandler file handlers} from a directory. Registered as
 * {@value FileEventHandler#NAME} through {@code META-INF/services}.
 */
public final class FileEventHandlerFactory implements EventHandlerFactory {

	private final String name;

	/** The factory named {@value FileEventHandler#NAME}. */
	public FileEventHandlerFactory() {
		this(FileEventHandler.NAME);
	}

	/**
	 * A factory of another name, for a second file handler.
	 * @param name the name of the factory and its handlers
	 */
	public FileEventHandlerFactory(String name) {
		this.name = name;
	}

	@Override
	public String getName() {
		return this.name;
	}

	@Override
	public EventHandler create(String config) {
		return FileEventHandler.fromConfig(this.name, config);
	}

}
