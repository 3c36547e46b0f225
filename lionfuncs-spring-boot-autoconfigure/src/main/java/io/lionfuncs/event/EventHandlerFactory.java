package io.lionfuncs.event;

import java.util.Objects;
import java.util.function.Function;

/**
 * Creates {@link EventHandler handlers} of one kind from a configuration string; e3's
 * {@code decode_config} plus the handler's constructor. The factory's name is what
 * {@link EventManager#addHandler(String, String...)} and {@code E3_EVENT_HANDLERS} refer
 * to: names are only looked up among registered factories, never loaded as classes.
 * <p>
 * Factories are registered with {@link EventManager.Builder#factory} or, like e3's
 * {@code e3.event.handler} entry points, listed in
 * {@code META-INF/services/io.lionfuncs.event.EventHandlerFactory} (the built-in
 * {@code logging}, {@code file} and {@code webhook} factories are).
 */
public interface EventHandlerFactory {

	/**
	 * The factory's name, also the name of the handlers it creates.
	 * @return the name, letters, digits, {@code .}, {@code _} or {@code -}
	 */
	String getName();

	/**
	 * Creates a handler.
	 * @param config the configuration, as {@link EventHandler#encodeConfig()} wrote it;
	 * may be empty
	 * @return the handler, named {@link #getName()}
	 * @throws IllegalArgumentException if the configuration is invalid; the message
	 * should not repeat secrets the configuration may hold
	 */
	EventHandler create(String config);

	/**
	 * A factory from a function.
	 * @param name the factory's name
	 * @param creator creates a handler from a configuration
	 * @return the factory
	 */
	static EventHandlerFactory of(String name, Function<String, ? extends EventHandler> creator) {
		Objects.requireNonNull(name, "name");
		Objects.requireNonNull(creator, "creator");
		return new EventHandlerFactory() {

			@Override
			public String getName() {
				return name;
			}

			@Override
			public EventHandler create(String config) {
				return creator.apply(config);
			}

			@Override
			public String toString() {
				return "EventHandlerFactory[" + name + "]";
			}

		};
	}

}
