package io.lionfuncs.event;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import io.lionfuncs.testsupport.SpoolFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SpoolLog}: recovery of what a crash left (a torn last record, a
 * damaged one, a segment of another format), appends, rollover, compaction and the
 * checkpoint, and reading through a {@link LogCursor}.
 */
class SpoolLogTests {

	private static final int MAX_LINE = 1024 * 1024;

	@TempDir
	Path temp;

	private Path directory() {
		return this.temp.resolve("h");
	}

	private SpoolLog.Opened open(long segmentBytes) throws IOException {
		return SpoolLog.open(directory(), "h", new DeadLetters(directory(), EventJson.defaults()), segmentBytes,
				MAX_LINE);
	}

	@Test
	void recoversTheRecordsAboveTheCheckpointAndSkipsATornLastRecord() throws IOException {
		Files.createDirectories(directory());
		ByteArrayOutputStream segment = segment(0, 1, 2);
		byte[] torn = record(3);
		segment.write(torn, 0, torn.length / 2);
		Files.write(directory().resolve("events-0000000000000000000.wal"), segment.toByteArray());
		Files.writeString(directory().resolve(SpoolLog.CHECKPOINT), "1\n");

		SpoolLog.Opened opened = open(EventSpool.DEFAULT_SEGMENT_BYTES);

		assertThat(opened.watermark()).isEqualTo(1);
		assertThat(opened.pending()).isEqualTo(2);
		assertThat(opened.nextSeq()).isEqualTo(3);
		assertThat(opened.unreadable()).isZero();
		assertThat(read(opened.log(), 1)).containsExactly(1L, 2L);
		assertThat(deadLetters()).isEmpty();
	}

	@Test
	void withoutACheckpointEverythingBelowTheOldestRecordLeftWasTaken() throws IOException {
		// a drained log was deleted, and the process stopped before it wrote a checkpoint
		Files.createDirectories(directory());
		ByteArrayOutputStream segment = new ByteArrayOutputStream();
		segment.write(SpoolRecords.HEADER);
		segment.write(record(5000));
		segment.write(record(5001));
		Files.write(directory().resolve("events-0000000000000005000.wal"), segment.toByteArray());

		SpoolLog.Opened opened = open(EventSpool.DEFAULT_SEGMENT_BYTES);

		assertThat(opened.watermark()).isEqualTo(5000);
		assertThat(opened.nextSeq()).isEqualTo(5002);
		LaneBacklog backlog = new LaneBacklog(10);
		backlog.recovered(opened.watermark(), opened.nextSeq());
		assertThat(backlog.spooled()).isEqualTo(2);
		assertThat(backlog.fromLog(5000, 5002, 5000, new Event("build", "u5000")).seq()).isEqualTo(5000);
		assertThat(backlog.lost()).isZero();
	}

	@Test
	void damagedRecordGoesToTheDeadLetterFolderAndTheOthersAreRead() throws IOException {
		Files.createDirectories(directory());
		ByteArrayOutputStream segment = segment(0);
		byte[] damaged = record(1);
		damaged[damaged.length - 5] ^= 1;
		segment.write(damaged);
		segment.write(record(2));
		Files.write(directory().resolve("events-0000000000000000000.wal"), segment.toByteArray());

		SpoolLog.Opened opened = open(EventSpool.DEFAULT_SEGMENT_BYTES);

		assertThat(opened.pending()).isEqualTo(2);
		assertThat(opened.unreadable()).isEqualTo(1);
		assertThat(read(opened.log(), 0)).containsExactly(0L, 2L);
		assertThat(deadLetters()).as("kept once").singleElement().satisfies((file) -> {
			assertThat(file.getFileName().toString()).endsWith(".damaged");
			assertThat(Files.readAllBytes(file)).isEqualTo(withoutLineFeed(damaged));
		});
	}

	@Test
	void segmentOfAnotherFormatIsMovedAsideNotReadNorDeleted() throws IOException {
		Files.createDirectories(directory());
		Files.writeString(directory().resolve("events-0000000000000000000.wal"), "lionfuncs-event-spool 9\nwhat\n");

		SpoolLog.Opened opened = open(EventSpool.DEFAULT_SEGMENT_BYTES);

		assertThat(opened.pending()).isZero();
		assertThat(opened.unreadable()).isEqualTo(1);
		assertThat(deadLetters()).extracting((file) -> file.getFileName().toString())
			.containsExactly("events-0000000000000000000.wal");
	}

