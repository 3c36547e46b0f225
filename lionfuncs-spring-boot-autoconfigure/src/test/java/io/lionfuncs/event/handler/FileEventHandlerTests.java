package io.lionfuncs.event.handler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.lionfuncs.event.Event;
import io.lionfuncs.event.EventDeliveryException;
import io.lionfuncs.event.EventJson;
import io.lionfuncs.event.UndeliverableEventException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link FileEventHandler}, among them attempts to write outside its
 * directory.
 */
class FileEventHandlerTests {

	@TempDir
	Path sandbox;

	private Path directory;

	private Path attachment;

	@BeforeEach
	void prepare() throws IOException {
		this.directory = this.sandbox.resolve("events");
		this.attachment = Files.writeString(this.sandbox.resolve("build.log"), "compiled\n");
	}

	@Test
	void writesTheDataAndCopiesTheAttachments() throws IOException {
		FileEventHandler handler = new FileEventHandler(this.directory);
		Event event = new Event("build").set("zeta", 1).set("alpha", 2);
		event.attachFile(this.attachment);
		event.attachFile(this.attachment, "copy.txt");

		assertThat(handler.sendEvent(event)).isTrue();

		Path file = single(eventFiles("build-" + event.getUid()));
		String json = Files.readString(file);
		assertThat(JsonMapper.builder().build().readValue(json, Map.class)).isEqualTo(event.asMap());
		assertThat(json).contains("\n").as("keys sorted, as e3 writes them").containsSubsequence("alpha", "zeta");
		Path attachments = this.directory.resolve("build-" + event.getUid());
		assertThat(attachments.resolve("log")).hasContent("compiled");
		assertThat(attachments.resolve("copy.txt")).hasContent("compiled");
	}

	@Test
	void eventsOfOneUidGetFilesOfTheirOwnInE3sLayout() throws IOException {
		FileEventHandler handler = new FileEventHandler(this.directory);
		Event begin = new Event("build", "u1").set("phase", "begin");
		Event end = new Event("build", "u1").set("phase", "end");

		assertThat(handler.sendEvent(begin)).isTrue();
		assertThat(handler.sendEvent(end)).isTrue();

		List<Path> files = eventFiles("build-u1");
		assertThat(files).hasSize(2)
			.allSatisfy((file) -> assertThat(file.getFileName().toString()).matches("build-u1-[0-9a-f-]{36}\\.json"));
		JsonMapper json = JsonMapper.builder().build();
		assertThat(files).extracting((file) -> json.readValue(file.toFile(), Map.class).get("phase"))
			.containsExactlyInAnyOrder("begin", "end");
		assertThat(this.directory.resolve("build-u1")).as("the attachment folder, as e3 creates it").isDirectory();
	}

	@Test
	void attachmentNamesThatEscapeTheDirectoryWriteNothingAnywhere() throws IOException {
		FileEventHandler handler = new FileEventHandler(this.directory);
		Files.createDirectories(this.directory);
		List<Path> before = tree(this.sandbox);
		List<String> hostileNames = List.of("../escaped", "../../escaped", "..", ".", "/tmp/absolute",
				this.sandbox.resolve("absolute").toString(), "sub/dir", "..\\windows", "c:drive", "nul\u0000byte",
				"line\nbreak", "");
		for (String name : hostileNames) {
			Event event = loaded("build", Map.of(name, this.attachment.toString()));

			assertThatExceptionOfType(UndeliverableEventException.class).as(name)
				.isThrownBy(() -> handler.sendEvent(event))
				.withMessageContaining("nothing written");
		}
		assertThat(tree(this.sandbox)).isEqualTo(before);
	}

	@Test
	void eventNamesThatEscapeTheDirectoryWriteNothingAnywhere() throws IOException {
		FileEventHandler handler = new FileEventHandler(this.directory);
		Files.createDirectories(this.directory);
		List<Path> before = tree(this.sandbox);
		for (String name : List.of("../../escaped", "/etc/cron.d/job", "a/b", "nul\u0000", "a\\b")) {
			Event event = Event.builder(name).build();

			assertThatExceptionOfType(UndeliverableEventException.class).as(name)
				.isThrownBy(() -> handler.sendEvent(event));
		}
		assertThat(tree(this.sandbox)).isEqualTo(before);
	}

