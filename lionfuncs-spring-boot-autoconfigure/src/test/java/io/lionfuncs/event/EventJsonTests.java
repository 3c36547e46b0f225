package io.lionfuncs.event;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link EventJson}: e3 compatibility in both directions, the round trip, and
 * hostile input.
 */
class EventJsonTests {

	private static final JsonMapper mapper = JsonMapper.builder().build();

	@TempDir
	Path temp;

	// ---------------------------------------------------------------- e3 compatibility

	@Test
	void eventWrittenByE3Loads() throws Exception {
		Event event = Event.load(fixture("e3-closed-event.json"));

		assertThat(event.getName()).isEqualTo("nightly-build");
		assertThat(event.getUid()).isEqualTo("6f1d2c3a-9b7e-11ee-8c90-0242ac120002");
		assertThat(event.isClosed()).isTrue();
		assertThat(event.getBeginTime()).isEqualTo(Instant.parse("2024-03-05T10:15:30Z"));
		assertThat(event.getEndTime()).isEqualTo(Instant.parse("2024-03-05T10:16:02Z"));
		assertThat(event.asMap()).containsExactly(Map.entry("uid", "6f1d2c3a-9b7e-11ee-8c90-0242ac120002"),
				Map.entry("name", "nightly-build"), Map.entry("begin_time", "2024-03-05T10:15:30"),
				Map.entry("end_time", "2024-03-05T10:16:02"), Map.entry("platform", "x86_64-linux"),
				Map.entry("result", Map.of("passed", 1203, "failed", 2, "ratio", 0.9983)),
				Map.entry("tags", List.of("ci", "caf\u00e9")), nullEntry("retry"), Map.entry("ok", false),
				Map.entry("subject", "build 42 finished"));
		assertThat(event.getAttachments()).containsExactly(
				Map.entry("log", new Attachment("/tmp/e3/build.log", "f572d396fae9206628714fb2ce00f72e94f2258f")),
				Map.entry("pkg.tar.gz",
						new Attachment("/tmp/e3/pkg.tar.gz", "da39a3ee5e6b4b0d3255bfef95601890afd80709")));
		assertThatExceptionOfType(EventError.class).isThrownBy(() -> event.set("late", true));
	}

