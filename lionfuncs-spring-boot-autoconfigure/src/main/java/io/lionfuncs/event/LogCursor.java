package io.lionfuncs.event;

import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;

import org.jspecify.annotations.Nullable;

/**
 * Reads the log forward for the handler's lane: the first record at or after a
 * sequence number, among those an append has completed.
 */
final class LogCursor implements Closeable {

	private final SpoolLog log;

	private final int maxLine;

	private SpoolLog.@Nullable Segment segment;

	private @Nullable SegmentReader reader;

	private SpoolRecords.@Nullable Record peeked;

	LogCursor(SpoolLog log, int maxLine) {
		this.log = log;
		this.maxLine = maxLine;
	}

	/**
	 * The first record whose sequence number is at least {@code from}, left in place
	 * until {@link #advance()}.
	 * @param from the lowest sequence number wanted
	 * @return the record, or {@code null} when no such record is written yet
	 */
	SpoolRecords.@Nullable Record peek(long from) throws IOException {
		if (this.peeked != null) {
			if (this.peeked.seq() >= from) {
				return this.peeked;
			}
			this.peeked = null;
		}
		while (true) {
			if (this.reader == null && !openNext(from)) {
				return null;
			}
			SpoolLog.Segment current = this.segment;
			long limit = this.log.limitOf(current);
			byte[] line = this.reader.nextLine(limit);
			if (line == null) {
				if (this.log.isFinished(current) && this.reader.position() >= this.log.limitOf(current)) {
					closeReader();
					continue;
				}
				return null;
			}
			if (line != SegmentReader.OVERSIZED && SpoolRecords.isHeader(line)) {
				continue;
			}
			SpoolRecords.Record record = (line == SegmentReader.OVERSIZED) ? null : SpoolRecords.decode(line);
			if (record == null) {
				if (!current.recovered) {
					this.log.keepUnreadable(current, this.reader.lineOffset(), line);
				}
				continue;
			}
			if (record.seq() >= from) {
				this.peeked = record;
				return record;
			}
		}
	}

	/** Consumes the record {@link #peek} returned. */
	void advance() {
		this.peeked = null;
	}

	private boolean openNext(long from) throws IOException {
		SpoolLog.Segment next = (this.segment == null) ? this.log.segmentFrom(from)
				: this.log.segmentAfter(this.segment);
		while (next != null) {
			try {
				this.reader = new SegmentReader(next.file, 0, this.maxLine);
				this.segment = next;
				return true;
			}
			catch (FileNotFoundException ex) {
				// compacted meanwhile: everything in it was taken
				this.segment = next;
				next = this.log.segmentAfter(next);
			}
		}
		return false;
	}

	private void closeReader() {
		if (this.reader != null) {
			try {
				this.reader.close();
			}
			catch (IOException ex) {
				// read-only
			}
		}
		this.reader = null;
	}

	@Override
	public void close() {
		closeReader();
	}

}
