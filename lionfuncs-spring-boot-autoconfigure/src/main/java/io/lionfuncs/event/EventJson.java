package io.lionfuncs.event;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.StreamWriteConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.core.util.DefaultIndenter;
import tools.jackson.core.util.DefaultPrettyPrinter;
import tools.jackson.core.util.Separators;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.ObjectWriter;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads and writes {@link Event events} in e3's JSON layout:
 * <pre class="code">
 * {"data": {"uid": "…", "name": "…", "begin_time": "2024-03-05T10:15:30", "end_time": …, …},
 *  "attachments": {"log": ["/path/to/file", "&lt;sha1&gt;"]},
 *  "closed": true}
 * </pre>
 * <p>
 * Reading is defensive, because event files may come from elsewhere (a spool directory,
 * another process): the file must be a regular file no larger than {@code maxBytes},
 * nested no deeper than {@code maxDepth}, with no duplicate keys and nothing after the
 * document; values are read into the plain JSON model only (no polymorphic typing, no
 * class names from input); {@code uid} must be a safe file-name part and attachments
 * must be {@code [path, sha1]} pairs. Every failure is an
 * {@link InvalidEventFileException} naming the file and the problem. Non-ASCII text is
 * written escaped, as Python's {@code json.dump} does, so e3 reads the files whatever
 * its locale.
 */
public final class EventJson {

	/** The default size limit of an event file: 10 MiB. */
	public static final long DEFAULT_MAX_BYTES = 10L * 1024 * 1024;

	/** The default nesting limit of an event document. */
	public static final int DEFAULT_MAX_DEPTH = 64;

	private static final long MAX_MAX_BYTES = 1L << 30;

	private static final EventJson DEFAULTS = new EventJson(DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH);

	private final long maxBytes;

	private final int maxDepth;

	private final JsonMapper mapper;

	private final ObjectWriter prettyWriter;

