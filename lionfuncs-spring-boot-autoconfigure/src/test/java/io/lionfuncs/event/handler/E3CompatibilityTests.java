package io.lionfuncs.event.handler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.lionfuncs.event.Event;
import io.lionfuncs.event.EventManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Parity with e3-core's {@code e3.event}, both ways: handler configuration strings as
 * e3's {@code handler_config_as_env} writes them load here, ours pass e3's
 * {@code load_handlers_from_env} and the handlers' {@code decode_config} (their rules
 * are restated below, line for line), and the file handler writes what e3's
 * {@code FileHandler} writes (a fixture made with Python's {@code json} module, as that
 * handler calls it).
 */
class E3CompatibilityTests {

	private static final String E3_FILE = "build-u1-8756e7d2-f010-11f1-8a13-0242ac110002.json";

	@TempDir
	Path temp;

	@Test
	void handlerConfigWrittenByE3Loads() {
		Path directory = this.temp.resolve("events");
		// e3: LoggingHandler("e3.build", logging.DEBUG) and FileHandler(dir), joined by handler_config_as_env
		String e3Value = "logging=e3.build,10|file=" + directory;
		EventManager manager = EventManager.builder()
			.spoolDirectory(this.temp.resolve("spool"))
			.environment(Map.of("E3_EVENT_HANDLERS", e3Value)::get)
			.build();

		manager.loadHandlersFromEnv();

		assertThat(manager.getHandlers()).containsOnlyKeys("logging", "file");
		assertThat(manager.getHandlers().get("logging")).isInstanceOfSatisfying(LoggingEventHandler.class,
				(logging) -> {
					assertThat(logging.getLoggerName()).isEqualTo("e3.build");
					assertThat(logging.getLevel()).isEqualTo(Level.DEBUG);
				});
		assertThat(manager.getHandlers().get("file")).isInstanceOfSatisfying(FileEventHandler.class,
				(file) -> assertThat(file.getDirectory()).isEqualTo(directory));
		assertThat(manager.handlerConfig()).as("written back as e3 wrote it").isEqualTo(e3Value);
	}

	@Test
	void handlerConfigAsEnvIsReadByE3() {
		EventManager manager = EventManager.builder().spoolDirectory(this.temp.resolve("spool")).build();
		manager.addHandler("logging", "audit.events", "WARN");
		manager.addHandler("file", this.temp.resolve("events").toString());

		String value = manager.handlerConfigAsEnv().get("E3_EVENT_HANDLERS");

		Map<String, String> handlers = e3LoadHandlersFromEnv(value);
		assertThat(handlers).containsOnlyKeys("logging", "file");
		assertThat(e3LoggingHandlerDecodeConfig(handlers.get("logging")))
			.containsExactly(Map.entry("logger_name", "audit.events"), Map.entry("level", 30));
		assertThat(e3FileHandlerDecodeConfig(handlers.get("file")))
			.containsExactly(Map.entry("log_dir", this.temp.resolve("events").toString()));
	}

	@Test
	void everyLevelIsWrittenAsThePythonNumberAndReadBothWays() {
		Map<Level, Integer> python = Map.of(Level.TRACE, 5, Level.DEBUG, 10, Level.INFO, 20, Level.WARN, 30,
				Level.ERROR, 40);
		python.forEach((level, number) -> {
			String config = new LoggingEventHandler("x", level).encodeConfig();
			assertThat(e3LoggingHandlerDecodeConfig(config)).containsEntry("level", number);
			assertThat(LoggingEventHandler.fromConfig(config).getLevel()).isEqualTo(level);
			assertThat(LoggingEventHandler.fromConfig("x," + level.name()).getLevel()).isEqualTo(level);
		});
		assertThat(LoggingEventHandler.fromConfig("x,50").getLevel()).as("CRITICAL").isEqualTo(Level.ERROR);
	}

