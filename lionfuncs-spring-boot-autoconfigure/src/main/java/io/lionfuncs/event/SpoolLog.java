package io.lionfuncs.event;

import java.io.Closeable;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One handler's write-ahead log in {@code <spool>/<handler>/}: segments of records in
 * the {@link SpoolRecords format}, and a {@value #CHECKPOINT} file holding the sequence
 * number below which the handler has taken every event.
 * <p>
 * Appends and compaction come from one thread at a time (whoever holds the
 * {@link SpoolWriter}'s append lock); forcing to disk runs beside them, from the spool
 * writer's thread. The handler's lane reads through a {@link LogCursor}, never beyond
 * what an append has completed. A segment is appended to until it holds
 * {@code segmentBytes}, then sealed; a segment whose events were all taken is deleted,
 * and once the handler took everything, the whole log is. A log opened after a crash is
 * only read, never appended to: new events go to a new segment, so a record torn by the
 * crash stays where it is, skipped.
 */
final class SpoolLog {

	static final String CHECKPOINT = "checkpoint";

	/** A drained log whose active segment has grown past this is deleted even under load. */
	private static final long DRAINED_COMPACTION_BYTES = 1024 * 1024;

	private static final Logger logger = LoggerFactory.getLogger(EventManager.class);

	private final Path directory;

	private final String handler;

	private final DeadLetters deadLetters;

	private final long segmentBytes;

	private final int maxLine;

	// Guarded by this: the segments the lane's cursor may read.

	private final TreeMap<Long, Segment> segments = new TreeMap<>();

	// Confined to whichever thread holds the spool writer's append lock.

	private @Nullable Segment active;

	private boolean appendedSinceCompaction;

	// Shared with the thread that forces the log, which does not hold the append lock.

	private volatile @Nullable FileOutputStream out;

	private final AtomicBoolean dirty = new AtomicBoolean();

	private final AtomicBoolean directoryDirty = new AtomicBoolean();

	private long nextAppendSeq;

	private long persistedWatermark;

	private volatile boolean closed;

	private SpoolLog(Path directory, String handler, DeadLetters deadLetters, long segmentBytes, int maxLine) {
		this.directory = directory;
		this.handler = handler;
		this.deadLetters = deadLetters;
		this.segmentBytes = segmentBytes;
		this.maxLine = maxLine;
	}

	/**
	 * Opens a handler's log, reading what an earlier run left.
	 * @param directory the handler's directory, created if needed
	 * @param handler the handler's name, for messages
	 * @param deadLetters where records that cannot be read are kept
	 * @param segmentBytes the size at which a segment is sealed
	 * @param maxLine the longest record line
	 * @return the log and what was found in it
	 * @throws IOException if the directory cannot be read
	 */
	static Opened open(Path directory, String handler, DeadLetters deadLetters, long segmentBytes, int maxLine)
			throws IOException {
		Files.createDirectories(directory);
		SpoolLog log = new SpoolLog(directory, handler, deadLetters, segmentBytes, maxLine);
		long watermark = log.readCheckpoint();
		log.persistedWatermark = watermark;
		long pending = 0;
		long unreadable = 0;
		long lastSeq = -1;
		long firstSeq = Long.MAX_VALUE;
		for (Path file : segmentFiles(directory)) {
			Segment segment = new Segment(SpoolRecords.firstSeqOf(file.getFileName().toString()), file);
			Scan scan = log.recover(segment, watermark);
			unreadable += scan.unreadable();
			if (scan.records() == 0 || segment.lastSeq < watermark) {
				Files.deleteIfExists(file);
				continue;
			}
			pending += scan.pending();
			lastSeq = Math.max(lastSeq, segment.lastSeq);
			firstSeq = Math.min(firstSeq, scan.firstSeq());
			log.segments.put(segment.firstSeq, segment);
		}
		log.nextAppendSeq = Math.max(lastSeq + 1, watermark);
		if (log.segments.isEmpty()) {
			Files.deleteIfExists(directory.resolve(CHECKPOINT));
		}
		// below the oldest record left, everything was taken (its segments were deleted)
		long taken = Math.max(watermark, Math.min(firstSeq, log.nextAppendSeq));
		return new Opened(log, taken, log.nextAppendSeq, pending, unreadable);
	}

	private static List<Path> segmentFiles(Path directory) throws IOException {
		TreeMap<Long, Path> files = new TreeMap<>();
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, "events-*.wal")) {
			for (Path file : entries) {
				long firstSeq = SpoolRecords.firstSeqOf(file.getFileName().toString());
				if (firstSeq >= 0 && Files.isRegularFile(file)) {
					files.put(firstSeq, file);
				}
			}
		}
		return new ArrayList<>(files.values());
	}

	private long readCheckpoint() {
		Path file = this.directory.resolve(CHECKPOINT);
		try {
			String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
			long watermark = Long.parseLong(text);
			if (watermark >= 0) {
				return watermark;
			}
		}
		catch (NoSuchFileException ex) {
			return 0;
		}
		catch (IOException | NumberFormatException ex) {
			// fall through: re-sending everything is safe, skipping is not
		}
		logger.warn("Spool checkpoint {} of event handler '{}' cannot be read; every event in its log will be re-sent",
				file, this.handler);
		return 0;
	}

	/** Reads a segment left by an earlier run: counts its records, keeps unreadable lines. */
	private Scan recover(Segment segment, long watermark) throws IOException {
		long size = Files.size(segment.file);
		long records = 0;
		long pending = 0;
		long unreadable = 0;
		long firstSeq = Long.MAX_VALUE;
		try (SegmentReader reader = new SegmentReader(segment.file, 0, this.maxLine)) {
			byte[] header = reader.nextLine(size);
			if (header == null || !SpoolRecords.isHeader(header)) {
				if (size > 0) {
					Path kept = this.deadLetters.keepFile(segment.file);
					logger.error("Spool segment {} of event handler '{}' is not in a format this version reads; "
							+ "moved to {}", segment.file, this.handler, kept);
					return new Scan(0, 0, 1, firstSeq);
				}
				return new Scan(0, 0, 0, firstSeq);
			}
			for (byte[] line = reader.nextLine(size); line != null; line = reader.nextLine(size)) {
				SpoolRecords.Record record = (line == SegmentReader.OVERSIZED) ? null : SpoolRecords.decode(line);
				if (record == null) {
					unreadable++;
					keepUnreadable(segment, reader.lineOffset(), line);
					continue;
				}
				records++;
				firstSeq = Math.min(firstSeq, record.seq());
				segment.lastSeq = Math.max(segment.lastSeq, record.seq());
				if (record.seq() >= watermark) {
					pending++;
				}
			}
			segment.length = reader.position();
			long torn = size - reader.position();
			if (torn > 0) {
				logger.warn("Spool segment {} of event handler '{}' ends with {} bytes of a record whose writing "
						+ "was cut short; they are skipped", segment.file, this.handler, torn);
			}
		}
		segment.sealed = true;
		segment.recovered = true;
		return new Scan(records, pending, unreadable, firstSeq);
	}

	void keepUnreadable(Segment segment, long offset, byte[] line) {
		try {
			Path kept = this.deadLetters.keepUnreadable(segment.file.getFileName().toString(), offset, line);
			logger.error("A record of spool segment {} of event handler '{}' is damaged (checksum or framing); "
					+ "kept in {}", segment.file, this.handler, kept);
		}
		catch (IOException ex) {
			logger.error("A record of spool segment {} of event handler '{}' is damaged and cannot be kept: {}",
					segment.file, this.handler, ex.toString());
		}
	}

	Path getDirectory() {
		return this.directory;
	}

	// ---------------------------------------------------------------- appending

	/**
	 * Appends records in one write.
	 * @param block the encoded records, in sequence order
	 * @param firstSeq the sequence number of the first
	 * @param lastSeq the sequence number of the last
	 * @return whether they were written; when not, the log goes on in a new segment
	 */
	boolean append(byte[] block, long firstSeq, long lastSeq) {
		if (this.closed) {
			return false;
		}
		try {
			Segment segment = activeSegment(firstSeq);
			this.out.write(block);
			synchronized (this) {
				segment.length += block.length;
				segment.lastSeq = lastSeq;
			}
			this.nextAppendSeq = lastSeq + 1;
			this.dirty.set(true);
			this.appendedSinceCompaction = true;
			return true;
		}
		catch (IOException ex) {
			logger.error("Cannot append to the spool of event handler '{}' in {}: {}", this.handler, this.directory,
					ex.toString());
			sealActive(false);
			this.nextAppendSeq = Math.max(this.nextAppendSeq, lastSeq + 1);
			return false;
		}
	}

	private Segment activeSegment(long firstSeq) throws IOException {
		Segment current = this.active;
		if (current != null && current.length < this.segmentBytes) {
			return current;
		}
		sealActive(true);
		Path file = this.directory.resolve(SpoolRecords.segmentName(firstSeq));
		Files.createDirectories(this.directory);
		FileOutputStream stream = new FileOutputStream(file.toFile(), true);
		try {
			stream.write(SpoolRecords.HEADER);
		}
		catch (IOException ex) {
			stream.close();
			Files.deleteIfExists(file);
			throw ex;
		}
		Segment segment = new Segment(firstSeq, file);
		segment.length = SpoolRecords.HEADER.length;
		synchronized (this) {
			this.segments.put(firstSeq, segment);
		}
		this.active = segment;
		this.out = stream;
		// forced with the records, by the writer's thread
		this.directoryDirty.set(true);
		this.dirty.set(true);
		return segment;
	}

	/** Makes the new segment's directory entry durable, where the platform allows it. */
	private void forceDirectory() {
		try (FileChannel channel = FileChannel.open(this.directory, StandardOpenOption.READ)) {
			channel.force(true);
		}
		catch (IOException | RuntimeException ex) {
			// not supported everywhere (Windows); the segment's content is forced anyway
		}
	}

	private void sealActive(boolean force) {
		Segment current = this.active;
		FileOutputStream stream = this.out;
		this.active = null;
		this.out = null;
		if (current == null || stream == null) {
			return;
		}
		try {
			if (force && this.dirty.getAndSet(false)) {
				stream.getFD().sync();
			}
		}
		catch (IOException ex) {
			logger.warn("Cannot force the spool of event handler '{}' to disk: {}", this.handler, ex.toString());
		}
		finally {
			closeQuietly(stream);
			synchronized (this) {
				current.sealed = true;
			}
		}
	}

	/**
	 * Forces what was appended to the storage device, and the directory once a segment
	 * was created: the group commit, for everything appended since the last one. Runs
	 * beside appends; a segment sealed meanwhile was forced when it was sealed.
	 */
	void force() {
		if (this.directoryDirty.getAndSet(false)) {
			forceDirectory();
		}
		FileOutputStream stream = this.out;
		if (stream == null || !this.dirty.getAndSet(false)) {
			return;
		}
		try {
			stream.getFD().sync();
		}
		catch (IOException ex) {
			if (stream == this.out) {
				logger.warn("Cannot force the spool of event handler '{}' to disk: {}", this.handler, ex.toString());
			}
		}
	}

	long nextAppendSeq() {
		return this.nextAppendSeq;
	}

	// ---------------------------------------------------------------- compaction

	/**
	 * Records that the handler took every event below a sequence number: deletes the
	 * segments that hold nothing else, or the whole log once it is drained, and writes
	 * the checkpoint. Not forced: a checkpoint lost in a crash only means events are
	 * sent again.
	 * @param watermark the lowest sequence number not taken
	 * @param idle whether nothing was appended since the last call
	 */
	void compact(long watermark, boolean idle) {
		if (this.closed) {
			return;
		}
		boolean appended = this.appendedSinceCompaction;
		this.appendedSinceCompaction = false;
		if (watermark >= this.nextAppendSeq) {
			Segment current = this.active;
			boolean worthIt = !appended || idle || current == null || current.length >= DRAINED_COMPACTION_BYTES;
			if (worthIt && !isEmpty()) {
				deleteAll(watermark);
				return;
			}
		}
		else {
			deleteSealedBelow(watermark);
		}
		if (watermark != this.persistedWatermark && !isEmpty()) {
			writeCheckpoint(watermark);
		}
	}

	private synchronized boolean isEmpty() {
		return this.segments.isEmpty();
	}

	private void deleteAll(long watermark) {
		sealActive(false);
		List<Segment> all;
		synchronized (this) {
			all = new ArrayList<>(this.segments.values());
			this.segments.clear();
		}
		for (Segment segment : all) {
			delete(segment.file);
		}
		delete(this.directory.resolve(CHECKPOINT));
		this.persistedWatermark = watermark;
	}

	private void deleteSealedBelow(long watermark) {
		List<Segment> taken = new ArrayList<>();
		synchronized (this) {
			for (Map.Entry<Long, Segment> entry : this.segments.entrySet()) {
				Segment segment = entry.getValue();
				if (!segment.sealed || segment.lastSeq >= watermark) {
					break;
				}
				taken.add(segment);
			}
			taken.forEach((segment) -> this.segments.remove(segment.firstSeq));
		}
		taken.forEach((segment) -> delete(segment.file));
	}

	private void writeCheckpoint(long watermark) {
		Path file = this.directory.resolve(CHECKPOINT);
		Path temporary = this.directory.resolve(CHECKPOINT + ".tmp");
		try {
			Files.writeString(temporary, watermark + "\n", StandardCharsets.US_ASCII);
			Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			this.persistedWatermark = watermark;
		}
		catch (IOException ex) {
			logger.warn("Cannot write the spool checkpoint of event handler '{}' ({}); events it took may be sent "
					+ "again after a restart", this.handler, ex.toString());
		}
	}

	private void delete(Path file) {
		try {
			Files.deleteIfExists(file);
		}
		catch (IOException ex) {
			logger.warn("Cannot delete {} of the event spool: {}", file, ex.toString());
		}
	}

	/**
	 * Forces and closes the log, with a last compaction. Appends afterwards fail.
	 * @param watermark the lowest sequence number not taken
	 */
	void close(long watermark) {
		if (this.closed) {
			return;
		}
		compact(watermark, true);
		this.closed = true;
		sealActive(true);
	}

	boolean isClosed() {
		return this.closed;
	}

	// ---------------------------------------------------------------- reading

	LogCursor cursor() {
		return new LogCursor(this, this.maxLine);
	}

	synchronized @Nullable Segment segmentFrom(long seq) {
		Map.Entry<Long, Segment> entry = this.segments.floorEntry(seq);
		if (entry == null) {
			entry = this.segments.firstEntry();
		}
		return (entry != null) ? entry.getValue() : null;
	}

	synchronized @Nullable Segment segmentAfter(Segment segment) {
		Map.Entry<Long, Segment> entry = this.segments.higherEntry(segment.firstSeq);
		return (entry != null) ? entry.getValue() : null;
	}

	synchronized long limitOf(Segment segment) {
		return segment.length;
	}

	synchronized boolean isFinished(Segment segment) {
		return segment.sealed || this.segments.get(segment.firstSeq) != segment;
	}

	private static void closeQuietly(Closeable closeable) {
		try {
			closeable.close();
		}
		catch (IOException ex) {
			// nothing more to do
		}
	}

	/** A segment file; its mutable fields are guarded by the log. */
	static final class Segment {

		final long firstSeq;

		final Path file;

		long length;

		long lastSeq = -1;

		boolean sealed;

		/** Read when the log was opened: its damaged lines were kept then. */
		boolean recovered;

		Segment(long firstSeq, Path file) {
			this.firstSeq = firstSeq;
			this.file = file;
		}

	}

	/**
	 * A log as opened.
	 * @param log the log
	 * @param watermark every event below it was taken: the checkpoint, or the oldest
	 * record left when that is higher
	 * @param nextSeq the next sequence number to assign
	 * @param pending the events left to send
	 * @param unreadable records that could not be read, kept in the dead-letter folder
	 */
	record Opened(SpoolLog log, long watermark, long nextSeq, long pending, long unreadable) {
	}

	private record Scan(long records, long pending, long unreadable, long firstSeq) {
	}

}
