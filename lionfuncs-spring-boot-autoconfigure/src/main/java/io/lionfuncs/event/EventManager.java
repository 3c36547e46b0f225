package io.lionfuncs.event;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@link Event events} to a set of {@link EventHandler handlers}, after e3's
 * {@code EventManager}, and makes sure none is lost when a handler is down.
 * <p>
 * Handlers are added as instances ({@link #addHandler(EventHandler)}) or by name from a
 * registered {@link EventHandlerFactory} ({@link #addHandler(String, String...)},
 * {@link #loadHandlersFromEnv(String)}); names are only looked up among registered
 * factories, never loaded as classes. A handler's name is its key: adding another
 * handler of the same name replaces it.
 * <p>
 * Two ways to send:
 * <ul>
 * <li>{@link #sendEvent(Event)} calls every handler on the caller's thread, as e3 does,
 * but isolated: an exception or a {@code false} from one never stops the others. The
 * result is {@code true} only if all took the event. Nothing is retried.</li>
 * <li>{@link #publish(Event)} returns at once: the event is copied (read-only) into each
 * handler's own bounded queue and delivered by that handler's thread, in publication
 * order. An event a handler fails to take, or that finds its queue full, is written to
 * the spool directory ({@code <spool>/<handler>/<seq>-<uid>.json}, e3's layout) and
 * re-sent to that handler only, with exponential backoff, and at the next
 * {@link #start()}; it is deleted once the handler took it. The delivery guarantee is
 * <em>at-least-once per handler</em>: a handler that took an event is not sent it again
 * because another handler failed, but a handler may see an event twice (it took the
 * event but did not say so in time, or the process stopped between delivery and
 * deletion of the spooled file), so receivers should de-duplicate on the event's
 * {@code uid}. Events still in memory when the process dies without {@link #close()}
 * (at most the queue capacity per handler) are lost; {@link #close()} spools them.</li>
 * </ul>
 * <p>
 * Lifecycle: {@link #start()} opens and locks the spool directory, starts the handler
 * threads and re-sends what an earlier run spooled; {@link #close()} delivers what is
 * queued within the shutdown timeout and spools the rest. A manager is started once.
 */
public final class EventManager implements AutoCloseable {

	/** The environment variable e3 uses for handler configurations. */
	public static final String DEFAULT_ENV_VARIABLE = "E3_EVENT_HANDLERS";

	/** The default name of a manager, which also names its default spool directory. */
	public static final String DEFAULT_NAME = "default";

	private static final Logger logger = LoggerFactory.getLogger(EventManager.class);

	private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

	private final String name;

	private final Map<String, EventHandlerFactory> factories;

	private final EventSpool spool;

	private final int queueCapacity;

	private final Duration retryDelay;

	private final Duration maxRetryDelay;

	private final Duration shutdownTimeout;

	private final Function<String, @Nullable String> environment;

	private final Object monitor = new Object();

	private volatile Map<String, HandlerLane> lanes = Map.of();

	private volatile State state = State.NEW;

	/** Creates a manager with the defaults of {@link Builder}. */
	public EventManager() {
		this(builder());
	}

	private EventManager(Builder builder) {
		this.name = builder.name;
		this.factories = Collections.unmodifiableMap(builder.resolveFactories());
		Path spoolDirectory = (builder.spoolDirectory != null) ? builder.spoolDirectory
				: defaultSpoolDirectory(builder.name);
		this.spool = new EventSpool(spoolDirectory, builder.json);
		this.queueCapacity = builder.queueCapacity;
		this.retryDelay = builder.retryDelay;
		this.maxRetryDelay = builder.maxRetryDelay;
		this.shutdownTimeout = builder.shutdownTimeout;
		this.environment = builder.environment;
	}

	/**
	 * Starts building a manager.
	 * @return a builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * The spool directory used when none is configured:
	 * {@code <java.io.tmpdir>/lionfuncs-events/<name>}.
	 * @param name the manager's name
	 * @return the directory
	 */
	public static Path defaultSpoolDirectory(String name) {
		return Path.of(System.getProperty("java.io.tmpdir"), "lionfuncs-events", name);
	}

	// ---------------------------------------------------------------- handlers

	/**
	 * The names of the registered handler factories: the names
	 * {@link #addHandler(String, String...)} and {@code E3_EVENT_HANDLERS} accept.
	 * @return the names, sorted
	 */
	public Set<String> getFactoryNames() {
		return Collections.unmodifiableSet(new TreeSet<>(this.factories.keySet()));
	}

	/**
	 * Adds a ready-made handler under its {@link EventHandler#getName() name},
	 * replacing a handler of the same name.
	 * @param handler the handler
	 */
	public void addHandler(EventHandler handler) {
		Objects.requireNonNull(handler, "handler");
		String handlerName = checkName(handler.getName(), "Event handler name");
		synchronized (this.monitor) {
			HandlerLane existing = this.lanes.get(handlerName);
			if (existing != null) {
				logger.info("Replacing event handler '{}'", handlerName);
				existing.setHandler(handler);
				return;
			}
			HandlerLane lane = new HandlerLane(handlerName, handler, this.spool, this.queueCapacity, this.retryDelay,
					this.maxRetryDelay);
			Map<String, HandlerLane> updated = new LinkedHashMap<>(this.lanes);
			updated.put(handlerName, lane);
			this.lanes = Collections.unmodifiableMap(updated);
			logger.debug("Added event handler '{}'", handlerName);
			if (this.state == State.RUNNING) {
				lane.start(threadNamePrefix());
			}
			else if (this.state == State.CLOSED) {
				// nothing will deliver: published events go straight to the spool
				lane.stop();
			}
		}
	}

	/**
	 * Creates a handler with the registered factory of that name and adds it (e3's
	 * {@code add_handler}).
	 * @param name the factory's name
	 * @param args the configuration: joined with {@code ,} into the factory's
	 * configuration string (pass one argument when the configuration itself holds
	 * commas)
	 * @return the handler added
	 * @throws UnknownEventHandlerException if no factory has that name
	 * @throws EventError if the factory rejects the configuration
	 */
	public EventHandler addHandler(String name, String... args) {
		EventHandler handler = create(name, String.join(",", args), "addHandler");
		addHandler(handler);
		return handler;
	}

	/**
	 * Removes a handler. Events queued for it are delivered within the shutdown timeout
	 * or spooled; spooled events stay in the spool directory for a later handler of the
	 * same name.
	 * @param name the handler's name
	 * @return whether a handler was removed
	 */
	public boolean removeHandler(String name) {
		HandlerLane lane;
		synchronized (this.monitor) {
			lane = this.lanes.get(name);
			if (lane == null) {
				return false;
			}
			Map<String, HandlerLane> updated = new LinkedHashMap<>(this.lanes);
			updated.remove(name);
			this.lanes = Collections.unmodifiableMap(updated);
		}
		lane.beginClose(System.nanoTime() + this.shutdownTimeout.toNanos());
		awaitClosed(lane);
		return true;
	}

	/**
	 * Whether any handler is registered: without one, publishing does nothing.
	 * @return whether events have somewhere to go
	 */
	public boolean hasHandlers() {
		return !this.lanes.isEmpty();
	}

	/**
	 * The handlers, in the order they were added.
	 * @return an unmodifiable copy
	 */
	public Map<String, EventHandler> getHandlers() {
		Map<String, EventHandler> handlers = new LinkedHashMap<>();
		this.lanes.forEach((handlerName, lane) -> handlers.put(handlerName, lane.getHandler()));
		return Collections.unmodifiableMap(handlers);
	}

	/**
	 * Adds the handlers configured in {@value #DEFAULT_ENV_VARIABLE}.
	 * @see #loadHandlersFromEnv(String)
	 */
	public void loadHandlersFromEnv() {
		loadHandlersFromEnv(DEFAULT_ENV_VARIABLE);
	}

	/**
	 * Adds the handlers configured in an environment variable, in e3's format
	 * {@code name1=config|name2=config|name3}, as {@link #handlerConfigAsEnv} writes it.
	 * An unset or empty variable adds nothing. Either every handler is added or, when
	 * one name is unknown or one configuration invalid, none is.
	 * @param variable the variable's name
	 * @throws UnknownEventHandlerException if a name matches no registered factory
	 * @throws EventError if a factory rejects its configuration
	 */
	public void loadHandlersFromEnv(String variable) {
		String value = this.environment.apply(variable);
		if (value == null || value.isBlank()) {
			logger.debug("Environment variable {} is not set; no event handlers loaded from it", variable);
			return;
		}
		loadHandlers(value, "environment variable " + variable);
	}

	/**
	 * Adds the handlers of a configuration string in e3's format
	 * {@code name1=config|name2=config|name3}; empty entries are skipped.
	 * @param handlerConfig the configuration
	 * @param source what to call the configuration in error messages
	 * @throws UnknownEventHandlerException if a name matches no registered factory
	 * @throws EventError if a factory rejects its configuration
	 */
	public void loadHandlers(String handlerConfig, String source) {
		List<EventHandler> handlers = new ArrayList<>();
		for (String entry : handlerConfig.split("\\|")) {
			if (entry.isBlank()) {
				continue;
			}
			int equals = entry.indexOf('=');
			String handlerName = ((equals < 0) ? entry : entry.substring(0, equals)).strip();
			String config = (equals < 0) ? "" : entry.substring(equals + 1);
			handlers.add(create(handlerName, config, source));
		}
		handlers.forEach(this::addHandler);
	}

	/**
	 * The configuration string that re-creates the current handlers, in e3's format
	 * {@code name1=config|name2=config}.
	 * @return the configuration
	 * @throws IllegalStateException if a handler has no registered factory of its name
	 * or its configuration holds {@code |}
	 */
	public String handlerConfig() {
		StringJoiner joiner = new StringJoiner("|");
		this.lanes.forEach((handlerName, lane) -> {
			if (!this.factories.containsKey(handlerName)) {
				throw new IllegalStateException("Event handler '" + handlerName + "' has no registered factory of "
						+ "that name, so another process could not re-create it; known factories: "
						+ getFactoryNames());
			}
			String config = lane.getHandler().encodeConfig();
			if (config.indexOf('|') >= 0) {
				throw new IllegalStateException(
						"The configuration of event handler '" + handlerName + "' contains '|'");
			}
			joiner.add(handlerName + "=" + config);
		});
		return joiner.toString();
	}

	/**
	 * The environment entry that re-creates the current handlers in a child process
	 * (e3's {@code handler_config_as_env}; Java cannot change its own environment), for
	 * example {@code processBuilder.environment().putAll(manager.handlerConfigAsEnv())}.
	 * @return a map of {@value #DEFAULT_ENV_VARIABLE} to {@link #handlerConfig()}
	 */
	public Map<String, String> handlerConfigAsEnv() {
		return handlerConfigAsEnv(DEFAULT_ENV_VARIABLE);
	}

	/**
	 * The environment entry that re-creates the current handlers in a child process.
	 * @param variable the variable's name
	 * @return a map of the variable to {@link #handlerConfig()}
	 */
	public Map<String, String> handlerConfigAsEnv(String variable) {
		return Map.of(variable, handlerConfig());
	}

	private EventHandler create(String handlerName, String config, String source) {
		EventHandlerFactory factory = this.factories.get(handlerName);
		if (factory == null) {
			throw new UnknownEventHandlerException(handlerName, this.factories.keySet(), source);
		}
		EventHandler handler;
		try {
			handler = factory.create(config);
		}
		catch (RuntimeException ex) {
			throw new EventError("Invalid configuration of event handler '" + handlerName + "' in " + source + ": "
					+ ex.getMessage(), ex);
		}
		if (!handlerName.equals(handler.getName())) {
			throw new EventError("Event handler factory '" + handlerName + "' created a handler named '"
					+ handler.getName() + "'");
		}
		return handler;
	}

	// ---------------------------------------------------------------- synchronous sending

	/**
	 * Sends an event to every handler on the caller's thread. A handler's exception or
	 * {@code false} is counted and logged, and never keeps the event from the others.
	 * Nothing is spooled or retried: use {@link #publish(Event)} for that.
	 * @param event the event
	 * @return {@code true} if every handler took it (also when there are none)
	 */
	public boolean sendEvent(Event event) {
		Objects.requireNonNull(event, "event");
		boolean allSent = true;
		for (HandlerLane lane : this.lanes.values()) {
			allSent &= lane.deliverNow(event);
		}
		return allSent;
	}

	/**
	 * Loads an event from a file written by {@link Event#dump} or e3 and sends it, as
	 * {@link #sendEvent(Event)} does.
	 * @param file the file
	 * @return {@code true} if every handler took it
	 * @throws InvalidEventFileException if the file cannot be loaded
	 */
	public boolean sendEventFromFile(Path file) {
		return sendEvent(Event.load(file));
	}

	// ---------------------------------------------------------------- asynchronous sending

	/**
	 * Hands an event to every handler without waiting for any: a read-only copy goes into
	 * each handler's queue. Never blocks on a handler; only when a handler's queue is
	 * full (or after {@link #close()}) is the event written to the spool on the calling
	 * thread. Later changes to the event are not seen by the handlers.
	 * @param event the event
	 */
	public void publish(Event event) {
		Objects.requireNonNull(event, "event");
		Map<String, HandlerLane> current = this.lanes;
		if (current.isEmpty()) {
			return;
		}
		Event copy = event.snapshot();
		for (HandlerLane lane : current.values()) {
			lane.offer(copy);
		}
	}

	/**
	 * Re-sends spooled events now instead of waiting for the backoff.
	 */
	public void retryNow() {
		this.lanes.values().forEach(HandlerLane::retryNow);
	}

	/**
	 * What each handler has done.
	 * @return the statistics by handler name, in the order the handlers were added
	 */
	public Map<String, HandlerStats> handlerStats() {
		Map<String, HandlerStats> stats = new LinkedHashMap<>();
		this.lanes.forEach((handlerName, lane) -> stats.put(handlerName, lane.stats()));
		return Collections.unmodifiableMap(stats);
	}

	/**
	 * Events that could not even be spooled (the spool directory was not writable) and
	 * are therefore lost; logged as errors.
	 * @return the count over all handlers
	 */
	public long lostEvents() {
		return this.lanes.values().stream().mapToLong(HandlerLane::lost).sum();
	}

	// ---------------------------------------------------------------- lifecycle

	/**
	 * Opens and locks the spool directory, starts a delivery thread per handler and
	 * re-sends what an earlier run spooled. Calling it again does nothing.
	 * @throws IllegalStateException if the manager was closed, or the spool directory
	 * cannot be used or is used by another manager
	 */
	public void start() {
		synchronized (this.monitor) {
			if (this.state == State.RUNNING) {
				return;
			}
			if (this.state != State.NEW) {
				throw new IllegalStateException("EventManager '" + this.name + "' was closed and cannot be restarted");
			}
			this.spool.open();
			for (HandlerLane lane : this.lanes.values()) {
				lane.start(threadNamePrefix());
			}
			this.state = State.RUNNING;
			logger.debug("EventManager '{}' started, spooling to {}", this.name, this.spool.getRoot());
		}
	}

	/**
	 * Whether the manager is started and not closed.
	 * @return whether it runs
	 */
	public boolean isRunning() {
		return this.state == State.RUNNING;
	}

	/**
	 * Delivers what the handlers' queues hold within the shutdown timeout, spools the
	 * rest, stops the handler threads and unlocks the spool directory. Events published
	 * afterwards are spooled directly and sent at the next start. Calling it again does
	 * nothing.
	 */
	@Override
	public void close() {
		Map<String, HandlerLane> closing;
		synchronized (this.monitor) {
			if (this.state == State.CLOSED) {
				return;
			}
			this.state = State.CLOSED;
			closing = this.lanes;
		}
		long deadline = System.nanoTime() + this.shutdownTimeout.toNanos();
		closing.values().forEach((lane) -> lane.beginClose(deadline));
		closing.values().forEach(this::awaitClosed);
		this.spool.close();
		logger.debug("EventManager '{}' closed", this.name);
	}

	private void awaitClosed(HandlerLane lane) {
		try {
			lane.awaitClosed();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			logger.warn("Interrupted while closing event handler '{}'", lane.getName());
		}
	}

	public String getName() {
		return this.name;
	}

	/**
	 * The spool directory.
	 * @return its absolute path
	 */
	public Path getSpoolDirectory() {
		return this.spool.getRoot();
	}

	private String threadNamePrefix() {
		return "lionfuncs-events-" + this.name + "-";
	}

	private static String checkName(@Nullable String name, String what) {
		if (name == null || !NAME.matcher(name).matches()) {
			throw new IllegalArgumentException(what + " must be 1 to 64 letters, digits, '.', '_' or '-', starting "
					+ "with a letter or digit; got '" + ((name != null) ? Event.printable(name) : null) + "'");
		}
		return name;
	}

	@Override
	public String toString() {
		return "EventManager[name=" + this.name + ", handlers=" + this.lanes.keySet() + ", state=" + this.state + "]";
	}

	private enum State {

		NEW, RUNNING, CLOSED

	}

	/**
	 * Builds an {@link EventManager}.
	 */
	public static final class Builder {

		private String name = DEFAULT_NAME;

		private @Nullable Path spoolDirectory;

		private int queueCapacity = 1000;

		private Duration retryDelay = Duration.ofSeconds(1);

		private Duration maxRetryDelay = Duration.ofMinutes(5);

		private Duration shutdownTimeout = Duration.ofSeconds(10);

		private EventJson json = EventJson.defaults();

		private Function<String, @Nullable String> environment = System::getenv;

		private boolean discoverFactories = true;

		private final Map<String, EventHandlerFactory> factories = new LinkedHashMap<>();

		private Builder() {
		}

		/**
		 * Sets the manager's name, used in thread names and the default spool
		 * directory.
		 * @param name the name (default {@value EventManager#DEFAULT_NAME})
		 * @return this builder
		 */
		public Builder name(String name) {
			this.name = checkName(name, "EventManager name");
			return this;
		}

		/**
		 * Sets the spool directory.
		 * @param spoolDirectory the directory, or {@code null} for
		 * {@link EventManager#defaultSpoolDirectory(String)}
		 * @return this builder
		 */
		public Builder spoolDirectory(@Nullable Path spoolDirectory) {
			this.spoolDirectory = spoolDirectory;
			return this;
		}

		/**
		 * Sets how many events each handler's queue holds in memory before further
		 * events are spooled on the publishing thread.
		 * @param queueCapacity the capacity (default 1000)
		 * @return this builder
		 */
		public Builder queueCapacity(int queueCapacity) {
			if (queueCapacity < 1) {
				throw new IllegalArgumentException("queueCapacity must be at least 1, got " + queueCapacity);
			}
			this.queueCapacity = queueCapacity;
			return this;
		}

		/**
		 * Sets the first delay before spooled events are re-sent after a failure;
		 * it doubles after each further failure up to {@link #maxRetryDelay}.
		 * @param retryDelay the delay (default 1 s)
		 * @return this builder
		 */
		public Builder retryDelay(Duration retryDelay) {
			this.retryDelay = positive(retryDelay, "retryDelay");
			return this;
		}

		/**
		 * Sets the longest delay between re-send attempts.
		 * @param maxRetryDelay the delay (default 5 min)
		 * @return this builder
		 */
		public Builder maxRetryDelay(Duration maxRetryDelay) {
			this.maxRetryDelay = positive(maxRetryDelay, "maxRetryDelay");
			return this;
		}

		/**
		 * Sets how long {@link EventManager#close()} delivers queued events before it
		 * spools the rest.
		 * @param shutdownTimeout the timeout (default 10 s)
		 * @return this builder
		 */
		public Builder shutdownTimeout(Duration shutdownTimeout) {
			Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
			if (shutdownTimeout.isNegative()) {
				throw new IllegalArgumentException("shutdownTimeout must not be negative");
			}
			this.shutdownTimeout = shutdownTimeout;
			return this;
		}

		/**
		 * Sets the codec, and with it the limits, of spooled event files.
		 * @param json the codec (default {@link EventJson#defaults()})
		 * @return this builder
		 */
		public Builder json(EventJson json) {
			this.json = Objects.requireNonNull(json, "json");
			return this;
		}

		/**
		 * Sets where {@link EventManager#loadHandlersFromEnv(String)} reads variables.
		 * @param environment variable name to value, {@code null} when unset (default
		 * {@link System#getenv(String)})
		 * @return this builder
		 */
		public Builder environment(Function<String, @Nullable String> environment) {
			this.environment = Objects.requireNonNull(environment, "environment");
			return this;
		}

		/**
		 * Registers a handler factory, replacing a discovered or registered one of the
		 * same name.
		 * @param factory the factory
		 * @return this builder
		 */
		public Builder factory(EventHandlerFactory factory) {
			Objects.requireNonNull(factory, "factory");
			this.factories.put(checkName(factory.getName(), "Event handler factory name"), factory);
			return this;
		}

		/**
		 * Sets whether the factories listed in
		 * {@code META-INF/services/io.lionfuncs.event.EventHandlerFactory} (among them
		 * the built-in {@code logging}, {@code file} and {@code webhook}) are
		 * registered.
		 * @param discoverFactories whether to discover them (default {@code true})
		 * @return this builder
		 */
		public Builder discoverFactories(boolean discoverFactories) {
			this.discoverFactories = discoverFactories;
			return this;
		}

		/**
		 * Builds the manager; it still has to be {@link EventManager#start() started}
		 * for {@link EventManager#publish(Event)} to deliver.
		 * @return the manager
		 */
		public EventManager build() {
			if (this.maxRetryDelay.compareTo(this.retryDelay) < 0) {
				throw new IllegalArgumentException("maxRetryDelay must not be shorter than retryDelay");
			}
			return new EventManager(this);
		}

		private Map<String, EventHandlerFactory> resolveFactories() {
			Map<String, EventHandlerFactory> resolved = new LinkedHashMap<>();
			if (this.discoverFactories) {
				discover(resolved);
			}
			resolved.putAll(this.factories);
			return resolved;
		}

		private static void discover(Map<String, EventHandlerFactory> resolved) {
			Iterator<EventHandlerFactory> factories = ServiceLoader
				.load(EventHandlerFactory.class, EventManager.class.getClassLoader())
				.iterator();
			// bounded: a broken provider entry must not keep the loop going
			for (int i = 0; i < 1000; i++) {
				EventHandlerFactory factory;
				try {
					if (!factories.hasNext()) {
						return;
					}
					factory = factories.next();
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

		private static Duration positive(Duration duration, String what) {
			Objects.requireNonNull(duration, what);
			if (duration.isNegative() || duration.isZero()) {
				throw new IllegalArgumentException(what + " must be positive, got " + duration);
			}
			return duration;
		}

	}

}
