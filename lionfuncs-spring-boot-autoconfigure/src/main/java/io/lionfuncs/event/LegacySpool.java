package io.lionfuncs.event;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spooled events one file each, {@code <spool>/<handler>/<seq>-<uid>.json} in e3's
 * layout: the spool of earlier versions, read into the handler's log when its lane
 * opens, and still how an event published after its manager closed is kept (a file of
 * its own cannot collide with the log of the manager that takes the directory over).
 */
final class LegacySpool {

	private static final Logger logger = LoggerFactory.getLogger(EventManager.class);

	private static final Pattern ENTRY = Pattern.compile("(\\d{19})-[A-Za-z0-9][A-Za-z0-9._-]{0,127}\\.json");

	private static final int BLOCK_BYTES = 1024 * 1024;

	private LegacySpool() {
	}

	/** Writes an event to a file of its own, durably. */
	static Path write(Path handlerDirectory, long seq, Event event, EventJson json) {
		try {
			Files.createDirectories(handlerDirectory);
		}
		catch (IOException ex) {
			throw new EventError("Cannot create spool directory '" + handlerDirectory + "' for " + event + ": " + ex,
					ex);
		}
		Path file = handlerDirectory.resolve(String.format(Locale.ROOT, "%019d-%s.json", seq, event.getUid()));
		json.write(event, file, true);
		return file;
	}

	/**
	 * Moves the event files of a handler's directory into its log, oldest first, then
	 * deletes them; a file that is not an event goes to the dead-letter folder, a
	 * temporary file left by a crash is deleted.
	 * @return the files that could not be read
	 */
	static long migrate(Path handlerDirectory, SpoolLog log, DeadLetters deadLetters, EventJson json)
			throws IOException {
		List<Path> files = list(handlerDirectory);
		if (files.isEmpty()) {
			return 0;
		}
		long unreadable = 0;
		List<Path> moved = new ArrayList<>();
		ByteArrayOutputStream block = new ByteArrayOutputStream();
		long firstSeq = log.nextAppendSeq();
		long seq = firstSeq;
		for (Path file : files) {
			Event event;
			try {
				event = json.read(file);
			}
			catch (InvalidEventFileException ex) {
				if (!Files.exists(file)) {
					continue;
				}
				if (ex.getCause() instanceof IOException) {
					logger.warn("Cannot read spooled event file {} now; it is read at the next start: {}", file,
							ex.getMessage());
					continue;
				}
				unreadable++;
				Path kept = deadLetters.keepFile(file);
				logger.error("Spooled event file {} cannot be read, moved to {}: {}", file, kept, ex.getMessage());
				continue;
			}
			block.writeBytes(SpoolRecords.encode(seq++, json.toJson(event)));
			moved.add(file);
			if (block.size() >= BLOCK_BYTES) {
				appendOrFail(log, block, firstSeq, seq - 1);
				firstSeq = seq;
			}
		}
		if (block.size() > 0) {
			appendOrFail(log, block, firstSeq, seq - 1);
		}
		log.force();
		for (Path file : moved) {
			Files.deleteIfExists(file);
		}
		if (!moved.isEmpty()) {
			logger.info("{} event(s) spooled one file each in {} moved into the spool log", moved.size(),
					handlerDirectory);
		}
		return unreadable;
	}

	private static void appendOrFail(SpoolLog log, ByteArrayOutputStream block, long firstSeq, long lastSeq)
			throws IOException {
		if (!log.append(block.toByteArray(), firstSeq, lastSeq)) {
			throw new IOException("cannot append to the spool log in " + log.getDirectory());
		}
		block.reset();
	}

	/** The event files of a directory, oldest first; temporary files are deleted. */
	static List<Path> list(Path handlerDirectory) throws IOException {
		// the zero-padded sequence numbers sort the names oldest first
		TreeMap<String, Path> files = new TreeMap<>();
		if (!Files.isDirectory(handlerDirectory)) {
			return List.of();
		}
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(handlerDirectory)) {
			for (Path file : entries) {
				String name = file.getFileName().toString();
				if (name.toLowerCase(Locale.ROOT).endsWith(".json.tmp")) {
					Files.deleteIfExists(file);
					continue;
				}
				Matcher matcher = ENTRY.matcher(name);
				if (matcher.matches()) {
					files.put(name, file);
				}
			}
		}
		return new ArrayList<>(files.values());
	}

}