	@Test
	void openEventWrittenByE3LoadsAndCanBeClosed() throws Exception {
		Event event = Event.load(fixture("e3-open-event.json"));

		assertThat(event.getName()).isEqualTo("event test");
		assertThat(event.isClosed()).isFalse();
		assertThat(event.getEndTime()).isNull();
		event.set("subject", "a test subject");
		event.close();
		assertThat(event.getEndTime()).isNotNull();
		assertThat(event.asMap().get("end_time").toString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d");
	}

	@Test
	void e3EventDumpedAgainKeepsItsDocument() throws Exception {
		Path original = fixture("e3-closed-event.json");

		Path dumped = Event.load(original).dump(this.temp);

		assertThat(mapper.readValue(dumped.toFile(), Map.class)).isEqualTo(mapper.readValue(original.toFile(), Map.class));
	}

	@Test
	void dumpUsesE3FileNameKeysAndTimeFormat() throws Exception {
		Path log = Files.writeString(this.temp.resolve("build.log"), "hello\n");
		Event event = new Event("build").set("count", 3).set("text", "caf\u00e9");
		event.attachFile(log);
		event.close();

		Path file = event.dump(this.temp.resolve("events"));

		assertThat(file.getParent()).isEqualTo(this.temp.resolve("events"));
		assertThat(file.getFileName().toString())
			.matches(java.util.regex.Pattern.quote(event.getUid()) + "-[0-9a-f-]{36}\\.json");
		String text = Files.readString(file, StandardCharsets.UTF_8);
		assertThat(text).as("non-ASCII escaped as Python's json.dump does").contains("caf\\u00e9").matches("\\p{ASCII}*");
		Map<String, Object> document = readMap(text);
		assertThat(document.keySet()).containsExactly("data", "attachments", "closed");
		assertThat(document.get("closed")).isEqualTo(true);
		@SuppressWarnings("unchecked")
		Map<String, Object> data = (Map<String, Object>) document.get("data");
		assertThat(data.keySet()).containsExactly("uid", "name", "begin_time", "end_time", "count", "text");
		assertThat((String) data.get("begin_time")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d");
		assertThat((String) data.get("end_time")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d");
		assertThat(document.get("attachments")).isEqualTo(
				Map.of("log", List.of(log.toString(), "f572d396fae9206628714fb2ce00f72e94f2258f")));
	}

	@Test
	void dumpThenLoadThenAsMapIsIdentity() {
		Map<String, Object> nested = new LinkedHashMap<>();
		nested.put("list", List.of(1, 2L, 3.25, "four", true));
		nested.put("null", null);
		nested.put("empty", Map.of());
		Event event = new Event("round-trip")
			.set("int", Integer.MAX_VALUE)
			.set("long", Long.MAX_VALUE)
			.set("big", new java.math.BigInteger("98765432109876543210"))
			.set("double", -0.125)
			.set("text", "tab\t\"quote\" \u2603 \uD83D\uDE00")
			.set("nested", nested)
			.set("deep", nest(JsonValues.MAX_DEPTH));
		event.setFormatter("double", (key, value) -> Map.of(key, value, key + "_text", String.valueOf(value)));
		Event open = new Event("still-open").set("x", 1);
		event.close();

		for (Event original : List.of(event, open)) {
			Event loaded = Event.load(original.dump(this.temp));
			assertThat(loaded.asMap()).isEqualTo(original.asMap());
			assertThat(List.copyOf(loaded.asMap().keySet())).isEqualTo(List.copyOf(original.asMap().keySet()));
			assertThat(loaded.isClosed()).isEqualTo(original.isClosed());
			assertThat(loaded.getAttachments()).isEqualTo(original.getAttachments());
		}
	}

	// ---------------------------------------------------------------- hostile input

	@Test
	void malformedJsonIsRefusedNamingTheFile() throws IOException {
		Path file = Files.writeString(this.temp.resolve("bad.json"), "{\"data\": {\"uid\": \"a\", \"name\": ");

		assertThatExceptionOfType(InvalidEventFileException.class).isThrownBy(() -> Event.load(file))
			.withMessageStartingWith("Invalid event file '" + file + "': not valid JSON")
			.satisfies((ex) -> assertThat(ex.getSource()).isEqualTo(file.toString()));
	}

	@Test
	void fileLargerThanTheLimitIsRefusedWithoutReadingIt() throws IOException {
		Path file = this.temp.resolve("huge.json");
		try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE_NEW,
				java.nio.file.StandardOpenOption.WRITE)) {
			// a sparse file: large on paper, no disk used
			channel.write(java.nio.ByteBuffer.wrap(new byte[] { '}' }), EventJson.DEFAULT_MAX_BYTES * 4);
		}

		assertThatExceptionOfType(InvalidEventFileException.class).isThrownBy(() -> Event.load(file))
			.withMessage("Invalid event file '" + file + "': it is " + (EventJson.DEFAULT_MAX_BYTES * 4 + 1)
					+ " bytes, more than the " + EventJson.DEFAULT_MAX_BYTES + " allowed");
	}

	@Test
	void customLimitAppliesToDocumentsInMemoryToo() {
		EventJson small = EventJson.withLimits(1024, 8);
		byte[] json = ("{\"data\": {\"uid\": \"u1\", \"name\": \"n\", \"pad\": \"" + "x".repeat(2000) + "\"}}")
			.getBytes(StandardCharsets.UTF_8);

		assertThatExceptionOfType(InvalidEventFileException.class).isThrownBy(() -> small.read(json, "upload"))
			.withMessageContaining("'upload'")
			.withMessageContaining("more than the 1024 allowed");
	}

	@Test
	void deeplyNestedJsonIsRefused() throws IOException {
		int depth = 100_000;
		String json = "{\"data\": {\"uid\": \"u1\", \"name\": \"n\", \"bomb\": " + "[".repeat(depth) + "]".repeat(depth)
				+ "}}";
		Path file = Files.writeString(this.temp.resolve("nested.json"), json);

		assertThatExceptionOfType(InvalidEventFileException.class).isThrownBy(() -> Event.load(file))
			.withMessageStartingWith("Invalid event file '" + file + "': not valid JSON")
			.withMessageContaining("nesting depth")
			.withMessageContaining("64");
	}

	@Test
	void documentsThatAreNotEventsAreRefusedWithTheReason() throws IOException {
		Map<String, String> cases = new LinkedHashMap<>();
		cases.put("", "the file is empty");
		cases.put("[1, 2]", "the top level must be a JSON object");
		cases.put("{\"data\": 1}", "\"data\" must be a JSON object");
		cases.put("{\"data\": {\"name\": \"n\"}}", "\"data.uid\" must be");
		cases.put("{\"data\": {\"uid\": \"../../etc/cron.d/x\", \"name\": \"n\"}}", "\"data.uid\" must be");
		cases.put("{\"data\": {\"uid\": \"u1\"}}", "\"data.name\" must be a non-empty string");
		cases.put("{\"data\": {\"uid\": \"u1\", \"name\": \"n\", \"begin_time\": 12}}", "\"data.begin_time\" must be");
		cases.put("{\"data\": {\"uid\": \"u1\", \"name\": \"n\"}, \"attachments\": {\"log\": \"/etc/passwd\"}}",
				"\"attachments.log\" must be a [path, sha1] pair");
		cases.put("{\"data\": {\"uid\": \"u1\", \"name\": \"n\"}, \"attachments\": {\"log\": [\"/a\", \"zz\"]}}",
				"sha1 must be 40 hex digits");
		cases.put("{\"data\": {\"uid\": \"u1\", \"name\": \"n\"}, \"closed\": \"yes\"}", "\"closed\" must be");
		cases.put("{\"data\": {\"uid\": \"u1\", \"uid\": \"u2\", \"name\": \"n\"}}", "Duplicate Object property");
		cases.put("{\"data\": {\"uid\": \"u1\", \"name\": \"n\"}} {\"more\": 1}", "Trailing token");
		cases.put("{\"data\": {\"uid\": \"u1\", \"name\": \"n\", \"x\": NaN}}", "not valid JSON");
		cases.put("{\"data\": {\"uid\": \"u1\", \"name\": \"n\", \"@class\": \"java.lang.ProcessBuilder\"}}", null);
		int i = 0;
		for (Map.Entry<String, String> entry : cases.entrySet()) {
			Path file = Files.writeString(this.temp.resolve("case" + (i++) + ".json"), entry.getKey());
			if (entry.getValue() == null) {
				// no polymorphic typing: a class name is just data
				assertThat(Event.load(file).get("@class")).isEqualTo("java.lang.ProcessBuilder");
				continue;
			}
			assertThatExceptionOfType(InvalidEventFileException.class).as(entry.getKey())
				.isThrownBy(() -> Event.load(file))
				.withMessageStartingWith("Invalid event file '" + file + "': ")
				.withMessageContaining(entry.getValue());
		}
	}

	@Test
	void missingFileAndDirectoryAreRefused() throws IOException {
		Path missing = this.temp.resolve("missing.json");
		Path directory = Files.createDirectory(this.temp.resolve("dir.json"));

		assertThatExceptionOfType(InvalidEventFileException.class).isThrownBy(() -> Event.load(missing))
			.withMessage("Invalid event file '" + missing + "': no such file");
		assertThatExceptionOfType(InvalidEventFileException.class).isThrownBy(() -> Event.load(directory))
			.withMessage("Invalid event file '" + directory + "': not a regular file");
	}

	@Test
	void eventTooLargeToLoadBackIsNotWritten() {
		EventJson small = EventJson.withLimits(1024, 16);
		Event event = new Event("big").set("pad", "x".repeat(2000));

		assertThatExceptionOfType(EventError.class).isThrownBy(() -> small.dump(event, this.temp))
			.withMessageContaining("more than the 1024");
		assertThat(this.temp.toFile().list()).isEmpty();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> readMap(String json) {
		return mapper.readValue(json, Map.class);
	}

	private static Object nest(int levels) {
		Object value = "leaf";
		for (int i = 0; i < levels; i++) {
			value = List.of(value);
		}
		return value;
	}

	private static Path fixture(String name) throws URISyntaxException {
		return Path.of(EventJsonTests.class.getResource(name).toURI());
	}

	private static Map.Entry<String, Object> nullEntry(String key) {
		return new java.util.AbstractMap.SimpleEntry<>(key, null);
	}

}
