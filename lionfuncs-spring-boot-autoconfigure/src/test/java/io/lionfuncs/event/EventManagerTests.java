package io.lionfuncs.event;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.lionfuncs.event.handler.FileEventHandler;
import io.lionfuncs.event.handler.LoggingEventHandler;
import io.lionfuncs.event.handler.WebhookEventHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link EventManager}'s synchronous side: isolation of handlers, handler
 * factories and the {@code E3_EVENT_HANDLERS} format.
 */
class EventManagerTests {

	@TempDir
	Path temp;

	private final Map<String, String> environment = new HashMap<>();

	private EventManager.Builder manager() {
		return EventManager.builder().spoolDirectory(this.temp.resolve("spool")).environment(this.environment::get);
	}

	@Test
	void failingHandlersDoNotKeepTheEventFromTheOthers() {
		EventManager manager = manager().build();
		RecordingHandler throwing = RecordingHandler.throwing("throwing");
		RecordingHandler refusing = RecordingHandler.refusing("refusing");
		RecordingHandler working = new RecordingHandler("working");
		manager.addHandler(throwing);
		manager.addHandler(refusing);
		manager.addHandler(working);
		Event event = new Event("build");

		boolean sent = manager.sendEvent(event);

		assertThat(sent).isFalse();
		assertThat(working.taken).containsExactly(event.getUid());
		assertThat(throwing.received).containsExactly(event.getUid());
		assertThat(refusing.received).containsExactly(event.getUid());
		assertThat(manager.handlerStats()).containsExactly(Map.entry("throwing", new HandlerStats(0, 1, 0, 0, 0)),
				Map.entry("refusing", new HandlerStats(0, 1, 0, 0, 0)),
				Map.entry("working", new HandlerStats(1, 0, 0, 0, 0)));
	}

	@Test
	void sendEventIsTrueWhenEveryHandlerTookIt() {
		EventManager manager = manager().build();
		assertThat(manager.sendEvent(new Event("nobody-listens"))).isTrue();
		manager.addHandler(new RecordingHandler("one"));
		manager.addHandler(new RecordingHandler("two"));

		assertThat(manager.sendEvent(new Event("build"))).isTrue();
		assertThat(manager.sendEvent(new Event("build"))).isTrue();
		assertThat(manager.handlerStats().get("two")).isEqualTo(new HandlerStats(2, 0, 0, 0, 0));
	}

	@Test
	void handlerOfTheSameNameReplacesTheEarlierOne() {
		EventManager manager = manager().build();
		RecordingHandler first = RecordingHandler.refusing("h");
		RecordingHandler second = new RecordingHandler("h");
		manager.addHandler(first);
		manager.addHandler(second);

		assertThat(manager.sendEvent(new Event("build"))).isTrue();
		assertThat(manager.getHandlers()).containsOnlyKeys("h").containsValue(second);
		assertThat(first.received).isEmpty();
	}

	@Test
	void sendEventFromFileLoadsAndSends() {
		EventManager manager = manager().build();
		RecordingHandler handler = new RecordingHandler("h");
		manager.addHandler(handler);
		Event event = new Event("build");
		event.close();

		assertThat(manager.sendEventFromFile(event.dump(this.temp))).isTrue();
		assertThat(handler.taken).containsExactly(event.getUid());
	}

	@Test
	void builtInFactoriesAreRegistered() {
		assertThat(manager().build().getFactoryNames()).containsExactly("file", "logging", "webhook");
		assertThat(manager().discoverFactories(false).build().getFactoryNames()).isEmpty();
	}

	@Test
	void addHandlerByNameUsesTheRegisteredFactory() {
		EventManager manager = manager().build();

		EventHandler logging = manager.addHandler("logging", "audit.events", "WARN");
		EventHandler file = manager.addHandler("file", this.temp.resolve("out").toString());

		assertThat(logging).isInstanceOfSatisfying(LoggingEventHandler.class, (handler) -> {
			assertThat(handler.getLoggerName()).isEqualTo("audit.events");
			assertThat(handler.getLevel()).isEqualTo(Level.WARN);
		});
		assertThat(file).isInstanceOfSatisfying(FileEventHandler.class,
				(handler) -> assertThat(handler.getDirectory()).isEqualTo(this.temp.resolve("out")));
		assertThat(manager.getHandlers()).containsOnlyKeys("logging", "file");
	}

	@Test
	void namesAreLookedUpAmongFactoriesOnlyNeverAsClasses() {
		EventManager manager = manager().build();

		for (String name : List.of("java.lang.Runtime", "io.lionfuncs.event.handler.FileEventHandler", "bogus")) {
			assertThatExceptionOfType(UnknownEventHandlerException.class).isThrownBy(() -> manager.addHandler(name))
				.withMessage("Unknown event handler '" + name + "' in addHandler; known handlers: file, logging, webhook")
				.satisfies((ex) -> assertThat(ex.getKnownNames()).containsExactly("file", "logging", "webhook"));
		}
		assertThat(manager.getHandlers()).isEmpty();
	}

