package io.lionfuncs.event;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@link Event events} to a set of {@link EventHandler handlers}, after e3's
 * {@code EventManager}, and loses none of them, not even when the process is killed.
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
 * <li>{@link #publish(Event)} never waits for a handler: a read-only copy of the event
 * is appended to each handler's write-ahead log in the spool directory
 * ({@code <spool>/<handler>/events-<seq>.wal}) before it returns, the logs are forced to
 * disk in small groups by the spool's writer thread, and each handler's own thread
 * sends it its events in publication order ({@link EventHandler#maxInFlight() several
 * at once} for handlers that allow it), from memory when it keeps up, read back from
 * the log when it does not. A failed event is re-sent to that handler only, with
 * exponential backoff; one the handler refuses for good goes to
 * {@code <spool>/<handler>/dead-letter/}; one it took is deleted from its log. After a
 * crash, even {@code kill -9}, the next {@link #start()} on the same spool directory
 * re-sends everything the handlers had not taken: delivery is <em>at-least-once per
 * handler</em> (de-duplicate on the event's {@code uid}).</li>
 * </ul>
 * <p>
 * Lifecycle: {@link #start()} chooses and locks the spool directory, replays the logs
 * and starts the threads; {@link #close()} sends what the handlers can take within the
 * shutdown timeout and leaves the rest in the logs. A manager is started once. Events
 * published before {@link #start()} wait in the logs; those published after
 * {@link #close()} are kept one file each and sent at the next start.
 */
public final class EventManager implements AutoCloseable {

	/** The environment variable e3 uses for handler configurations. */
	public static final String DEFAULT_ENV_VARIABLE = "E3_EVENT_HANDLERS";

	/** The default name of a manager, which also names its default spool directory. */
	public static final String DEFAULT_NAME = "default";

	private static final Logger logger = LoggerFactory.getLogger(EventManager.class);

	private final String name;

	private final HandlerFactories factories;

	private final EventSpool spool;

	private final LaneRegistry lanes;

	private final Function<String, @Nullable String> environment;

	/** Creates a manager with the defaults of {@link Builder}. */
	public EventManager() {
		this(builder());
	}

	private EventManager(Builder builder) {
		this.name = builder.name;
		this.factories = HandlerFactories.of(builder.factories, builder.discoverFactories);
		Path spoolDirectory = (builder.spoolDirectory != null) ? builder.spoolDirectory
				: defaultSpoolDirectory(builder.name);
		boolean freeSibling = builder.spoolDirectory == null || builder.freeSiblingWhenLocked;
		this.spool = new EventSpool(spoolDirectory, freeSibling, builder.json,
				LaneRegistry.threadNamePrefix(builder.name) + "spool");
		this.lanes = new LaneRegistry(builder.name, this.spool, builder.queueCapacity, builder.retryDelay,
				builder.maxRetryDelay, builder.shutdownTimeout);
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
	 * {@code <java.io.tmpdir>/lionfuncs-events/<name>}, or the first of
	 * {@code <name>-2}, {@code <name>-3}, … that no running manager holds.
	 * @param name the manager's name
	 * @return the preferred directory
	 */
	public static Path defaultSpoolDirectory(String name) {
		return Path.of(System.getProperty("java.io.tmpdir"), "lionfuncs-events", name);
	}

	/**
	 * The names of the registered handler factories: the names
	 * {@link #addHandler(String, String...)} and {@code E3_EVENT_HANDLERS} accept.
	 * @return the names, sorted
	 */
	public Set<String> getFactoryNames() {
		return this.factories.names();
	}

	/**
	 * Adds a ready-made handler under its {@link EventHandler#getName() name},
	 * replacing a handler of the same name.
	 * @param handler the handler
	 * @throws IllegalStateException if the manager runs and the handler's spool
	 * directory cannot be used
	 */
	public void addHandler(EventHandler handler) {
		Objects.requireNonNull(handler, "handler");
		this.lanes.add(HandlerFactories.checkName(handler.getName(), "Event handler name"), handler);
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
		EventHandler handler = this.factories.create(name, String.join(",", args), "addHandler");
		addHandler(handler);
		return handler;
	}

	/**
	 * Removes a handler. Events published to it are sent within the shutdown timeout;
	 * what it did not take stays in its log in the spool directory, for a later handler
	 * of the same name.
	 * @param name the handler's name
	 * @return whether a handler was removed
	 */
	public boolean removeHandler(String name) {
		return this.lanes.remove(name);
	}

	/**
	 * Whether any handler is registered: without one, publishing does nothing.
	 * @return whether events have somewhere to go
	 */
	public boolean hasHandlers() {
		return !this.lanes.lanes().isEmpty();
	}

	/**
	 * The handlers, in the order they were added.
	 * @return an unmodifiable copy
	 */
	public Map<String, EventHandler> getHandlers() {
		Map<String, EventHandler> handlers = new LinkedHashMap<>();
		this.lanes.lanes().forEach((handlerName, lane) -> handlers.put(handlerName, lane.getHandler()));
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
		for (HandlerConfigCodec.Entry entry : HandlerConfigCodec.decode(handlerConfig)) {
			handlers.add(this.factories.create(entry.name(), entry.config(), source));
		}
		handlers.forEach(this::addHandler);
	}

	/**
	 * The configuration string that re-creates the current handlers, in e3's format
	 * {@code name1=config|name2=config}: e3's {@code load_handlers_from_env} reads it
	 * for the handlers both sides know ({@code logging}, {@code file}).
	 * @return the configuration
	 * @throws IllegalStateException if a handler has no registered factory of its name
	 * or its configuration holds {@code |}
	 */
	public String handlerConfig() {
		return HandlerConfigCodec.encode(getHandlers(), this.factories);
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
		for (HandlerLane lane : this.lanes.lanes().values()) {
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

	/**
	 * Hands an event to every handler without waiting for any: a read-only copy is
	 * appended to the handlers' logs (by this thread, or by one appending meanwhile) and
	 * sent by each handler's thread. Later changes to the event are not seen by the
	 * handlers. Before {@link #start()}, the first event opens the spool directory.
	 * @param event the event
	 */
	public void publish(Event event) {
		Objects.requireNonNull(event, "event");
		if (hasHandlers()) {
			this.lanes.publish(event.snapshot());
		}
	}

	/**
	 * Re-sends failed events now instead of waiting for the backoff.
	 */
	public void retryNow() {
		this.lanes.lanes().values().forEach(HandlerLane::retryNow);
	}

	/**
	 * What each handler has done.
	 * @return the statistics by handler name, in the order the handlers were added
	 */
	public Map<String, HandlerStats> handlerStats() {
		Map<String, HandlerStats> stats = new LinkedHashMap<>();
		this.lanes.lanes().forEach((handlerName, lane) -> stats.put(handlerName, lane.stats()));
		return Collections.unmodifiableMap(stats);
	}

	/**
	 * Events lost: neither written to the spool (the disk failed, or the event cannot be
	 * written as JSON) nor taken from memory; logged as errors.
	 * @return the count over all handlers
	 */
	public long lostEvents() {
		return this.lanes.lanes().values().stream().mapToLong(HandlerLane::lost).sum();
	}

	/**
	 * Chooses and locks the spool directory, replays each handler's log, and starts the
	 * spool writer and a delivery thread per handler. Calling it again does nothing.
	 * @throws IllegalStateException if the manager was closed, or the spool directory
	 * cannot be used or is used by another manager
	 */
	public void start() {
		this.lanes.start();
	}

	/**
	 * Whether the manager is started and not closed.
	 * @return whether it runs
	 */
	public boolean isRunning() {
		return this.lanes.state() == LaneRegistry.State.RUNNING;
	}

	/**
	 * Writes what is queued to the logs, sends the handlers what they take within the
	 * shutdown timeout, stops the threads, closes the logs and unlocks the spool
	 * directory. Whatever was not sent stays in the logs for the next start. Calling it
	 * again does nothing.
	 */
	@Override
	public void close() {
		this.lanes.close();
	}

	public String getName() {
		return this.name;
	}

	/**
	 * The spool directory: once started, the one chosen and locked.
	 * @return its absolute path
	 */
	public Path getSpoolDirectory() {
		return this.spool.getRoot();
	}

	@Override
	public String toString() {
		return "EventManager[name=" + this.name + ", handlers=" + this.lanes.lanes().keySet() + ", state="
				+ this.lanes.state() + "]";
	}

	/**
	 * Builds an {@link EventManager}.
	 */
	public static final class Builder {

		private String name = DEFAULT_NAME;

		private @Nullable Path spoolDirectory;

		private boolean freeSiblingWhenLocked;

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
			this.name = HandlerFactories.checkName(name, "EventManager name");
			return this;
		}

		/**
		 * Sets the spool directory. Starting fails while another running manager holds
		 * it.
		 * @param spoolDirectory the directory, or {@code null} for
		 * {@link EventManager#defaultSpoolDirectory(String)}
		 * @return this builder
		 */
		public Builder spoolDirectory(@Nullable Path spoolDirectory) {
			this.spoolDirectory = spoolDirectory;
			this.freeSiblingWhenLocked = false;
			return this;
		}

		/**
		 * Sets the preferred spool directory of a manager that may meet another one
		 * there (two processes of one application on a host): while another running
		 * manager holds it at the start, the first of {@code <directory>-2},
		 * {@code <directory>-3}, … that none holds is used. A directory is never used by
		 * two running managers at once; one held by a process that died is free again.
		 * @param spoolDirectory the preferred directory
		 * @return this builder
		 */
		public Builder spoolDirectoryOrFreeSibling(Path spoolDirectory) {
			this.spoolDirectory = Objects.requireNonNull(spoolDirectory, "spoolDirectory");
			this.freeSiblingWhenLocked = true;
			return this;
		}

		/**
		 * Sets how many events each handler keeps in memory, besides its log, to send
		 * without reading them back.
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
		 * Sets the first delay before a failed event is re-sent; it doubles after each
		 * further failure up to {@link #maxRetryDelay}.
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
		 * Sets how long {@link EventManager#close()} goes on sending before it leaves
		 * the rest in the logs.
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
		 * Sets the codec, and with it the limits, of spooled events.
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
			this.factories.put(HandlerFactories.checkName(factory.getName(), "Event handler factory name"), factory);
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

		private static Duration positive(Duration duration, String what) {
			Objects.requireNonNull(duration, what);
			if (duration.isNegative() || duration.isZero()) {
				throw new IllegalArgumentException(what + " must be positive, got " + duration);
			}
			return duration;
		}

	}

}
