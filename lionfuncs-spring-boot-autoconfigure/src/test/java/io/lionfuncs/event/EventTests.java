package io.lionfuncs.event;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link Event}: data, formatters, attachments and closing, with e3's
 * semantics.
 */
class EventTests {

	private static final Instant BEGIN = Instant.parse("2024-03-05T10:15:30.750Z");

	private static final Instant END = Instant.parse("2024-03-05T10:16:02.100Z");

	@TempDir
	Path temp;

	@Test
	void newEventHasUidNameAndTimesFirstInE3Format() {
		Event event = Event.builder("build").beginTime(BEGIN).put("platform", "x86_64-linux").build();

		assertThat(event.getUid()).matches("[0-9a-f-]{36}");
		assertThat(event.asMap()).containsExactly(Map.entry("uid", event.getUid()), Map.entry("name", "build"),
				Map.entry("begin_time", "2024-03-05T10:15:30"), entry("end_time", null),
				Map.entry("platform", "x86_64-linux"));
		assertThat(event.getBeginTime()).isEqualTo(BEGIN);
		assertThat(event.getEndTime()).isNull();
		assertThat(event.isClosed()).isFalse();
	}

	@Test
	void randomUidsDiffer() {
		assertThat(new Event("a").getUid()).isNotEqualTo(new Event("a").getUid());
	}

	@Test
	void closeStampsEndTimeOnceAndMakesTheEventReadOnly() {
		Event event = Event.builder("build").clock(Clock.fixed(END, ZoneOffset.UTC)).beginTime(BEGIN).build();

		event.close();
		event.close();

		assertThat(event.isClosed()).isTrue();
		assertThat(event.getEndTime()).isEqualTo(END);
		assertThat(event.asMap()).containsEntry("end_time", "2024-03-05T10:16:02");
		assertThatExceptionOfType(EventError.class).isThrownBy(() -> event.set("late", 1))
			.withMessage("event build (" + event.getUid() + ") closed");
		assertThatExceptionOfType(EventError.class).isThrownBy(() -> event.attachFile(write("x.log", "x")));
	}

	@Test
	void tryWithResourcesClosesTheEvent() {
		Event event;
		try (Event open = new Event("step")) {
			open.set("result", "ok");
			event = open;
		}
		assertThat(event.isClosed()).isTrue();
		assertThat(event.getEndTime()).isNotNull();
	}

	@Test
	void managedKeysCannotBeSet() {
		Event event = new Event("build");
		for (String key : List.of("uid", "name", "begin_time", "end_time")) {
			assertThatIllegalArgumentException().isThrownBy(() -> event.set(key, "x")).withMessageContaining(key);
		}
	}

	@Test
	void uidMustBeUsableInAFileName() {
		assertThatIllegalArgumentException().isThrownBy(() -> new Event("build", "../../etc/passwd"));
		assertThatIllegalArgumentException().isThrownBy(() -> new Event("build", "a/b"));
		assertThatIllegalArgumentException().isThrownBy(() -> new Event("build", ""));
		assertThat(new Event("build", "build-42.1_x").getUid()).isEqualTo("build-42.1_x");
	}

	@Test
	void valuesAreStoredInTheJsonModel() {
		Map<Object, Object> nested = new LinkedHashMap<>();
		nested.put(1, List.of(1L, (short) 2, 3.5f));
		Event event = new Event("values");
		event.set("long", 5L)
			.set("bigLong", 1L << 40)
			.set("huge", new BigInteger("123456789012345678901234567890"))
			.set("decimal", new BigDecimal("1.50"))
			.set("instant", Instant.parse("2024-01-02T03:04:05.678Z"))
			.set("enum", Thread.State.NEW)
			.set("array", new int[] { 1, 2 })
			.set("nested", nested)
			.set("record", new Point(3, 4));

		assertThat(event.get("long")).isEqualTo(5);
		assertThat(event.get("bigLong")).isEqualTo(1L << 40);
		assertThat(event.get("huge")).isEqualTo(new BigInteger("123456789012345678901234567890"));
		assertThat(event.get("decimal")).isEqualTo(1.5);
		assertThat(event.get("instant")).isEqualTo("2024-01-02T03:04:05.678Z");
		assertThat(event.get("enum")).isEqualTo("NEW");
		assertThat(event.get("array")).isEqualTo(List.of(1, 2));
		assertThat(event.get("nested")).isEqualTo(Map.of("1", List.of(1, 2, 3.5)));
		assertThat(event.get("record")).isEqualTo(Map.of("x", 3, "y", 4));
	}

