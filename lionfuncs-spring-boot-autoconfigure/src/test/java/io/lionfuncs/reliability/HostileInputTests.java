package io.lionfuncs.reliability;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.lionfuncs.event.Event;
import io.lionfuncs.event.EventError;
import io.lionfuncs.event.EventManager;
import io.lionfuncs.event.InvalidEventFileException;
import io.lionfuncs.event.UndeliverableEventException;
import io.lionfuncs.event.UnknownEventHandlerException;
import io.lionfuncs.event.handler.FileEventHandler;
import io.lionfuncs.network.client.ApiClientException;
import io.lionfuncs.network.client.ApiRequest;
import io.lionfuncs.network.client.AsyncApiClient;
import io.lionfuncs.network.client.ServerException;
import io.lionfuncs.reliability.Upstream.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * Hostile input: event files (malformed, 100 MB, deeply nested, attachment names that
 * climb out with {@code ..}, absolute paths, NUL bytes), handler configurations from the
 * environment (unknown names, class names, injection attempts), and response bodies
 * (huge, invalid UTF-8, the wrong content type). Each must end in a clear error, and
 * nothing may be written outside the directories the starter was given.
 */
@ExtendWith(SuiteDuration.class)
class HostileInputTests {

	private static final long HUNDRED_MB = 100L * 1024 * 1024;

	private static final Duration BLOCK = Duration.ofSeconds(30);

	@TempDir
	Path root;