	@Test
	void handlerConfigAsEnvRoundTrips() {
		EventHandlerFactory custom = EventHandlerFactory.of("custom", (config) -> new ConfiguredHandler("custom", config));
		EventManager parent = manager().factory(custom).build();
		parent.addHandler("logging", "audit.events", "ERROR");
		parent.addHandler("file", this.temp.resolve("events").toString());
		parent.addHandler("webhook", "http://127.0.0.1:8080/hooks/events?a=1,b=2,timeout=2s,retries=1");
		parent.addHandler("custom", "x=1;y=2");

		Map<String, String> env = parent.handlerConfigAsEnv("CHILD_EVENT_HANDLERS");
		this.environment.putAll(env);
		EventManager child = manager().factory(custom).build();
		child.loadHandlersFromEnv("CHILD_EVENT_HANDLERS");

		assertThat(env).containsOnlyKeys("CHILD_EVENT_HANDLERS");
		assertThat(env.get("CHILD_EVENT_HANDLERS")).isEqualTo("logging=audit.events,40|file="
				+ this.temp.resolve("events") + "|webhook=http://127.0.0.1:8080/hooks/events?a=1,b=2,timeout=2s,retries=1"
				+ "|custom=x=1;y=2");
		assertThat(child.getHandlers().keySet()).containsExactly("logging", "file", "webhook", "custom");
		child.getHandlers()
			.forEach((name, handler) -> assertThat(handler.encodeConfig())
				.isEqualTo(parent.getHandlers().get(name).encodeConfig()));
		assertThat(child.getHandlers().get("webhook")).isInstanceOfSatisfying(WebhookEventHandler.class,
				(webhook) -> assertThat(webhook.getMaxRetries()).isEqualTo(1));
		assertThat(child.handlerConfig()).isEqualTo(parent.handlerConfig());
	}

	@Test
	void unsetOrEmptyVariableAddsNoHandlerAndNoError() {
		EventManager manager = manager().build();
		manager.loadHandlersFromEnv("UNSET_EVENT_HANDLERS");
		this.environment.put("EMPTY_EVENT_HANDLERS", "");
		manager.loadHandlersFromEnv("EMPTY_EVENT_HANDLERS");
		this.environment.put("BLANK_EVENT_HANDLERS", "  ");
		manager.loadHandlersFromEnv("BLANK_EVENT_HANDLERS");

		assertThat(manager.getHandlers()).isEmpty();
	}

	@Test
	void realEnvironmentVariableThatIsUnsetAddsNothing() {
		EventManager manager = EventManager.builder().spoolDirectory(this.temp).build();
		String variable = "LIONFUNCS_TEST_UNSET_" + System.nanoTime();
		assertThat(System.getenv(variable)).isNull();

		manager.loadHandlersFromEnv(variable);

		assertThat(manager.getHandlers()).isEmpty();
	}

	@Test
	void e3FormatVariantsAreAccepted() {
		this.environment.put("E3_EVENT_HANDLERS", "|logging||file=" + this.temp + "|");
		EventManager manager = manager().build();

		manager.loadHandlersFromEnv();

		assertThat(manager.getHandlers().keySet()).containsExactly("logging", "file");
		assertThat(manager.getHandlers().get("logging").encodeConfig()).isEqualTo("lionfuncs.events,20");
	}

	@Test
	void unknownNameInVariableAddsNothingAndNamesTheVariable() {
		this.environment.put("E3_EVENT_HANDLERS", "logging=a,INFO|smtp=mail.example.com");
		EventManager manager = manager().build();

		assertThatExceptionOfType(UnknownEventHandlerException.class).isThrownBy(manager::loadHandlersFromEnv)
			.withMessage("Unknown event handler 'smtp' in environment variable E3_EVENT_HANDLERS; "
					+ "known handlers: file, logging, webhook");
		assertThat(manager.getHandlers()).isEmpty();
	}

	@Test
	void unknownNameCannotForgeLogLines() {
		this.environment.put("E3_EVENT_HANDLERS", "logging|evil\nINFO forged line");
		EventManager manager = manager().build();

		assertThatExceptionOfType(UnknownEventHandlerException.class).isThrownBy(manager::loadHandlersFromEnv)
			.withMessageStartingWith("Unknown event handler 'evil\\u000aINFO forged line' in environment variable");
	}

	@Test
	void invalidConfigurationNamesHandlerAndVariable() {
		this.environment.put("E3_EVENT_HANDLERS", "logging=a,LOUD");
		EventManager manager = manager().build();

		assertThatExceptionOfType(EventError.class).isThrownBy(manager::loadHandlersFromEnv)
			.withMessageStartingWith("Invalid configuration of event handler 'logging' in environment variable "
					+ "E3_EVENT_HANDLERS: Unknown log level 'LOUD'");
		assertThat(manager.getHandlers()).isEmpty();
	}

	@Test
	void handlerWithoutFactoryCannotBeExported() {
		EventManager manager = manager().build();
		manager.addHandler(new RecordingHandler("mine"));

		assertThatIllegalStateException().isThrownBy(manager::handlerConfig)
			.withMessageContaining("'mine' has no registered factory");
	}

	@Test
	void configurationWithPipeCannotBeExported() {
		EventHandlerFactory custom = EventHandlerFactory.of("custom", (config) -> new ConfiguredHandler("custom", config));
		EventManager manager = manager().factory(custom).build();
		manager.addHandler(new ConfiguredHandler("custom", "a|b"));

		assertThatIllegalStateException().isThrownBy(manager::handlerConfig).withMessageContaining("contains '|'");
	}

	@Test
	void invalidHandlerNamesAreRefused() {
		EventManager manager = manager().build();
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> manager.addHandler(new RecordingHandler("../escape")));
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> manager.addHandler(new RecordingHandler("a=b")));
	}

	record ConfiguredHandler(String name, String config) implements EventHandler {

		@Override
		public String getName() {
			return this.name;
		}

		@Override
		public boolean sendEvent(Event event) {
			return true;
		}

		@Override
		public String encodeConfig() {
			return this.config;
		}

	}

}
