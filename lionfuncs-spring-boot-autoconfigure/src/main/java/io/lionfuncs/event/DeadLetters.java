package io.lionfuncs.event;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * A handler's dead-letter folder, {@code <spool>/<handler>/dead-letter/}: what is kept
 * instead of being sent. Events the handler refused for good are
 * {@code <seq>-<uid>.json} files in e3's layout ({@link Event#load} and e3-core read
 * them); damaged log records are kept byte for byte as
 * {@code <segment>-<offset>.damaged}. Nothing here is sent again or deleted.
 */
final class DeadLetters {

	static final String FOLDER = "dead-letter";

	private final Path directory;

	private final EventJson json;

	DeadLetters(Path handlerDirectory, EventJson json) {
		this.directory = handlerDirectory.resolve(FOLDER);
		this.json = json;
	}

	/** Keeps an event the handler refused for good. */
	Path keepEvent(long seq, Event event) {
		createDirectory();
		Path file = unique(String.format(Locale.ROOT, "%019d-%s", seq, event.getUid()), ".json");
		this.json.write(event, file, true);
		return file;
	}

	/** Keeps a damaged log record. */
	Path keepUnreadable(String segment, long offset, byte[] bytes) throws IOException {
		Files.createDirectories(this.directory);
		Path file = unique(segment + "-" + offset, ".damaged");
		Files.write(file, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
		return file;
	}

	/** Moves a file that cannot be read (an old-format event, a segment of another format) aside. */
	Path keepFile(Path file) throws IOException {
		Files.createDirectories(this.directory);
		String name = file.getFileName().toString();
		for (int i = 1;; i++) {
			Path target = this.directory.resolve((i == 1) ? name : name + "." + i);
			try {
				Files.move(file, target);
				return target;
			}
			catch (FileAlreadyExistsException ex) {
				// an older one of the same name: keep both
			}
			catch (NoSuchFileException ex) {
				return target;
			}
		}
	}

	private Path unique(String base, String suffix) {
		Path file = this.directory.resolve(base + suffix);
		for (int i = 2; Files.exists(file); i++) {
			file = this.directory.resolve(base + "-" + i + suffix);
		}
		return file;
	}

	private void createDirectory() {
		try {
			Files.createDirectories(this.directory);
		}
		catch (IOException ex) {
			throw new EventError("Cannot create the dead-letter folder '" + this.directory + "': " + ex, ex);
		}
	}

}