	@Test
	void hostileEventFilesAreRefusedClearlyAndWriteNothingOutsideTheirDirectories() throws IOException {
		Figures figures = Figures.start("hostile-event-files");
		Path incoming = Files.createDirectories(this.root.resolve("incoming"));
		Path out = this.root.resolve("out");
		Path spool = this.root.resolve("spool");
		Path attachment = Files.writeString(incoming.resolve("attachment.txt"), "attached");
		String sha1 = "0123456789abcdef0123456789abcdef01234567";
		Path absoluteTarget = this.root.resolve("absolute-target.txt");
		Map<String, Expected> cases = new LinkedHashMap<>();
		Map<String, byte[]> files = new LinkedHashMap<>();
		files.put("malformed.json", bytes("{\"data\": {\"name\": \"job\", \"uid\": \"u1\","));
		files.put("empty.json", new byte[0]);
		files.put("nul-bytes.json", bytes("{\"data\": {\"name\": \"job\u0000\u0000\", \"uid\": \"u1\"}}"));
		files.put("not-an-object.json", bytes("[1, 2, 3]"));
		files.put("deep.json", bytes("{\"data\": {\"name\": \"job\", \"uid\": \"u1\", \"x\": " + "[".repeat(100_000)
				+ "]".repeat(100_000) + "}}"));
		files.put("uid-climbing-out.json", event("job", "../../escape", ""));
		for (String name : List.of("malformed.json", "empty.json", "nul-bytes.json", "not-an-object.json",
				"deep.json", "uid-climbing-out.json", "huge.json")) {
			cases.put(name, Expected.REFUSED_BY_LOADER);
		}
		files.put("name-climbing-out.json", event("../../escape", "u2", ""));
		files.put("attachment-dot-dot.json", event("job", "u3", attachments("../../escape.txt", attachment, sha1)));
		files.put("attachment-absolute.json",
				event("job", "u4", attachments(absoluteTarget.toString(), attachment, sha1)));
		files.put("attachment-nul.json", event("job", "u5", attachments("log\\u0000.txt", attachment, sha1)));
		files.put("attachment-backslashes.json",
				event("job", "u6", attachments("..\\\\..\\\\escape.txt", attachment, sha1)));
		files.put("attachment-dot-dot-only.json", event("job", "u7", attachments("..", attachment, sha1)));
		for (String name : List.of("name-climbing-out.json", "attachment-dot-dot.json", "attachment-absolute.json",
				"attachment-nul.json", "attachment-backslashes.json", "attachment-dot-dot-only.json")) {
			cases.put(name, Expected.REFUSED_BY_HANDLER);
		}
		files.put("class-name-as-data.json", bytes("{\"data\": {\"name\": \"job\", \"uid\": \"u8\", "
				+ "\"payload\": {\"@class\": \"java.lang.ProcessBuilder\", \"command\": [\"touch\", \""
				+ this.root.resolve("pwned").toString().replace("\\", "\\\\") + "\"]}}}"));
		files.put("good.json", event("job", "u9", attachments("log.txt", attachment, sha1)));
		cases.put("class-name-as-data.json", Expected.DELIVERED);
		cases.put("good.json", Expected.DELIVERED);
		for (Map.Entry<String, byte[]> file : files.entrySet()) {
			Files.write(incoming.resolve(file.getKey()), file.getValue());
		}
		try (RandomAccessFile huge = new RandomAccessFile(incoming.resolve("huge.json").toFile(), "rw")) {
			huge.setLength(HUNDRED_MB);
		}

		FileEventHandler fileHandler = new FileEventHandler(out);
		Set<String> before = FileTree.under(this.root, out, spool);
		List<String> errors = new ArrayList<>();
		try (EventManager manager = EventManager.builder()
			.name("hostile")
			.spoolDirectory(spool)
			.discoverFactories(false)
			.build()) {
			manager.addHandler(fileHandler);
			manager.start();
			for (Map.Entry<String, Expected> hostile : cases.entrySet()) {
				Path file = incoming.resolve(hostile.getKey());
				switch (hostile.getValue()) {
					case REFUSED_BY_LOADER -> {
						Throwable refused = catchThrowable(() -> manager.sendEventFromFile(file));
						assertThat(refused).as(hostile.getKey()).isInstanceOf(InvalidEventFileException.class);
						assertClear(refused.getMessage(), hostile.getKey());
						assertThat(refused.getMessage()).contains(hostile.getKey());
						errors.add(refused.getMessage());
					}
					case REFUSED_BY_HANDLER -> {
						Event event = Event.load(file);
						assertThat(manager.sendEvent(event)).as(hostile.getKey()).isFalse();
						UndeliverableEventException refused = (UndeliverableEventException) catchThrowable(
								() -> fileHandler.sendEvent(event));
						assertThat(refused).as(hostile.getKey()).isNotNull();
						assertClear(refused.getMessage(), hostile.getKey());
						assertThat(refused.getMessage()).contains("nothing written");
						errors.add(refused.getMessage());
						// published, it is refused for good and kept in the spool's dead letters
						manager.publish(event);
					}
					case DELIVERED -> assertThat(manager.sendEventFromFile(file)).as(hostile.getKey()).isTrue();
				}
			}
			await().atMost(Duration.ofSeconds(10))
				.until(() -> manager.handlerStats().get("file").rejected() == 6);
		}

		assertThat(FileTree.under(this.root, out, spool)).as("nothing written outside out/ and spool/")
			.isEqualTo(before);
		assertThat(this.root.resolve("pwned")).doesNotExist();
		assertThat(absoluteTarget).doesNotExist();
		assertThat(this.root.getParent().resolve("escape.txt")).doesNotExist();
		// e3's layout: <name>-<uid>-<unique>.json, and a <name>-<uid>/ folder for the attachments
		assertThat(FileTree.under(out)).map((name) -> name.replaceAll("-[0-9a-f-]{36}\\.json$", "-<unique>.json"))
			.containsExactlyInAnyOrder("job-u8-<unique>.json", "job-u8", "job-u9-<unique>.json", "job-u9",
					Path.of("job-u9", "log.txt").toString());
		assertThat(FileTree.under(spool.resolve("file").resolve("dead-letter"))).hasSize(6);
		figures.put("files", cases.size())
			.put("refusedByLoader", count(cases, Expected.REFUSED_BY_LOADER))
			.put("refusedByHandler", count(cases, Expected.REFUSED_BY_HANDLER))
			.put("delivered", count(cases, Expected.DELIVERED))
			.put("clearErrors", errors.size())
			.put("writtenOutside", 0)
			.put("hugeFileMB", HUNDRED_MB / (1024 * 1024))
			.report();
	}

