package io.lionfuncs.event.handler;

import java.util.Locale;
import java.util.Objects;

import io.lionfuncs.event.Event;
import io.lionfuncs.event.EventHandler;
import io.lionfuncs.event.EventJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Writes each event's data as one line of JSON to an SLF4J logger, after e3's
 * {@code LoggingHandler}.
 * <p>
 * Configuration string: {@code <logger>[,<level>]}, for example
 * {@code lionfuncs.events,20}, as e3's {@code LoggingHandler} writes and reads it: the
 * level a Python logging number (5 trace, 10 debug, 20 info, 30 warning, 40 error, 50
 * critical). An SLF4J level name is read too.
 */
public final class LoggingEventHandler implements EventHandler {

	/** The name of the handler and its factory. */
	public static final String NAME = "logging";

	/** The default logger. */
	public static final String DEFAULT_LOGGER = "lionfuncs.events";

	private final String name;

	private final String loggerName;

	private final Level level;

	private final Logger logger;

	/** A handler logging at {@code INFO} to {@value #DEFAULT_LOGGER}. */
	public LoggingEventHandler() {
		this(DEFAULT_LOGGER, Level.INFO);
	}

	/**
	 * A handler named {@value #NAME}.
	 * @param loggerName the logger
	 * @param level the level
	 */
	public LoggingEventHandler(String loggerName, Level level) {
		this(NAME, loggerName, level);
	}

	/**
	 * A handler.
	 * @param name the handler's name
	 * @param loggerName the logger, without {@code ,} or {@code |}
	 * @param level the level
	 */
	public LoggingEventHandler(String name, String loggerName, Level level) {
		this.name = Objects.requireNonNull(name, "name");
		if (loggerName.isBlank() || loggerName.indexOf(',') >= 0 || loggerName.indexOf('|') >= 0) {
			throw new IllegalArgumentException("A logger name must be non-blank, without ',' or '|'");
		}
		this.loggerName = loggerName;
		this.level = Objects.requireNonNull(level, "level");
		this.logger = LoggerFactory.getLogger(loggerName);
	}

	/**
	 * Creates a handler from its configuration string.
	 * @param config {@code <logger>[,<level>]}, or empty for the defaults
	 * @return the handler
	 */
	public static LoggingEventHandler fromConfig(String config) {
		return fromConfig(NAME, config);
	}

	static LoggingEventHandler fromConfig(String name, String config) {
		if (config.isBlank()) {
			return new LoggingEventHandler(name, DEFAULT_LOGGER, Level.INFO);
		}
		int comma = config.indexOf(',');
		String loggerName = ((comma < 0) ? config : config.substring(0, comma)).strip();
		Level level = (comma < 0) ? Level.INFO : parseLevel(config.substring(comma + 1).strip());
		return new LoggingEventHandler(name, loggerName.isEmpty() ? DEFAULT_LOGGER : loggerName, level);
	}

	static Level parseLevel(String text) {
		if (!text.isEmpty() && text.chars().allMatch(Character::isDigit) && text.length() < 4) {
			int number = Integer.parseInt(text);
			if (number >= 40) {
				return Level.ERROR;
			}
			if (number >= 30) {
				return Level.WARN;
			}
			if (number >= 20) {
				return Level.INFO;
			}
			return (number >= 10) ? Level.DEBUG : Level.TRACE;
		}
		return switch (text.toUpperCase(Locale.ROOT)) {
			case "TRACE" -> Level.TRACE;
			case "DEBUG" -> Level.DEBUG;
			case "INFO" -> Level.INFO;
			case "WARN", "WARNING" -> Level.WARN;
			case "ERROR", "CRITICAL", "FATAL" -> Level.ERROR;
			default -> throw new IllegalArgumentException(
					"Unknown log level '" + text + "'; use TRACE, DEBUG, INFO, WARN, ERROR or a Python level number");
		};
	}

	@Override
	public String getName() {
		return this.name;
	}

	public String getLoggerName() {
		return this.loggerName;
	}

	public Level getLevel() {
		return this.level;
	}

	@Override
	public boolean sendEvent(Event event) {
		if (this.logger.isEnabledForLevel(this.level)) {
			this.logger.atLevel(this.level).log(EventJson.defaults().dataToJson(event, false));
		}
		return true;
	}

	/**
	 * {@inheritDoc}
	 * @return {@code <logger>,<Python level number>}, which e3's
	 * {@code LoggingHandler.decode_config} reads
	 */
	@Override
	public String encodeConfig() {
		return this.loggerName + "," + pythonLevel(this.level);
	}

	/** The Python logging number of a level; TRACE, which Python lacks, is 5 (below DEBUG). */
	static int pythonLevel(Level level) {
		return switch (level) {
			case TRACE -> 5;
			case DEBUG -> 10;
			case INFO -> 20;
			case WARN -> 30;
			case ERROR -> 40;
		};
	}

	@Override
	public String toString() {
		return "LoggingEventHandler[name=" + this.name + ", logger=" + this.loggerName + ", level=" + this.level + "]";
	}

}
