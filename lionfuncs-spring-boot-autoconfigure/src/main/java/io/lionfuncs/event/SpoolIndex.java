package io.lionfuncs.event;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

/**
 * The in-memory index of one handler's spooled events, ordered by sequence number and
 * bounded: it holds at most {@code limit} of the oldest entries, and every entry left
 * out is newer than all it holds. When it runs dry while entries are left out, the
 * handler's folder is scanned again ({@link #beginScan()}, {@link #completeScan}).
 * <p>
 * Not thread-safe: {@link HandlerLane} guards it with its lock.
 */
final class SpoolIndex {

	private final int limit;

	private final TreeMap<Long, Path> entries = new TreeMap<>();

	private boolean complete = true;

	private boolean scanning;

	private boolean trimmedWhileScanning;

	SpoolIndex(int limit) {
		this.limit = limit;
	}

	/** Whether spooled events wait, in the index or only on disk. */
	boolean hasBacklog() {
		return !this.entries.isEmpty() || !this.complete;
	}

	/** Whether the index is empty but entries are left on disk. */
	boolean needsScan() {
		return this.entries.isEmpty() && !this.complete;
	}

	Map.@Nullable Entry<Long, Path> oldest() {
		return this.entries.firstEntry();
	}

	/** Loads the first scan of the folder. */
	void load(EventSpool.Scan scan) {
		scan.oldest().forEach((entry) -> this.entries.put(entry.seq(), entry.file()));
		this.complete = scan.count() <= this.limit;
	}

	/** Marks a scan in progress: entries added meanwhile are kept whatever their seq. */
	void beginScan() {
		this.scanning = true;
	}

	/**
	 * Merges a scan's result.
	 * @param scan the result, or {@code null} when the scan failed
	 */
	void completeScan(EventSpool.@Nullable Scan scan) {
		this.scanning = false;
		if (scan == null) {
			this.trimmedWhileScanning = false;
			return;
		}
		scan.oldest().forEach((entry) -> this.entries.put(entry.seq(), entry.file()));
		boolean nowComplete = scan.count() <= this.limit && !this.trimmedWhileScanning;
		while (this.entries.size() > this.limit) {
			this.entries.pollLastEntry();
			nowComplete = false;
		}
		this.complete = nowComplete;
		this.trimmedWhileScanning = false;
	}

	/** Adds a newly spooled file, unless it is newer than everything the bounded index holds. */
	void add(long seq, Path file) {
		if (this.scanning || this.complete) {
			this.entries.put(seq, file);
		}
		else if (!this.entries.isEmpty() && seq < this.entries.lastKey()) {
			this.entries.put(seq, file);
		}
		else {
			// left on disk: newer than the whole index, found by the next scan
			return;
		}
		if (this.entries.size() > this.limit) {
			this.entries.pollLastEntry();
			this.complete = false;
			if (this.scanning) {
				this.trimmedWhileScanning = true;
			}
		}
	}

	void remove(long seq) {
		this.entries.remove(seq);
	}

}