	@Test
	void fileHandlerWritesWhatE3sFileHandlerWrites() throws IOException {
		Path directory = this.temp.resolve("events");

		assertThat(new FileEventHandler(directory).sendEvent(fixtureEvent())).isTrue();

		List<Path> written = list(directory);
		assertThat(written).extracting((path) -> path.getFileName().toString())
			.hasSize(2)
			.contains("build-u1")
			.anySatisfy((name) -> assertThat(name).matches("build-u1-[0-9a-f-]{36}\\.json"));
		assertThat(directory.resolve("build-u1")).isDirectory();
		Path file = written.stream().filter((path) -> path.toString().endsWith(".json")).findFirst().orElseThrow();
		assertThat(Files.readString(file, StandardCharsets.UTF_8)).isEqualTo(e3Fixture());
	}

	@Test
	void fileWrittenByE3HoldsTheEventsData() throws IOException {
		Map<?, ?> e3Data = JsonMapper.builder().build().readValue(e3Fixture(), Map.class);

		assertThat(e3Data).isEqualTo(fixtureEvent().asMap());
		assertThat(E3_FILE).matches("build-u1-[0-9a-f-]{36}\\.json");
	}

	/** The event whose {@code as_dict()} the fixture holds. */
	private static Event fixtureEvent() {
		Map<String, Object> inner = new LinkedHashMap<>();
		inner.put("b", 2);
		inner.put("a", 1);
		Map<String, Object> nested = new LinkedHashMap<>();
		nested.put("z", Map.of("y", List.of(true, false)));
		nested.put("a", -7);
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("result", "ok");
		data.put("count", 3);
		data.put("flag", true);
		data.put("nothing", null);
		data.put("text", "caf\u00e9 \"quoted\"\n\ttab \u2603 \ud83d\ude00");
		data.put("list", List.of(1, "two", inner, List.of()));
		data.put("empty", Map.of());
		data.put("nested", nested);
		Event event = Event.builder("build")
			.uid("u1")
			.beginTime(Instant.parse("2024-03-05T10:15:30Z"))
			.clock(Clock.fixed(Instant.parse("2024-03-05T10:16:00Z"), ZoneOffset.UTC))
			.putAll(data)
			.build();
		event.close();
		return event;
	}

	private static String e3Fixture() throws IOException {
		try (var in = E3CompatibilityTests.class.getResourceAsStream("/e3/file-handler/" + E3_FILE)) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
	}

	private static List<Path> list(Path directory) throws IOException {
		try (Stream<Path> files = Files.list(directory)) {
			return files.sorted().toList();
		}
	}

	// ---------------------------------------------------------------- e3-core's rules

	/**
	 * {@code EventManager.load_handlers_from_env}: {@code for el in value.split("|"):
	 * name, _, config = el.partition("=")}, into a dict (a later entry of a name wins).
	 */
	private static Map<String, String> e3LoadHandlersFromEnv(String value) {
		Map<String, String> handlers = new LinkedHashMap<>();
		for (String element : value.split("\\|", -1)) {
			int equals = element.indexOf('=');
			handlers.put((equals < 0) ? element : element.substring(0, equals),
					(equals < 0) ? "" : element.substring(equals + 1));
		}
		return handlers;
	}

	/**
	 * {@code LoggingHandler.decode_config}: {@code logger_name, level =
	 * config_str.split(",")} (exactly two parts, or a ValueError) and
	 * {@code int(level)} (a ValueError for a name such as {@code INFO}).
	 */
	private static Map<String, Object> e3LoggingHandlerDecodeConfig(String config) {
		String[] parts = config.split(",", -1);
		if (parts.length != 2) {
			throw new IllegalArgumentException("ValueError: expected 2 values to unpack, got " + parts.length);
		}
		Map<String, Object> kwargs = new LinkedHashMap<>();
		kwargs.put("logger_name", parts[0]);
		kwargs.put("level", Integer.parseInt(parts[1].strip()));
		return kwargs;
	}

	/** {@code FileHandler.decode_config}: {@code {"log_dir": config_str}}. */
	private static Map<String, Object> e3FileHandlerDecodeConfig(String config) {
		return Map.of("log_dir", config);
	}

}