	private EventJson(long maxBytes, int maxDepth) {
		this.maxBytes = maxBytes;
		this.maxDepth = maxDepth;
		JsonFactory factory = JsonFactory.builder()
			.streamReadConstraints(StreamReadConstraints.builder()
				.maxNestingDepth(maxDepth)
				.maxDocumentLength(maxBytes)
				.maxStringLength((int) Math.min(maxBytes, Integer.MAX_VALUE))
				.build())
			.streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(maxDepth).build())
			.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
			.enable(JsonWriteFeature.ESCAPE_NON_ASCII)
			.disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
			.build();
		this.mapper = JsonMapper.builder(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
		this.prettyWriter = this.mapper.writer()
			.with(pythonIndented())
			.with(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
	}

	/**
	 * The layout of Python's {@code json.dump(data, indent=2)}: two spaces per level, a
	 * line per entry and element, {@code "key": value}, {@code {}} and {@code []} when
	 * empty.
	 */
	private static DefaultPrettyPrinter pythonIndented() {
		DefaultIndenter indenter = new DefaultIndenter("  ", "\n");
		Separators separators = Separators.createDefaultInstance()
			.withObjectNameValueSpacing(Separators.Spacing.AFTER)
			.withObjectEmptySeparator("")
			.withArrayEmptySeparator("");
		return new DefaultPrettyPrinter(separators).withObjectIndenter(indenter).withArrayIndenter(indenter);
	}

	/**
	 * The codec with the default limits ({@value #DEFAULT_MAX_BYTES} bytes,
	 * {@value #DEFAULT_MAX_DEPTH} levels).
	 * @return the default codec
	 */
	public static EventJson defaults() {
		return DEFAULTS;
	}

	/**
	 * A codec with other limits.
	 * @param maxBytes the largest file read or written, at most 1 GiB
	 * @param maxDepth the deepest nesting read or written, at least 4
	 * @return the codec
	 */
	public static EventJson withLimits(long maxBytes, int maxDepth) {
		if (maxBytes < 64 || maxBytes > MAX_MAX_BYTES) {
			throw new IllegalArgumentException("maxBytes must be between 64 and " + MAX_MAX_BYTES + ", got " + maxBytes);
		}
		if (maxDepth < 4) {
			throw new IllegalArgumentException("maxDepth must be at least 4, got " + maxDepth);
		}
		return new EventJson(maxBytes, maxDepth);
	}

	public long getMaxBytes() {
		return this.maxBytes;
	}

	public int getMaxDepth() {
		return this.maxDepth;
	}

	// ---------------------------------------------------------------- writing

	/**
	 * The event in e3's layout, as UTF-8 JSON.
	 * @param event the event
	 * @return the JSON document
	 * @throws EventError if the document would be larger or deeper than this codec reads
	 */
	public byte[] toJson(Event event) {
		Map<String, Attachment> attachments = event.getAttachments();
		boolean closed = event.isClosed();
		Map<String, @Nullable Object> document = new LinkedHashMap<>(4);
		document.put("data", event.asMap());
		Map<String, List<String>> attachmentPairs = new LinkedHashMap<>(attachments.size() * 2);
		attachments.forEach((name, attachment) -> attachmentPairs.put(name, List.of(attachment.path(), attachment.sha1())));
		document.put("attachments", attachmentPairs);
		document.put("closed", closed);
		byte[] json;
		try {
			json = this.mapper.writeValueAsBytes(document);
		}
		catch (JacksonException ex) {
			throw new EventError("Cannot write " + event + " as JSON: " + ex.getOriginalMessage(), ex);
		}
		if (json.length > this.maxBytes) {
			throw new EventError("Cannot write " + event + " as JSON: it takes " + json.length
					+ " bytes, more than the " + this.maxBytes + " an event file may hold");
		}
		return json;
	}

	/**
	 * The event's {@link Event#asMap() data view} as JSON text, as e3's logging and
	 * file handlers write it.
	 * @param event the event
	 * @param pretty whether to write it as e3's file handler does (Python's
	 * {@code json.dump(data, indent=2, sort_keys=True)}, byte for byte for text, whole
	 * numbers, booleans and nulls) rather than one compact line
	 * @return the JSON text
	 */
	public String dataToJson(Event event, boolean pretty) {
		try {
			return pretty ? this.prettyWriter.writeValueAsString(event.asMap())
					: this.mapper.writeValueAsString(event.asMap());
		}
		catch (JacksonException ex) {
			throw new EventError("Cannot write " + event + " as JSON: " + ex.getOriginalMessage(), ex);
		}
	}

	/**
	 * Writes the event to {@code <uid>-<unique>.json} in a directory (created if
	 * needed). The file appears complete or not at all.
	 * @param event the event
	 * @param directory the directory
	 * @return the file written
	 * @throws EventError if it cannot be written
	 */
	public Path dump(Event event, Path directory) {
		try {
			Files.createDirectories(directory);
		}
		catch (IOException ex) {
			throw new EventError("Cannot create directory '" + directory + "' for " + event + ": " + ex, ex);
		}
		Path file = directory.resolve(event.getUid() + "-" + UUID.randomUUID() + ".json");
		write(event, file, false);
		return file;
	}

	/**
	 * Writes the event to a file through a temporary sibling and an atomic rename, so
	 * that a reader never sees half a file.
	 * @param force whether to force the content to the storage device before the rename
	 */
	void write(Event event, Path file, boolean force) {
		byte[] json = toJson(event);
		Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
		try {
			// a stream rather than a FileChannel: an interrupt of the writing thread (a
			// shutdown cutting a handler call short) must not abort the write
			try (FileOutputStream out = new FileOutputStream(temporary.toFile())) {
				out.write(json);
				if (force) {
					out.getFD().sync();
				}
			}
			try {
				Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
			}
			catch (AtomicMoveNotSupportedException ex) {
				Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
			}
		}
		catch (IOException ex) {
			try {
				Files.deleteIfExists(temporary);
			}
			catch (IOException cleanup) {
				ex.addSuppressed(cleanup);
			}
			throw new EventError("Cannot write " + event + " to '" + file + "': " + ex, ex);
		}
	}

	// ---------------------------------------------------------------- reading

	/**
	 * Reads an event file.
	 * @param file the file
	 * @return the event
	 * @throws InvalidEventFileException if the file cannot be read or is not an event
	 */
	public Event read(Path file) {
		String source = file.toString();
		BasicFileAttributes attributes;
		try {
			attributes = Files.readAttributes(file, BasicFileAttributes.class);
		}
		catch (NoSuchFileException ex) {
			throw new InvalidEventFileException(source, "no such file", ex);
		}
		catch (IOException ex) {
			throw new InvalidEventFileException(source, "cannot be read: " + ex, ex);
		}
		if (!attributes.isRegularFile()) {
			throw new InvalidEventFileException(source, "not a regular file");
		}
		if (attributes.size() > this.maxBytes) {
			throw tooLarge(source, attributes.size());
		}
		byte[] json;
		// a stream rather than a channel, so that an interrupt does not abort the read
		try (InputStream in = new FileInputStream(file.toFile())) {
			json = in.readNBytes((int) this.maxBytes + 1);
		}
		catch (IOException ex) {
			throw new InvalidEventFileException(source, "cannot be read: " + ex, ex);
		}
		if (json.length > this.maxBytes) {
			throw tooLarge(source, json.length);
		}
		return read(json, source);
	}

	/**
	 * Reads an event from a JSON document.
	 * @param json the document, UTF-8
	 * @param source what to call the document in error messages
	 * @return the event
	 * @throws InvalidEventFileException if the document is not an event
	 */
	public Event read(byte[] json, String source) {
		if (json.length > this.maxBytes) {
			throw tooLarge(source, json.length);
		}
		if (json.length == 0) {
			throw new InvalidEventFileException(source, "the file is empty");
		}
		Object root;
		try {
			root = this.mapper.readValue(json, Object.class);
		}
		catch (JacksonException ex) {
			throw new InvalidEventFileException(source, "not valid JSON: " + describe(ex), ex);
		}
		if (!(root instanceof Map<?, ?> document)) {
			throw new InvalidEventFileException(source, "the top level must be a JSON object with \"data\", "
					+ "\"attachments\" and \"closed\"");
		}
		return toEvent(document, source);
	}

	private Event toEvent(Map<?, ?> document, String source) {
		if (!(document.get("data") instanceof Map<?, ?> rawData)) {
			throw new InvalidEventFileException(source, "\"data\" must be a JSON object");
		}
		Map<String, @Nullable Object> data;
		try {
			data = JsonValues.normalizeParsed(rawData);
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidEventFileException(source, "\"data\" holds an unusable value: " + ex.getMessage(), ex);
		}
		String uid = (data.get(Event.UID) instanceof String text) ? text : null;
		if (uid == null || !Event.isValidUid(uid)) {
			throw new InvalidEventFileException(source, "\"data.uid\" must be 1 to 128 letters, digits, '.', '_' "
					+ "or '-', starting with a letter or digit");
		}
		String name = (data.get(Event.NAME) instanceof String text) ? text : null;
		if (name == null || name.isEmpty()) {
			throw new InvalidEventFileException(source, "\"data.name\" must be a non-empty string");
		}
		for (String key : List.of(Event.BEGIN_TIME, Event.END_TIME)) {
			Object time = data.get(key);
			if (time != null && !(time instanceof String)) {
				throw new InvalidEventFileException(source, "\"data." + key + "\" must be a time text or null");
			}
		}
		Map<String, Attachment> attachments = attachments(document.get("attachments"), source);
		Object closed = document.get("closed");
		if (closed != null && !(closed instanceof Boolean)) {
			throw new InvalidEventFileException(source, "\"closed\" must be true or false");
		}
		return Event.restore(uid, name, data, attachments, Boolean.TRUE.equals(closed));
	}

	private static Map<String, Attachment> attachments(@Nullable Object value, String source) {
		if (value == null) {
			return Map.of();
		}
		if (!(value instanceof Map<?, ?> map)) {
			throw new InvalidEventFileException(source, "\"attachments\" must be a JSON object");
		}
		Map<String, Attachment> attachments = new LinkedHashMap<>(map.size() * 2);
		map.forEach((name, pair) -> {
			if (!(pair instanceof List<?> list) || list.size() != 2 || !(list.get(0) instanceof String path)
					|| !(list.get(1) instanceof String sha1)) {
				throw new InvalidEventFileException(source, "\"attachments." + Event.printable(name.toString())
						+ "\" must be a [path, sha1] pair of strings");
			}
			try {
				attachments.put(name.toString(), new Attachment(path, sha1));
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidEventFileException(source,
						"\"attachments." + Event.printable(name.toString()) + "\": " + ex.getMessage());
			}
		});
		return attachments;
	}

	private InvalidEventFileException tooLarge(String source, long size) {
		return new InvalidEventFileException(source,
				"it is " + size + " bytes, more than the " + this.maxBytes + " allowed");
	}

	private static String describe(JacksonException ex) {
		String message = ex.getOriginalMessage();
		if (ex.getLocation() != null && ex.getLocation().getLineNr() > 0) {
			message += " (line " + ex.getLocation().getLineNr() + ", column " + ex.getLocation().getColumnNr() + ")";
		}
		return message;
	}

}
