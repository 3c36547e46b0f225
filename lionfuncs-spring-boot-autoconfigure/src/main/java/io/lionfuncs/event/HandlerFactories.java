package io.lionfuncs.event;

import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler factories an {@link EventManager} may create handlers with, by name: an
 * allowlist. Names are only looked up here, never loaded as classes.
 */
final class HandlerFactories {

	private static final Logger logger = LoggerFactory.getLogger(EventManager.class);

	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

	/** A bound on the providers read, so that a broken entry cannot keep the loop going. */
	private static final int MAX_PROVIDERS = 1000;

	private final Map<String, EventHandlerFactory> factories;

	private HandlerFactories(Map<String, EventHandlerFactory> factories) {
		this.factories = Collections.unmodifiableMap(factories);
	}

	/**
	 * The registered factories, after those listed in
	 * {@code META-INF/services/io.lionfuncs.event.EventHandlerFactory} when asked for.
	 * @param registered factories registered by name, which win
	 * @param discover whether to read the service listings
	 */
	static HandlerFactories of(Map<String, EventHandlerFactory> registered, boolean discover) {
		Map<String, EventHandlerFactory> resolved = new LinkedHashMap<>();
		if (discover) {
			discover(resolved);
		}
		resolved.putAll(registered);
		return new HandlerFactories(resolved);
	}

	private static void discover(Map<String, EventHandlerFactory> resolved) {
		Iterator<EventHandlerFactory> providers = ServiceLoader
			.load(EventHandlerFactory.class, EventManager.class.getClassLoader())
			.iterator();
		for (int i = 0; i < MAX_PROVIDERS; i++) {
			EventHandlerFactory factory;
			try {
				if (!providers.hasNext()) {
					return;
				}
				factory = providers.next();
			}
			catch (ServiceConfigurationError | LinkageError ex) {
				// e.g. the webhook factory without Spring WebFlux on the class path
				logger.debug("Skipping an event handler factory that cannot be loaded: {}", ex.toString());
				continue;
			}
			String factoryName = factory.getName();
			if (factoryName == null || !NAME.matcher(factoryName).matches()) {
				logger.warn("Ignoring event handler factory {} with invalid name '{}'", factory, factoryName);
			}
			else if (resolved.putIfAbsent(factoryName, factory) != null) {
				logger.warn("Ignoring event handler factory {}: '{}' is already registered", factory, factoryName);
			}
		}
	}

	Set<String> names() {
		return Collections.unmodifiableSet(new TreeSet<>(this.factories.keySet()));
	}

	boolean contains(String name) {
		return this.factories.containsKey(name);
	}

	/**
	 * Creates a handler with the factory of that name.
	 * @param name the factory's name
	 * @param config the handler's configuration
	 * @param source where the name came from, for messages
	 * @throws UnknownEventHandlerException if no factory has that name
	 * @throws EventError if the factory rejects the configuration
	 */
	EventHandler create(String name, String config, String source) {
		EventHandlerFactory factory = this.factories.get(name);
		if (factory == null) {
			throw new UnknownEventHandlerException(name, this.factories.keySet(), source);
		}
		EventHandler handler;
		try {
			handler = factory.create(config);
		}
		catch (RuntimeException ex) {
			throw new EventError("Invalid configuration of event handler '" + name + "' in " + source + ": "
					+ ex.getMessage(), ex);
		}
		if (!name.equals(handler.getName())) {
			throw new EventError(
					"Event handler factory '" + name + "' created a handler named '" + handler.getName() + "'");
		}
		return handler;
	}

	/**
	 * Checks a handler, factory or manager name: it names a directory and a thread.
	 * @return the name
	 * @throws IllegalArgumentException if it is not 1 to 64 safe characters
	 */
	static String checkName(@Nullable String name, String what) {
		if (name == null || !NAME.matcher(name).matches()) {
			throw new IllegalArgumentException(what + " must be 1 to 64 letters, digits, '.', '_' or '-', starting "
					+ "with a letter or digit; got '" + ((name != null) ? Event.printable(name) : null) + "'");
		}
		return name;
	}

}
