package io.lionfuncs.reliability;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/**
 * Sets a logger's level for the length of a test and restores it afterwards: to keep
 * expected warnings out of the build log, or to undo the levels an application started
 * by the test configured.
 */
final class LoggerLevel implements AutoCloseable {

	private final Logger logger;

	private final @Nullable Level previous;

	private LoggerLevel(String name, @Nullable Level level, boolean change) {
		this.logger = (Logger) LoggerFactory.getLogger(name);
		this.previous = this.logger.getLevel();
		if (change) {
			this.logger.setLevel(level);
		}
	}

	/**
	 * Lets only errors of a logger through until closed.
	 * @param name the logger
	 * @return the handle that restores the level
	 */
	static LoggerLevel errorsOnly(String name) {
		return new LoggerLevel(name, Level.ERROR, true);
	}

	/**
	 * Restores a logger's current level when closed, whatever changed it meanwhile.
	 * @param name the logger
	 * @return the handle that restores the level
	 */
	static LoggerLevel restoredAfterwards(String name) {
		return new LoggerLevel(name, null, false);
	}

	@Override
	public void close() {
		this.logger.setLevel(this.previous);
	}

}
