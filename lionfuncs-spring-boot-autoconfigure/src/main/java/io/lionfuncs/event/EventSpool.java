package io.lionfuncs.event;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

/**
 * The spool directory of an {@link EventManager}: one write-ahead log per handler in
 * {@code <root>/<handler>/} ({@link SpoolLog}), written by one {@link SpoolWriter}, with
 * the handler's {@code dead-letter/} folder beside it. {@code <root>/.lock} holds a file
 * lock while a manager uses the directory, so that two managers never send the same
 * events; the operating system releases it when the process dies, so a restart takes
 * the directory of a crashed one over.
 * <p>
 * When the root is held by another running manager, the spool either fails to open or,
 * if asked to, uses the first of {@code <root>-2}, {@code <root>-3}, … that no running
 * manager holds: the directory is chosen and locked in one step, so two processes
 * starting together never pick the same one.
 */
final class EventSpool {

	static final String DEAD_LETTER = DeadLetters.FOLDER;

	static final long DEFAULT_SEGMENT_BYTES = 16L * 1024 * 1024;

	private static final int MAX_SIBLINGS = 100;

	/** The directories the managers of this JVM hold. */
	private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

	private final Path preferredRoot;

	private final boolean freeSiblingWhenLocked;

	private final EventJson json;

	private final long segmentBytes;

	private final SpoolWriter writer;

	private volatile Path root;

	private @Nullable FileChannel lockChannel;

	private @Nullable FileLock lock;

	private boolean open;

	EventSpool(Path root, boolean freeSiblingWhenLocked, EventJson json, String writerThreadName) {
		this(root, freeSiblingWhenLocked, json, DEFAULT_SEGMENT_BYTES, new SpoolWriter(writerThreadName, json::toJson));
	}

	EventSpool(Path root, boolean freeSiblingWhenLocked, EventJson json, long segmentBytes, SpoolWriter writer) {
		this.preferredRoot = root.toAbsolutePath().normalize();
		this.root = this.preferredRoot;
		this.freeSiblingWhenLocked = freeSiblingWhenLocked;
		this.json = json;
		this.segmentBytes = segmentBytes;
		this.writer = writer;
	}

	/** The directory: the one chosen once open, the preferred one before. */
	Path getRoot() {
		return this.root;
	}

	EventJson json() {
		return this.json;
	}

	long segmentBytes() {
		return this.segmentBytes;
	}

	/** The longest record line a log may hold: the longest event, framing included. */
	int maxLine() {
		return (int) Math.min(Integer.MAX_VALUE - 64, this.json.getMaxBytes() + 64);
	}

	Path directory(String handler) {
		return this.root.resolve(handler);
	}

	SpoolWriter writer() {
		return this.writer;
	}

	synchronized boolean isOpen() {
		return this.open;
	}

	/**
	 * Chooses and locks the directory, and starts the writer. Idempotent.
	 * @throws IllegalStateException if the directory cannot be used or another manager
	 * holds it
	 */
	synchronized void open() {
		if (this.open) {
			return;
		}
		Path candidate = this.preferredRoot;
		if (!tryLock(candidate)) {
			if (!this.freeSiblingWhenLocked) {
				throw new IllegalStateException("Spool directory '" + candidate + "' is in use by another "
						+ "EventManager; give each EventManager its own spool directory");
			}
			candidate = null;
			for (int i = 2; i <= MAX_SIBLINGS && candidate == null; i++) {
				Path sibling = this.preferredRoot.resolveSibling(this.preferredRoot.getFileName() + "-" + i);
				candidate = tryLock(sibling) ? sibling : null;
			}
			if (candidate == null) {
				throw new IllegalStateException("Spool directory '" + this.preferredRoot + "' and the "
						+ MAX_SIBLINGS + " next to it are in use by other EventManagers; give each EventManager its "
						+ "own spool directory");
			}
		}
		this.root = candidate;
		this.open = true;
		this.writer.start();
	}

	private boolean tryLock(Path directory) {
		// Within one JVM the registry decides: closing a channel of a file that another
		// channel of this process has locked may release that lock on some systems.
		if (!HELD.add(directory)) {
			return false;
		}
		FileChannel channel = null;
		try {
			Files.createDirectories(directory);
			channel = FileChannel.open(directory.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
			FileLock acquired;
			try {
				acquired = channel.tryLock();
			}
			catch (OverlappingFileLockException ex) {
				acquired = null;
			}
			if (acquired == null) {
				channel.close();
				HELD.remove(directory);
				return false;
			}
			this.lockChannel = channel;
			this.lock = acquired;
			return true;
		}
		catch (IOException | RuntimeException ex) {
			closeQuietly(channel);
			HELD.remove(directory);
			if (ex instanceof RuntimeException runtime) {
				throw runtime;
			}
			throw new IllegalStateException("Cannot use spool directory '" + directory + "': " + ex, ex);
		}
	}

	/** Hands an event to the writer for these lanes. */
	void publish(Event event, Collection<HandlerLane> lanes) {
		this.writer.submit(event, lanes);
	}

	/**
	 * Stops the writer (closing every log) and releases the lock. Events published
	 * afterwards are kept one file each, for the next manager.
	 */
	synchronized void close() {
		this.writer.close();
		try {
			if (this.lock != null) {
				this.lock.release();
			}
		}
		catch (IOException ex) {
			// closing the channel releases it too
		}
		closeQuietly(this.lockChannel);
		if (this.lockChannel != null) {
			HELD.remove(this.root);
		}
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

}