	@Test
	void storedValuesCannotBeChangedBehindTheEventsBack() {
		List<Object> tags = new ArrayList<>(List.of("a"));
		Event event = new Event("build").set("tags", tags);
		tags.add("b");

		assertThat(event.get("tags")).isEqualTo(List.of("a"));
		assertThatExceptionOfType(UnsupportedOperationException.class)
			.isThrownBy(() -> ((List<Object>) event.get("tags")).add("c"));
	}

	@Test
	void valuesJsonCannotHoldAreRefused() {
		Event event = new Event("build");
		assertThatIllegalArgumentException().isThrownBy(() -> event.set("nan", Double.NaN));
		Object deep = "leaf";
		for (int i = 0; i < 100; i++) {
			deep = List.of(deep);
		}
		Object tooDeep = deep;
		assertThatIllegalArgumentException().isThrownBy(() -> event.set("deep", tooDeep))
			.withMessageContaining("deeper than");
	}

	@Test
	void formatterReplacesTheEntryInAsMapOnly() {
		Event event = new Event("build").set("duration", 1500);
		event.setFormatter("duration", (key, value) -> Map.of(key + "_s", ((Integer) value) / 1000.0));

		assertThat(event.get("duration")).isEqualTo(1500);
		assertThat(event.asMap()).containsEntry("duration_s", 1.5).doesNotContainKey("duration");
	}

	@Test
	void attachFileRecordsAbsolutePathAndSha1() {
		Path log = write("build.log", "hello\n");
		Event event = new Event("build");

		event.attachFile(log);
		event.attachFile(write("empty.tar.gz", ""), "pkg.tar.gz");

		assertThat(event.getAttachments()).containsExactly(
				Map.entry("log", new Attachment(log.toAbsolutePath().toString(),
						"f572d396fae9206628714fb2ce00f72e94f2258f")),
				Map.entry("pkg.tar.gz", new Attachment(this.temp.resolve("empty.tar.gz").toString(),
						"da39a3ee5e6b4b0d3255bfef95601890afd80709")));
	}

	@Test
	void attachFileRefusesNamesThatCouldEscapeADirectory() {
		Path log = write("build.log", "x");
		Event event = new Event("build");
		for (String name : List.of("../log", "/etc/passwd", "a/b", "a\\b", "..", ".", "", "nul\0x", "c:log")) {
			assertThatIllegalArgumentException().as(name).isThrownBy(() -> event.attachFile(log, name));
		}
		assertThat(event.getAttachments()).isEmpty();
	}

	@Test
	void attachingAMissingFileFails() {
		Event event = new Event("build");
		assertThatExceptionOfType(EventError.class)
			.isThrownBy(() -> event.attachFile(this.temp.resolve("missing.log")))
			.withMessageContaining("missing.log");
	}

	@Test
	void snapshotIsAFrozenCopy() {
		Event event = new Event("build").set("step", 1);
		Event copy = event.snapshot();
		event.set("step", 2);

		assertThat(copy.get("step")).isEqualTo(1);
		assertThat(copy.getUid()).isEqualTo(event.getUid());
		assertThat(copy.isClosed()).isFalse();
		assertThatExceptionOfType(EventError.class).isThrownBy(() -> copy.set("step", 3))
			.withMessageContaining("read-only");
	}

	@Test
	void toStringShowsNoData() {
		Event event = new Event("build", "b1").set("password", "hunter2");
		assertThat(event).hasToString("Event[name=build, uid=b1, closed=false]");
	}

	private Path write(String name, String content) {
		try {
			return Files.writeString(this.temp.resolve(name), content, StandardCharsets.UTF_8);
		}
		catch (java.io.IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	private static Map.Entry<String, Object> entry(String key, Object value) {
		return new java.util.AbstractMap.SimpleEntry<>(key, value);
	}

	record Point(int x, int y) {
	}

}