	@Test
	void eventWithOneBadAttachmentAmongGoodOnesIsRefusedWhole() throws IOException {
		FileEventHandler handler = new FileEventHandler(this.directory);
		Map<String, String> attachments = new LinkedHashMap<>();
		attachments.put("good.log", this.attachment.toString());
		attachments.put("../bad.log", this.attachment.toString());

		assertThatExceptionOfType(UndeliverableEventException.class)
			.isThrownBy(() -> handler.sendEvent(loaded("build", attachments)));
		assertThat(tree(this.sandbox)).containsExactly(this.attachment);
	}

	@Test
	void symbolicLinkPlantedInTheDirectoryIsNotFollowed() throws IOException {
		FileEventHandler handler = new FileEventHandler(this.directory);
		Path outside = Files.createDirectories(this.sandbox.resolve("outside"));
		Event event = new Event("build");
		event.attachFile(this.attachment);
		Files.createDirectories(this.directory);
		// the event file's name has a random part: only the attachment folder can be planted
		Files.createSymbolicLink(this.directory.resolve("build-" + event.getUid()), outside);

		assertThatExceptionOfType(EventDeliveryException.class).isThrownBy(() -> handler.sendEvent(event))
			.withMessageContaining("leads outside");
		assertThat(tree(outside)).isEmpty();
		assertThat(eventFiles("build-" + event.getUid())).isEmpty();
	}

	@Test
	void missingAttachmentMakesTheEventUndeliverable() throws IOException {
		FileEventHandler handler = new FileEventHandler(this.directory);
		Event event = loaded("build", Map.of("log", this.sandbox.resolve("gone.log").toString()));

		assertThatExceptionOfType(UndeliverableEventException.class).isThrownBy(() -> handler.sendEvent(event))
			.withMessageContaining("not a readable file");
		assertThat(this.directory).doesNotExist();
	}

	@Test
	void configIsTheDirectory() {
		FileEventHandler handler = (FileEventHandler) new FileEventHandlerFactory().create(this.directory.toString());

		assertThat(handler.getDirectory()).isEqualTo(this.directory);
		assertThat(handler.encodeConfig()).isEqualTo(this.directory.toString());
		assertThatExceptionOfType(IllegalArgumentException.class)
			.isThrownBy(() -> new FileEventHandlerFactory().create(""));
	}

	/** An event with arbitrary attachment names, as a hostile JSON file would carry. */
	private Event loaded(String name, Map<String, String> attachments) {
		StringBuilder json = new StringBuilder("{\"data\": {\"uid\": \"u1\", \"name\": ").append(quote(name))
			.append("}, \"attachments\": {");
		List<String> entries = new ArrayList<>();
		attachments.forEach((attachmentName, path) -> entries.add(quote(attachmentName) + ": [" + quote(path)
				+ ", \"f572d396fae9206628714fb2ce00f72e94f2258f\"]"));
		json.append(String.join(", ", entries)).append("}, \"closed\": true}");
		return EventJson.defaults().read(json.toString().getBytes(StandardCharsets.UTF_8), "test");
	}

	private static String quote(String text) {
		return JsonMapper.builder().build().writeValueAsString(text);
	}

	private List<Path> eventFiles(String prefix) throws IOException {
		try (Stream<Path> files = Files.list(this.directory)) {
			return files.filter((file) -> file.getFileName().toString().startsWith(prefix + "-"))
				.filter((file) -> file.getFileName().toString().endsWith(".json"))
				.sorted()
				.toList();
		}
	}

	private static Path single(List<Path> files) {
		assertThat(files).hasSize(1);
		return files.get(0);
	}

	private static List<Path> tree(Path root) throws IOException {
		try (Stream<Path> files = Files.walk(root)) {
			return files.filter((path) -> !path.equals(root)).sorted().toList();
		}
	}

}
