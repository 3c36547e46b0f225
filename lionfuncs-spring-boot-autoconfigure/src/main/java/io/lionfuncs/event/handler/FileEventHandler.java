package io.lionfuncs.event.handler;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import io.lionfuncs.event.Attachment;
import io.lionfuncs.event.Event;
import io.lionfuncs.event.EventDeliveryException;
import io.lionfuncs.event.EventHandler;
import io.lionfuncs.event.EventJson;
import io.lionfuncs.event.UndeliverableEventException;

/**
 * Writes each event to a directory, as e3's {@code FileHandler} does: the data as
 * indented JSON with sorted keys (Python's {@code json.dump(data, indent=2,
 * sort_keys=True)}) in a file of its own, {@code <dir>/<name>-<uid>-<unique>.json}, so
 * that the events of one uid (a begin and an end event, a retry) never overwrite each
 * other, and the attachments copied into {@code <dir>/<name>-<uid>/<attachment name>}.
 * <p>
 * Unlike e3's handler, it never writes outside its directory: an event whose name or
 * attachment names could escape it (separators, {@code ..}, absolute paths, NUL or other
 * control characters, see {@link Attachment#isSafeName}) is refused whole with an
 * {@link UndeliverableEventException} before anything is written, and files are never
 * written through a symbolic link. An attachment whose source is gone also makes the
 * event undeliverable.
 * <p>
 * Configuration string: the directory.
 */
public final class FileEventHandler implements EventHandler {

	/** The name of the handler and its factory. */
	public static final String NAME = "file";

	private final String name;

	private final Path directory;

	/**
	 * A handler named {@value #NAME}.
	 * @param directory the directory, created when needed
	 */
	public FileEventHandler(Path directory) {
		this(NAME, directory);
	}

	/**
	 * A handler.
	 * @param name the handler's name
	 * @param directory the directory, created when needed; its path must not contain
	 * {@code |}
	 */
	public FileEventHandler(String name, Path directory) {
		this.name = Objects.requireNonNull(name, "name");
		this.directory = directory.toAbsolutePath().normalize();
		if (this.directory.toString().indexOf('|') >= 0) {
			throw new IllegalArgumentException("The directory of a file event handler must not contain '|'");
		}
	}

	/**
	 * Creates a handler from its configuration string.
	 * @param config the directory
	 * @return the handler
	 */
	public static FileEventHandler fromConfig(String config) {
		return fromConfig(NAME, config);
	}

	static FileEventHandler fromConfig(String name, String config) {
		if (config.isBlank()) {
			throw new IllegalArgumentException("A file event handler needs a directory");
		}
		if (config.indexOf('\0') >= 0) {
			throw new IllegalArgumentException("The directory must not contain NUL");
		}
		return new FileEventHandler(name, Path.of(config));
	}

	@Override
	public String getName() {
		return this.name;
	}

	public Path getDirectory() {
		return this.directory;
	}

	@Override
	public boolean sendEvent(Event event) {
		String prefix = event.getName() + "-" + event.getUid();
		if (!Attachment.isSafeName(prefix)) {
			throw new UndeliverableEventException("The name of " + event + " cannot be used as a file name in "
					+ this.directory + "; nothing written");
		}
		Map<String, Path> sources = checkedAttachments(event);
		String json = EventJson.defaults().dataToJson(event, true);
		try {
			Files.createDirectories(this.directory);
			Path base = this.directory.toRealPath();
			// as e3 does, the attachment folder exists for every event, attachments or not
			Path attachmentDirectory = inside(base, prefix);
			Files.createDirectories(attachmentDirectory);
			if (!attachmentDirectory.toRealPath().getParent().equals(base)) {
				throw new EventDeliveryException(attachmentDirectory + " leads outside " + base + "; not written");
			}
			writeNew(inside(base, prefix + "-" + UUID.randomUUID() + ".json"), json);
			for (Map.Entry<String, Path> source : sources.entrySet()) {
				// REPLACE_EXISTING removes a link planted at the target instead of following it
				Files.copy(source.getValue(), inside(attachmentDirectory, source.getKey()),
						StandardCopyOption.REPLACE_EXISTING);
			}
		}
		catch (IOException ex) {
			throw new EventDeliveryException("Cannot write " + event + " to " + this.directory + ": " + ex, ex);
		}
		return true;
	}

	/**
	 * Checks every attachment before anything is written: a safe name and a source that
	 * is a regular file.
	 */
	private Map<String, Path> checkedAttachments(Event event) {
		Map<String, Path> sources = new LinkedHashMap<>();
		for (Map.Entry<String, Attachment> attachment : event.getAttachments().entrySet()) {
			String attachmentName = attachment.getKey();
			if (!Attachment.isSafeName(attachmentName)) {
				throw new UndeliverableEventException("Attachment name '" + printable(attachmentName) + "' of " + event
						+ " would escape " + this.directory + "; nothing written");
			}
			Path source;
			try {
				source = Path.of(attachment.getValue().path());
			}
			catch (InvalidPathException ex) {
				source = null;
			}
			if (source == null || !Files.isRegularFile(source)) {
				throw new UndeliverableEventException("Attachment '" + printable(attachmentName) + "' of " + event
						+ " is not a readable file; nothing written");
			}
			sources.put(attachmentName, source);
		}
		return sources;
	}

	/** Resolves a checked name, verifying once more that it stays a direct child. */
	private static Path inside(Path parent, String fileName) {
		Path resolved = parent.resolve(fileName).normalize();
		if (!parent.equals(resolved.getParent())) {
			throw new UndeliverableEventException("'" + printable(fileName) + "' escapes " + parent);
		}
		return resolved;
	}

	/** Writes a file that must not exist yet, so that nothing planted there is followed. */
	private static void writeNew(Path file, String content) throws IOException {
		try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
				LinkOption.NOFOLLOW_LINKS)) {
			out.write(content.getBytes(StandardCharsets.UTF_8));
		}
	}

	private static String printable(String text) {
		StringBuilder result = new StringBuilder();
		text.codePoints()
			.limit(80)
			.forEach((c) -> result.append(Character.isISOControl(c) ? String.format("\\u%04x", c) : Character.toString(c)));
		return result.toString();
	}

	/**
	 * {@inheritDoc}
	 * @return the directory
	 */
	@Override
	public String encodeConfig() {
		return this.directory.toString();
	}

	@Override
	public String toString() {
		return "FileEventHandler[name=" + this.name + ", directory=" + this.directory + "]";
	}

}