	@Test
	void appendsGoToANewSegmentAfterARecoveryAndRollOverAtTheirSize() throws IOException {
		Files.createDirectories(directory());
		Files.write(directory().resolve("events-0000000000000000000.wal"), segment(0, 1).toByteArray());
		byte[] before = Files.readAllBytes(directory().resolve("events-0000000000000000000.wal"));
		SpoolLog log = open(600).log();

		for (long seq = 2; seq < 8; seq++) {
			assertThat(log.append(record(seq), seq, seq)).isTrue();
		}
		log.force();

		assertThat(Files.readAllBytes(directory().resolve("events-0000000000000000000.wal")))
			.as("a recovered segment is never appended to")
			.isEqualTo(before);
		assertThat(segments()).hasSizeGreaterThan(2).first().isEqualTo("events-0000000000000000000.wal");
		assertThat(segments()).element(1).isEqualTo("events-0000000000000000002.wal");
		assertThat(read(log, 0)).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
		assertThat(SpoolFiles.pendingUids(directory())).hasSize(8);
	}

	@Test
	void compactionDeletesTakenSegmentsWritesTheCheckpointAndDeletesADrainedLog() throws IOException {
		SpoolLog log = open(600).log();
		for (long seq = 0; seq < 8; seq++) {
			log.append(record(seq), seq, seq);
		}
		int segments = segments().size();

		log.compact(5, false);

		assertThat(segments()).hasSizeLessThan(segments);
		assertThat(Files.readString(directory().resolve(SpoolLog.CHECKPOINT)).strip()).isEqualTo("5");
		assertThat(SpoolFiles.pendingUids(directory())).containsExactly("u5", "u6", "u7");
		assertThat(read(log, 5)).containsExactly(5L, 6L, 7L);

		log.compact(8, true);

		assertThat(list(directory())).as("nothing left once everything was taken").isEmpty();
		assertThat(log.append(record(8), 8, 8)).isTrue();
		assertThat(segments()).containsExactly("events-0000000000000000008.wal");
	}

	@Test
	void cursorNeverReadsBeyondWhatWasAppendedAndFollowsNewSegments() throws IOException {
		SpoolLog log = open(600).log();
		LogCursor cursor = log.cursor();
		assertThat(cursor.peek(0)).isNull();

		log.append(record(0), 0, 0);
		assertThat(cursor.peek(0).seq()).isZero();
		cursor.advance();
		assertThat(cursor.peek(1)).isNull();
		for (long seq = 1; seq < 6; seq++) {
			log.append(record(seq), seq, seq);
		}
		List<Long> seen = new ArrayList<>();
		for (SpoolRecords.Record record = cursor.peek(1); record != null; record = cursor.peek(record.seq() + 1)) {
			seen.add(record.seq());
			cursor.advance();
		}
		cursor.close();

		assertThat(seen).containsExactly(1L, 2L, 3L, 4L, 5L);
	}

	@Test
	void closedLogTakesNoMoreAppends() throws IOException {
		SpoolLog log = open(EventSpool.DEFAULT_SEGMENT_BYTES).log();
		log.append(record(0), 0, 0);

		log.close(0);

		assertThat(log.append(record(1), 1, 1)).isFalse();
		assertThat(SpoolFiles.pendingUids(directory())).containsExactly("u0");
	}

	// ---------------------------------------------------------------- helpers

	private static ByteArrayOutputStream segment(long... seqs) throws IOException {
		ByteArrayOutputStream segment = new ByteArrayOutputStream();
		segment.write(SpoolRecords.HEADER);
		for (long seq : seqs) {
			segment.write(record(seq));
		}
		return segment;
	}

	private static byte[] record(long seq) {
		Event event = new Event("build", "u" + seq).set("index", seq);
		event.close();
		return SpoolRecords.encode(seq, EventJson.defaults().toJson(event));
	}

	private static byte[] withoutLineFeed(byte[] line) {
		return new String(line, StandardCharsets.US_ASCII).strip().getBytes(StandardCharsets.US_ASCII);
	}

	private static List<Long> read(SpoolLog log, long from) throws IOException {
		List<Long> seqs = new ArrayList<>();
		try (LogCursor cursor = log.cursor()) {
			for (SpoolRecords.Record record = cursor.peek(from); record != null; record = cursor
				.peek(record.seq() + 1)) {
				seqs.add(record.seq());
				assertThat(EventJson.defaults().read(record.json(), "record").getUid()).isEqualTo("u" + record.seq());
				cursor.advance();
			}
		}
		return seqs;
	}

	private List<String> segments() throws IOException {
		return list(directory()).stream().filter((name) -> name.endsWith(".wal")).toList();
	}

	private List<Path> deadLetters() throws IOException {
		Path folder = directory().resolve(DeadLetters.FOLDER);
		if (!Files.isDirectory(folder)) {
			return List.of();
		}
		try (Stream<Path> files = Files.list(folder)) {
			return files.toList();
		}
	}

	private static List<String> list(Path directory) throws IOException {
		try (Stream<Path> files = Files.list(directory)) {
			return files.filter(Files::isRegularFile).map((file) -> file.getFileName().toString()).sorted().toList();
		}
	}

}
