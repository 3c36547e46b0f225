package io.lionfuncs.event;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * The spool directory of an {@link EventManager}: events a handler has not taken yet,
 * one file per event and handler, so that each handler is re-sent only what it missed.
 * <p>
 * Layout: {@code <root>/<handler>/<seq>-<uid>.json}, where {@code seq} is a 19-digit,
 * zero-padded sequence number that orders a handler's events as they were published,
 * and the content is the event in e3's layout (so {@link Event#load} and e3-core read
 * it). Files are written to {@code .tmp} siblings, forced to the device and renamed, so
 * a file is complete or absent. Events a handler refused for good, and files that
 * cannot be read, go to {@code <root>/<handler>/dead-letter/}. {@code <root>/.lock}
 * holds a file lock while an {@link EventManager} uses the directory, so two managers
 * never replay the same events.
 */
class EventSpool {

	static final String DEAD_LETTER = "dead-letter";

	private static final Pattern ENTRY = Pattern.compile("(\\d{19})-[A-Za-z0-9][A-Za-z0-9._-]{0,127}\\.json");

	private final Path root;

	private final EventJson json;

	private @Nullable FileChannel lockChannel;

	private @Nullable FileLock lock;

	private boolean open;

	EventSpool(Path root, EventJson json) {
		this.root = root.toAbsolutePath().normalize();
		this.json = json;
	}

	Path getRoot() {
		return this.root;
	}

	/**
	 * Creates the directory and locks it. Idempotent.
	 * @throws IllegalStateException if the directory cannot be used or another manager
	 * uses it
	 */
	synchronized void open() {
		if (this.open) {
			return;
		}
		FileChannel channel = null;
		try {
			Files.createDirectories(this.root);
			channel = FileChannel.open(this.root.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
			FileLock acquired;
			try {
				acquired = channel.tryLock();
			}
			catch (OverlappingFileLockException ex) {
				acquired = null;
			}
			if (acquired == null) {
				throw new IllegalStateException("Spool directory '" + this.root + "' is in use by another EventManager; "
						+ "give each EventManager its own spool directory");
			}
			this.lockChannel = channel;
			this.lock = acquired;
			this.open = true;
		}
		catch (IOException ex) {
			closeQuietly(channel);
			throw new IllegalStateException("Cannot use spool directory '" + this.root + "': " + ex, ex);
		}
		catch (RuntimeException ex) {
			closeQuietly(channel);
			throw ex;
		}
	}

	/** Releases the lock. Files can still be written afterwards (late events). */
	synchronized void close() {
		try {
			if (this.lock != null) {
				this.lock.release();
			}
		}
		catch (IOException ex) {
			// closing the channel releases it too
		}
		closeQuietly(this.lockChannel);
		this.lock = null;
		this.lockChannel = null;
	}

	private static void closeQuietly(@Nullable FileChannel channel) {
		if (channel != null) {
			try {
				channel.close();
			}
			catch (IOException ex) {
				// nothing more to do
			}
		}
	}

	Path directory(String handler) {
		return this.root.resolve(handler);
	}

	/**
	 * Lists a handler's spooled events: counts the entries and keeps the {@code limit}
	 * oldest.
	 * @param deleteTemporaries whether to remove temporary files left by a crash; only
	 * safe while nothing writes to the handler's folder
	 */
	Scan scan(String handler, int limit, boolean deleteTemporaries) throws IOException {
		Path directory = directory(handler);
		if (!Files.isDirectory(directory)) {
			return new Scan(List.of(), 0, -1);
		}
		PriorityQueue<Entry> newest = new PriorityQueue<>(Comparator.comparingLong(Entry::seq).reversed());
		long count = 0;
		long maxSeq = -1;
		try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
			for (Path file : files) {
				String fileName = file.getFileName().toString();
				if (fileName.toLowerCase(Locale.ROOT).endsWith(".tmp")) {
					if (deleteTemporaries) {
						Files.deleteIfExists(file);
					}
					continue;
				}
				Matcher matcher = ENTRY.matcher(fileName);
				if (!matcher.matches()) {
					continue;
				}
				long seq = Long.parseLong(matcher.group(1));
				count++;
				maxSeq = Math.max(maxSeq, seq);
				newest.add(new Entry(seq, file));
				if (newest.size() > limit) {
					newest.poll();
				}
			}
		}
		List<Entry> oldest = new ArrayList<>(newest);
		oldest.sort(Comparator.comparingLong(Entry::seq));
		return new Scan(oldest, count, maxSeq);
	}

	/** Writes a handler's spooled event, durably. */
	Path write(String handler, long seq, Event event) {
		Path directory = directory(handler);
		createDirectories(directory, event);
		Path file = directory.resolve(fileName(seq, event));
		this.json.write(event, file, true);
		return file;
	}

	/** Writes an event a handler refused for good straight to its dead-letter folder. */
	Path writeDeadLetter(String handler, long seq, Event event) {
		Path directory = directory(handler).resolve(DEAD_LETTER);
		createDirectories(directory, event);
		Path file = directory.resolve(fileName(seq, event));
		this.json.write(event, file, true);
		return file;
	}

	Event read(Path file) {
		return this.json.read(file);
	}

	void delete(Path file) throws IOException {
		Files.deleteIfExists(file);
	}

	/** Moves a spooled file to its handler's dead-letter folder. */
	Path moveToDeadLetter(Path file) throws IOException {
		Path directory = file.resolveSibling(DEAD_LETTER);
		Files.createDirectories(directory);
		Path target = directory.resolve(file.getFileName());
		try {
			Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
		}
		catch (NoSuchFileException ex) {
			// already gone
		}
		return target;
	}

	private static String fileName(long seq, Event event) {
		return String.format(Locale.ROOT, "%019d-%s.json", seq, event.getUid());
	}

	private static void createDirectories(Path directory, Event event) {
		try {
			Files.createDirectories(directory);
		}
		catch (IOException ex) {
			throw new EventError("Cannot create spool directory '" + directory + "' for " + event + ": " + ex, ex);
		}
	}

	/** A spooled event file. */
	record Entry(long seq, Path file) {
	}

	/**
	 * What a scan found.
	 * @param oldest the oldest entries, up to the limit, in order
	 * @param count all entries
	 * @param maxSeq the highest sequence number, {@code -1} when none
	 */
	record Scan(List<Entry> oldest, long count, long maxSeq) {
	}

}
