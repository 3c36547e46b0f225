package io.lionfuncs.event;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

/**
 * What one handler has left to take, by sequence number: every event a lane accepted is
 * in the handler's log (or on its way there); this keeps the newest of them in memory
 * too, so that a handler that keeps up is sent events without reading them back.
 * <p>
 * Events go out in sequence order from a cursor: from memory when the next one is
 * there, otherwise from the log. A failed event waits in memory to be tried again, and
 * while it waits nothing newer is kept in memory (it is read back from the log later,
 * in order). The lowest sequence number not taken, the {@link #watermark()}, tells the
 * log what it may delete.
 * <p>
 * Not thread-safe: the lane guards it with its lock.
 */
final class LaneBacklog {

	private final int capacity;

	private final ArrayDeque<Delivery> memory = new ArrayDeque<>();

	private final TreeMap<Long, Event> retries = new TreeMap<>();

	private final TreeSet<Long> inFlight = new TreeSet<>();

	/** The next sequence number to assign. */
	private long nextSeq;

	/** Every sequence number below this has been written to the log, or could not be. */
	private long appendedSeq;

	/** The next sequence number to send for the first time. */
	private long cursor;

	private boolean caching = true;

	private long lost;

	LaneBacklog(int capacity) {
		this.capacity = capacity;
	}

	/**
	 * Starts from a log: what is below the watermark was taken.
	 * @param watermark the log's checkpoint
	 * @param nextSeq the log's next sequence number
	 */
	void recovered(long watermark, long nextSeq) {
		this.cursor = watermark;
		this.nextSeq = nextSeq;
		this.appendedSeq = nextSeq;
	}

	/**
	 * Accepts a published event.
	 * @return its sequence number
	 */
	long accept(Event event) {
		long seq = this.nextSeq++;
		Delivery newest = this.memory.peekLast();
		if (this.caching && this.memory.size() < this.capacity && (newest == null || newest.seq() == seq - 1)) {
			this.memory.addLast(new Delivery(seq, event, false));
		}
		return seq;
	}

	/** Records that every sequence number below {@code through} reached the log, or never will. */
	void appended(long through) {
		this.appendedSeq = Math.max(this.appendedSeq, through);
	}

	long appendedSeq() {
		return this.appendedSeq;
	}

	long cursor() {
		return this.cursor;
	}

	/** The next event to send, if it is in memory. */
	@Nullable Delivery takeFromMemory() {
		Delivery head = this.memory.peekFirst();
		if (head == null || head.seq() != this.cursor) {
			return null;
		}
		this.memory.pollFirst();
		this.cursor++;
		this.inFlight.add(head.seq());
		return head;
	}

	/** Whether the next event must be read from the log, where it already is. */
	boolean mustReadLog() {
		return this.cursor < this.nextSeq && this.cursor < this.appendedSeq;
	}

	/**
	 * Takes what reading the log at the cursor found.
	 * @param from the cursor when the log was read
	 * @param appendedBefore {@link #appendedSeq()} before the log was read: everything
	 * below it that the log holds was found
	 * @param seq the sequence number of the record found, or {@code -1} for none
	 * @param event its event, or {@code null} when the record cannot be read (it is
	 * skipped)
	 * @return the delivery of the record, or {@code null} when there is nothing to send
	 * (events before the record that are neither in the log nor in memory are counted
	 * lost; the cursor moves past them, and past the record when it was used)
	 */
	@Nullable Delivery fromLog(long from, long appendedBefore, long seq, @Nullable Event event) {
		if (from != this.cursor) {
			return null;
		}
		Delivery head = this.memory.peekFirst();
		long limit = Math.min(appendedBefore, (head != null) ? head.seq() : Long.MAX_VALUE);
		if (seq >= 0 && seq < limit) {
			this.lost += seq - this.cursor;
			this.cursor = seq + 1;
			if (event == null) {
				return null;
			}
			this.inFlight.add(seq);
			return new Delivery(seq, event, false);
		}
		if (limit > this.cursor) {
			this.lost += limit - this.cursor;
			this.cursor = limit;
		}
		return null;
	}

	boolean hasRetries() {
		return !this.retries.isEmpty();
	}

	/** The oldest failed event, to try again. */
	Delivery takeRetry() {
		Map.Entry<Long, Event> oldest = this.retries.pollFirstEntry();
		this.inFlight.add(oldest.getKey());
		return new Delivery(oldest.getKey(), oldest.getValue(), true);
	}

	/** The handler took (or refused for good) an event: the log may forget it. */
	void taken(long seq) {
		this.inFlight.remove(seq);
		if (this.retries.isEmpty()) {
			this.caching = true;
		}
	}

	/** The handler failed an event: it is tried again, and newer ones wait in the log. */
	void failed(long seq, Event event) {
		this.inFlight.remove(seq);
		this.retries.put(seq, event);
		this.caching = false;
		this.memory.clear();
	}

	int inFlightCount() {
		return this.inFlight.size();
	}

	/** Whether everything accepted was taken. */
	boolean isCaughtUp() {
		return this.cursor >= this.nextSeq && this.inFlight.isEmpty() && this.retries.isEmpty();
	}

	/** The lowest sequence number the handler has not taken. */
	long watermark() {
		long watermark = this.cursor;
		if (!this.inFlight.isEmpty()) {
			watermark = Math.min(watermark, this.inFlight.first());
		}
		if (!this.retries.isEmpty()) {
			watermark = Math.min(watermark, this.retries.firstKey());
		}
		return watermark;
	}

	/**
	 * Events waiting to be sent that are not in the log yet, or also in memory: what a
	 * crash of the process could cost if the log were not written soon.
	 */
	long queued() {
		return (this.nextSeq - this.cursor) + this.retries.size() - spooled();
	}

	/**
	 * Events waiting to be sent that are in the log only (read back when their turn
	 * comes), or waiting in the log to be tried again.
	 */
	long spooled() {
		long inLog = Math.max(0, this.appendedSeq - this.cursor);
		Delivery oldest = this.memory.peekFirst();
		if (oldest != null) {
			long newest = this.memory.peekLast().seq();
			inLog -= Math.max(0, Math.min(newest + 1, this.appendedSeq) - oldest.seq());
		}
		return inLog + this.retries.headMap(this.appendedSeq).size();
	}

	/** Events that were neither in memory nor in the log when their turn came. */
	long lost() {
		return this.lost;
	}

	/** Keeps nothing in memory any more: the lane stopped. */
	void stop() {
		this.caching = false;
		this.memory.clear();
	}

	/**
	 * An event on its way to the handler.
	 * @param seq its sequence number
	 * @param event the event
	 * @param retry whether it failed before
	 */
	record Delivery(long seq, Event event, boolean retry) {
	}

}