	@Test
	void hostileHandlerConfigurationsAreRefusedAndNeverLoadAClass() {
		Figures figures = Figures.start("hostile-handler-strings");
		Path files = this.root.resolve("files");
		List<String> hostile = List.of("com.example.Evil", "io.lionfuncs.reliability.Canary",
				"io.lionfuncs.reliability.Canary=payload", "java.lang.Runtime=exec", "${jndi:ldap://127.0.0.1/a}",
				"logging=audit|evil\nINFO forged log line", "logging=audit|webhook=file:///etc/passwd",
				"webhook=http://127.0.0.1:9/hook,timeout=forever", "file=" + files + "\u0000",
				"file=" + files + "|logging=a,LOUD", "x".repeat(10_000), "../../../etc/passwd=1");
		List<String> errors = new ArrayList<>();
		for (String value : hostile) {
			try (EventManager manager = EventManager.builder()
				.name("hostile-env")
				.spoolDirectory(this.root.resolve("spool"))
				.environment(Map.of("E3_EVENT_HANDLERS", value)::get)
				.build()) {
				EventError refused = (EventError) catchThrowable(manager::loadHandlersFromEnv);
				assertThat(refused).as(value).isNotNull();
				assertThat(refused.getMessage()).as(value).contains("E3_EVENT_HANDLERS");
				if (refused instanceof UnknownEventHandlerException) {
					assertThat(refused.getMessage()).contains("known handlers: file, logging, webhook");
				}
				assertClear(refused.getMessage(), value);
				assertThat(manager.getHandlers()).as("all or nothing: %s", value).isEmpty();
				errors.add(refused.getMessage());
			}
		}
		assertThat(System.getProperty(Canary.LOADED)).as("no class loaded by name").isNull();
		assertThat(files).doesNotExist();
		try (EventManager manager = EventManager.builder()
			.spoolDirectory(this.root.resolve("spool"))
			.environment(Map.of("E3_EVENT_HANDLERS", "||")::get)
			.build()) {
			manager.loadHandlersFromEnv();
			assertThat(manager.getHandlers()).isEmpty();
		}
		figures.put("strings", hostile.size())
			.put("refused", errors.size())
			.put("classesLoaded", 0)
			.put("longestMessage", errors.stream().mapToInt(String::length).max().orElse(0))
			.report();
	}

