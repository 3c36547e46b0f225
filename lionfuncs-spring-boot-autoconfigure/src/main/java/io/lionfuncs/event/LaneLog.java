package io.lionfuncs.event;

import java.io.IOException;
import java.nio.file.Path;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lane's side of the spool: its handler's {@link SpoolLog} as opened (what an earlier
 * run left, and events an earlier version spooled one file each, moved in), the events
 * read back from it, and its {@link DeadLetters}. Reading is confined to the lane's
 * thread.
 */
final class LaneLog {

	private static final Logger logger = LoggerFactory.getLogger(EventManager.class);

	private final String handler;

	private final EventSpool spool;

	private final SpoolLog log;

	private final DeadLetters deadLetters;

	private final long watermark;

	private final long unreadable;

	private @Nullable LogCursor cursor;

	private LaneLog(String handler, EventSpool spool, SpoolLog log, DeadLetters deadLetters, long watermark,
			long unreadable) {
		this.handler = handler;
		this.spool = spool;
		this.log = log;
		this.deadLetters = deadLetters;
		this.watermark = watermark;
		this.unreadable = unreadable;
	}

	/**
	 * Opens a handler's log.
	 * @throws IllegalStateException if the handler's spool directory cannot be used
	 */
	static LaneLog open(String handler, EventSpool spool) {
		Path directory = spool.directory(handler);
		DeadLetters deadLetters = new DeadLetters(directory, spool.json());
		try {
			SpoolLog.Opened opened = SpoolLog.open(directory, handler, deadLetters, spool.segmentBytes(),
					spool.maxLine());
			long unreadableFiles = LegacySpool.migrate(directory, opened.log(), deadLetters, spool.json());
			return new LaneLog(handler, spool, opened.log(), deadLetters, opened.watermark(),
					opened.unreadable() + unreadableFiles);
		}
		catch (IOException | RuntimeException ex) {
			throw new IllegalStateException("Cannot use spool directory '" + directory + "': " + ex, ex);
		}
	}

	SpoolLog log() {
		return this.log;
	}

	/** The checkpoint the log was opened with: every event below it was taken. */
	long watermark() {
		return this.watermark;
	}

	/** Records and files that could not be read when opening, now in the dead-letter folder. */
	long unreadable() {
		return this.unreadable;
	}

	/**
	 * The first record at or after a sequence number, read and decoded; left in place
	 * until {@link #consumed()}.
	 * @param from the lowest sequence number wanted
	 * @return the record, or {@code null} when none is written yet
	 * @throws IOException if the log cannot be read now
	 */
	@Nullable Read read(long from, HandlerCounters counters) throws IOException {
		if (this.cursor == null) {
			this.cursor = this.log.cursor();
		}
		SpoolRecords.Record record = this.cursor.peek(from);
		if (record == null) {
			return null;
		}
		try {
			return new Read(record.seq(),
					this.spool.json().read(record.json(), this.log.getDirectory() + " record " + record.seq()));
		}
		catch (InvalidEventFileException ex) {
			counters.unreadable(1);
			try {
				Path kept = this.deadLetters.keepUnreadable("record", record.seq(), record.json());
				logger.error("A spooled event of handler '{}' cannot be read ({}); kept in {}", this.handler,
						ex.getMessage(), kept);
			}
			catch (IOException keepFailure) {
				logger.error("A spooled event of handler '{}' cannot be read ({}) nor kept: {}", this.handler,
						ex.getMessage(), keepFailure.toString());
			}
			return new Read(record.seq(), null);
		}
	}

	/** Consumes the record {@link #read} returned. */
	void consumed() {
		if (this.cursor != null) {
			this.cursor.advance();
		}
	}

	/**
	 * Keeps an event the handler refused for good in its dead-letter folder.
	 * @return whether it was kept
	 */
	boolean keepRefused(long seq, Event event, String reason) {
		try {
			Path file = this.deadLetters.keepEvent(seq, event);
			logger.warn("Event handler '{}' refused {} for good ({}); kept in {}", this.handler, event, reason, file);
			return true;
		}
		catch (RuntimeException ex) {
			logger.error("Event handler '{}' refused {} for good ({}) and it could not be kept: {}", this.handler,
					event, reason, ex.getMessage());
			return false;
		}
	}

	/** Ends reading. */
	void closeReading() {
		if (this.cursor != null) {
			this.cursor.close();
		}
	}

	/**
	 * A record read back.
	 * @param seq its sequence number
	 * @param event its event, {@code null} when it cannot be read (it was kept aside)
	 */
	record Read(long seq, @Nullable Event event) {
	}

}
