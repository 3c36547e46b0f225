package io.lionfuncs.event.handler;

import java.util.List;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.lionfuncs.event.Event;
import io.lionfuncs.event.EventJson;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link LoggingEventHandler}.
 */
class LoggingEventHandlerTests {

	private static final String LOGGER = "test.events.logging";

	private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

	private final Logger logger = (Logger) LoggerFactory.getLogger(LOGGER);

	@BeforeEach
	void attach() {
		this.appender.start();
		this.logger.addAppender(this.appender);
		this.logger.setLevel(ch.qos.logback.classic.Level.INFO);
	}

	@AfterEach
	void detach() {
		this.logger.detachAppender(this.appender);
		this.logger.setLevel(null);
	}

	@Test
	void logsTheEventDataAsOneJsonLineAtTheLevel() {
		LoggingEventHandler handler = new LoggingEventHandler(LOGGER, Level.WARN);
		Event event = new Event("build").set("result", "ok");

		assertThat(handler.sendEvent(event)).isTrue();

		assertThat(this.appender.list).singleElement().satisfies((logged) -> {
			assertThat(logged.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
			assertThat(logged.getFormattedMessage()).isEqualTo(EventJson.defaults().dataToJson(event, false))
				.contains("\"result\":\"ok\"")
				.doesNotContain("\n");
		});
	}

	@Test
	void levelBelowTheLoggersIsNotWrittenButStillTaken() {
		LoggingEventHandler handler = new LoggingEventHandler(LOGGER, Level.DEBUG);

		assertThat(handler.sendEvent(new Event("build"))).isTrue();
		assertThat(this.appender.list).isEmpty();
	}

	@Test
	void configAcceptsLevelNamesAndE3Numbers() {
		assertThat(LoggingEventHandler.fromConfig("a.b,warning").getLevel()).isEqualTo(Level.WARN);
		assertThat(LoggingEventHandler.fromConfig("a.b,10").getLevel()).isEqualTo(Level.DEBUG);
		assertThat(LoggingEventHandler.fromConfig("a.b,20").getLevel()).isEqualTo(Level.INFO);
		assertThat(LoggingEventHandler.fromConfig("a.b,30").getLevel()).isEqualTo(Level.WARN);
		assertThat(LoggingEventHandler.fromConfig("a.b,50").getLevel()).isEqualTo(Level.ERROR);
		assertThat(LoggingEventHandler.fromConfig("a.b").getLevel()).isEqualTo(Level.INFO);
		assertThat(LoggingEventHandler.fromConfig("").getLoggerName()).isEqualTo(LoggingEventHandler.DEFAULT_LOGGER);
		assertThatIllegalArgumentException().isThrownBy(() -> LoggingEventHandler.fromConfig("a.b,LOUD"))
			.withMessageContaining("Unknown log level 'LOUD'");
	}

	@Test
	void configRoundTripsWithE3sNumericLevels() {
		for (String config : List.of("audit.events,40", "x,5", "lionfuncs.events,20")) {
			assertThat(new LoggingEventHandlerFactory().create(config).encodeConfig()).isEqualTo(config);
		}
		assertThat(new LoggingEventHandlerFactory().create("audit.events,ERROR").encodeConfig())
			.as("a level name is read, and written as e3 reads it")
			.isEqualTo("audit.events,40");
	}

}