	@Test
	void hostileResponseBodiesGiveClearErrorsAndFreeTheirConnections() {
		Figures figures = Figures.start("hostile-response-bodies");
		byte[] hugeJson = hugeJson(20 * 1024 * 1024);
		byte[] invalidUtf8 = { '{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, (byte) 0xFF, '"', '}' };
		byte[] html = bytes("<html><body>SECRET-PAGE-CONTENT</body></html>");
		Map<String, Reply> replies = Map.of("/huge-json", Reply.body(200, "application/json", hugeJson), "/huge-error",
				Reply.body(500, "text/plain", hugeJson), "/invalid-utf8-json",
				Reply.body(200, "application/json", invalidUtf8), "/invalid-utf8-text",
				Reply.body(200, "text/plain;charset=UTF-8", invalidUtf8), "/html-as-json",
				Reply.body(200, "application/json", html), "/json-as-html",
				Reply.body(200, "text/html", bytes("{\"a\": 1}")), "/ok", Reply.ok());
		PoolProbe pool = new PoolProbe();
		int cases = 0;
		try (Upstream upstream = new Upstream("hostile-upstream",
				(request) -> replies.getOrDefault(request.path().startsWith("/") ? request.path()
						: "/" + request.path(), Reply.status(404)));
				AsyncApiClient client = AsyncApiClient.builder()
					.baseUrl(upstream.baseUrl())
					.timeout(Duration.ofSeconds(20))
					.connectionProviderCustomizer((provider) -> provider.metrics(true, () -> pool))
					.build()) {
			ApiClientException tooLarge = failure(client, "/huge-json");
			assertThat(tooLarge.getMessage()).contains("larger than the codecs accept", "maxInMemorySize");
			cases++;

			ServerException hugeError = (ServerException) failure(client, "/huge-error");
			assertThat(hugeError.statusCode()).isEqualTo(500);
			assertThat(hugeError.responseBodyExcerpt()).hasSizeLessThanOrEqualTo(4096);
			cases++;

			ApiClientException invalidJson = failure(client, "/invalid-utf8-json");
			assertThat(invalidJson.getMessage()).contains("could not be read");
			cases++;

			Object text = client.request(ApiRequest.get("/invalid-utf8-text").build()).block(BLOCK);
			assertThat(text).asString().as("invalid UTF-8 in text is replaced, not trusted").contains("\uFFFD");
			cases++;

			ApiClientException htmlAsJson = failure(client, "/html-as-json");
			assertThat(htmlAsJson.getMessage()).contains("could not be read").doesNotContain("SECRET-PAGE-CONTENT");
			cases++;

			Throwable jsonAsHtml = catchThrowable(
					() -> client.request(ApiRequest.get("/json-as-html").build(), Map.class).block(BLOCK));
			assertThat(jsonAsHtml).isInstanceOf(ApiClientException.class);
			assertClear(jsonAsHtml.getMessage(), "/json-as-html");
			assertThat(jsonAsHtml.getMessage()).contains("text/html");
			cases++;

			for (Throwable failure : List.of(tooLarge, hugeError, invalidJson, htmlAsJson, jsonAsHtml)) {
				assertThat(failure.getMessage()).hasSizeLessThan(500).doesNotContain("aaaaaaaaaa");
			}
			assertThat(client.request(ApiRequest.get("/ok").build()).block(BLOCK)).asString().contains("ok");
			await().atMost(Duration.ofSeconds(10)).until(() -> pool.acquired() == 0);
			figures.put("cases", cases)
				.put("clearErrors", cases - 1)
				.put("hugeBodyMB", hugeJson.length / (1024 * 1024))
				.put("acquiredConnections", pool.acquired())
				.report();
		}
	}

	private static ApiClientException failure(AsyncApiClient client, String path) {
		Throwable failure = catchThrowable(() -> client.request(ApiRequest.get(path).build()).block(BLOCK));
		assertThat(failure).as(path).isInstanceOf(ApiClientException.class);
		assertClear(failure.getMessage(), path);
		return (ApiClientException) failure;
	}

	/**
	 * A clear error: short, on one line, without control characters that could forge
	 * log lines or hide text.
	 */
	private static void assertClear(String message, String what) {
		assertThat(message).as("message for %s", what).isNotBlank().hasSizeLessThan(2000);
		assertThat(message.chars().noneMatch(Character::isISOControl))
			.as("control characters in the message for %s: %s", what, message)
			.isTrue();
	}

	private static long count(Map<String, Expected> cases, Expected expected) {
		return cases.values().stream().filter(expected::equals).count();
	}

	private static byte[] event(String name, String uid, String attachments) {
		return bytes("{\"data\": {\"name\": \"" + name + "\", \"uid\": \"" + uid
				+ "\", \"begin_time\": \"2024-01-01T00:00:00\", \"end_time\": null}, \"attachments\": {" + attachments
				+ "}, \"closed\": true}");
	}

	private static String attachments(String name, Path source, String sha1) {
		return "\"" + name.replace("\\", "\\\\").replace("\\\\u0000", "\\u0000") + "\": [\""
				+ source.toString().replace("\\", "\\\\") + "\", \"" + sha1 + "\"]";
	}

	private static byte[] hugeJson(int size) {
		StringBuilder json = new StringBuilder(size + 16).append("{\"a\":\"");
		while (json.length() < size) {
			json.append("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
		}
		return bytes(json.append("\"}").toString());
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private enum Expected {

		REFUSED_BY_LOADER, REFUSED_BY_HANDLER, DELIVERED

	}

}
