package io.lionfuncs.event;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

import org.jspecify.annotations.Nullable;

/**
 * Something that happened, for notifying external services, after e3's {@code Event}:
 * a name, a unique {@code uid}, a begin and an end time, any number of data entries and
 * file attachments.
 * <p>
 * Data values are stored in the plain JSON model (strings, numbers, booleans,
 * {@code null}, maps and lists; other objects are converted on the way in), so that
 * {@link #asMap()} is what a JSON file holds and {@code dump → load → asMap} gives the
 * same map back. {@link #close()} stamps {@code end_time}; from then on the event is
 * read-only and changing it throws {@link EventError}. Use it with try-with-resources
 * to close it when the work it describes is done. {@link #dump(Path)} and
 * {@link #load(Path)} use e3's JSON layout, so an event written by e3-core loads here
 * and the other way round.
 * <p>
 * Instances are thread-safe.
 */
public final class Event implements AutoCloseable {

	/** The data key of the unique id. */
	public static final String UID = "uid";

	/** The data key of the name. */
	public static final String NAME = "name";

	/** The data key of the creation time. */
	public static final String BEGIN_TIME = "begin_time";

	/** The data key of the closing time. */
	public static final String END_TIME = "end_time";

	/** The default name of an attachment, as in e3. */
	public static final String DEFAULT_ATTACHMENT_NAME = "log";

	private static final Set<String> MANAGED_KEYS = Set.of(UID, NAME, BEGIN_TIME, END_TIME);

	private static final Pattern UID_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

	private static final EventFormatter DATE_FORMATTER = Event::formatDate;

	private final String uid;

	private final String name;

	private final Clock clock;

	private final boolean readOnly;

	// The fields below are guarded by this event's monitor.

	private final Map<String, @Nullable Object> data;

	private final Map<String, Attachment> attachments;

	private final Map<String, EventFormatter> formatters;

	private boolean closed;

	/**
	 * Creates an event with a random uid.
	 * @param name the name, for example {@code "build"}
	 */
	public Event(String name) {
		this(builder(name));
	}

	/**
	 * Creates an event.
	 * @param name the name
	 * @param uid the unique id, or {@code null} for a random one
	 */
	public Event(String name, @Nullable String uid) {
		this(builder(name).uid(uid));
	}

	/**
	 * Creates an event with data entries.
	 * @param name the name
	 * @param uid the unique id, or {@code null} for a random one
	 * @param data the initial data entries
	 */
	public Event(String name, @Nullable String uid, Map<String, ?> data) {
		this(builder(name).uid(uid).putAll(data));
	}

	private Event(Builder builder) {
		this.name = builder.name;
		this.uid = (builder.uid != null) ? builder.uid : UUID.randomUUID().toString();
		this.clock = builder.clock;
		this.readOnly = false;
		this.data = new LinkedHashMap<>();
		this.data.put(UID, this.uid);
		this.data.put(NAME, this.name);
		this.data.put(BEGIN_TIME, (builder.beginTime != null) ? builder.beginTime : this.clock.instant());
		this.data.put(END_TIME, null);
		this.data.putAll(builder.data);
		this.attachments = new LinkedHashMap<>();
		this.formatters = new LinkedHashMap<>();
		this.formatters.put(BEGIN_TIME, DATE_FORMATTER);
		this.formatters.put(END_TIME, DATE_FORMATTER);
	}

	/** A read-only copy, sharing the (immutable) values and the formatters. */
	private Event(Event source) {
		this.name = source.name;
		this.uid = source.uid;
		this.clock = source.clock;
		this.readOnly = true;
		this.data = new LinkedHashMap<>(source.data);
		this.attachments = new LinkedHashMap<>(source.attachments);
		this.formatters = new LinkedHashMap<>(source.formatters);
		this.closed = source.closed;
	}

	/** An event read from JSON; the values are already in the JSON model. */
	private Event(String uid, String name, Map<String, @Nullable Object> data, Map<String, Attachment> attachments,
			boolean closed) {
		this.uid = uid;
		this.name = name;
		this.clock = Clock.systemUTC();
		this.readOnly = false;
		this.data = new LinkedHashMap<>(data);
		this.attachments = new LinkedHashMap<>(attachments);
		this.formatters = new LinkedHashMap<>();
		this.formatters.put(BEGIN_TIME, DATE_FORMATTER);
		this.formatters.put(END_TIME, DATE_FORMATTER);
		this.closed = closed;
	}

	/**
	 * Starts building an event.
	 * @param name the name
	 * @return a builder
	 */
	public static Builder builder(String name) {
		return new Builder(name);
	}

	static Event restore(String uid, String name, Map<String, @Nullable Object> data,
			Map<String, Attachment> attachments, boolean closed) {
		return new Event(uid, name, data, attachments, closed);
	}

	/**
	 * Whether a text may be used as an event uid: 1 to 128 letters, digits, {@code .},
	 * {@code _} or {@code -}, starting with a letter or digit. A uid becomes part of file
	 * names, so it must not be able to name another directory.
	 * @param uid the proposed uid
	 * @return whether it is valid
	 */
	public static boolean isValidUid(String uid) {
		return UID_PATTERN.matcher(uid).matches();
	}

	// ---------------------------------------------------------------- identity

	public String getUid() {
		return this.uid;
	}

	public String getName() {
		return this.name;
	}

	/**
	 * When the event was created.
	 * @return the time, or {@code null} for a loaded event whose {@code begin_time} is
	 * not a time
	 */
	public @Nullable Instant getBeginTime() {
		return time(BEGIN_TIME);
	}

	/**
	 * When the event was closed.
	 * @return the time, or {@code null} while the event is open
	 */
	public @Nullable Instant getEndTime() {
		return time(END_TIME);
	}

	private synchronized @Nullable Instant time(String key) {
		Object value = this.data.get(key);
		if (value instanceof Instant instant) {
			return instant;
		}
		return (value instanceof String text) ? EventTimes.parse(text) : null;
	}

	public synchronized boolean isClosed() {
		return this.closed;
	}

	boolean isReadOnly() {
		return this.readOnly;
	}

	// ---------------------------------------------------------------- data

	/**
	 * Sets a data entry. The value is converted to the JSON model (see the class
	 * description).
	 * @param key the key; not one of {@code uid}, {@code name}, {@code begin_time},
	 * {@code end_time}, which the event manages
	 * @param value the value
	 * @return this event
	 * @throws EventError if the event is closed
	 * @throws IllegalArgumentException if the key is managed by the event or the value
	 * cannot be represented in JSON
	 */
	public Event set(String key, @Nullable Object value) {
		checkSettable(key);
		Object normalized = JsonValues.normalize(value);
		synchronized (this) {
			checkWritable();
			this.data.put(key, normalized);
		}
		return this;
	}

	/**
	 * Sets several data entries, as {@link #set} does for each.
	 * @param entries the entries
	 * @return this event
	 */
	public Event putAll(Map<String, ?> entries) {
		Map<String, @Nullable Object> normalized = normalizedEntries(entries);
		synchronized (this) {
			checkWritable();
			this.data.putAll(normalized);
		}
		return this;
	}

	/**
	 * A data entry as stored ({@code begin_time} and {@code end_time} as {@link Instant}
	 * on an event created here, as text on a loaded one).
	 * @param key the key
	 * @return the value, or {@code null}
	 */
	public synchronized @Nullable Object get(String key) {
		return this.data.get(key);
	}

	/**
	 * The data entries as stored, in insertion order, without formatting.
	 * @return an unmodifiable copy
	 */
	public synchronized Map<String, @Nullable Object> getData() {
		return Collections.unmodifiableMap(new LinkedHashMap<>(this.data));
	}

	/**
	 * Sets the formatter of a key, used by {@link #asMap()} (e3's
	 * {@code set_formatter}). Formatters are not saved by {@link #dump}: a dump holds
	 * their output.
	 * @param key the data key
	 * @param formatter the formatter
	 */
	public synchronized void setFormatter(String key, EventFormatter formatter) {
		Objects.requireNonNull(formatter, "formatter");
		if (this.readOnly) {
			throw readOnlyError();
		}
		this.formatters.put(key, formatter);
	}

	/**
	 * The JSON-ready view of the data (e3's {@code as_dict}): every entry, through its
	 * formatter when it has one; times as {@code YYYY-MM-DDTHH:MM:SS} in UTC.
	 * @return an unmodifiable, insertion-ordered map
	 */
	public synchronized Map<String, @Nullable Object> asMap() {
		Map<String, @Nullable Object> result = new LinkedHashMap<>(this.data.size() * 2);
		this.data.forEach((key, value) -> {
			EventFormatter formatter = this.formatters.get(key);
			if (formatter == null) {
				result.put(key, value);
			}
			else {
				formatter.format(key, value).forEach((formattedKey, formattedValue) -> result.put(formattedKey,
						JsonValues.normalize(formattedValue)));
			}
		});
		return Collections.unmodifiableMap(result);
	}

	// ---------------------------------------------------------------- attachments

	/**
	 * Attaches a file under the name {@code log}.
	 * @param path the file
	 * @throws EventError if the event is closed or the file cannot be read
	 */
	public void attachFile(Path path) {
		attachFile(path, DEFAULT_ATTACHMENT_NAME);
	}

	/**
	 * Attaches a file, recording its absolute path and the SHA-1 of its content. A later
	 * attachment of the same name replaces the earlier one.
	 * @param path the file
	 * @param name the attachment's name, a plain file name (see
	 * {@link Attachment#isSafeName})
	 * @throws EventError if the event is closed or the file cannot be read
	 * @throws IllegalArgumentException if the name could escape a directory
	 */
	public void attachFile(Path path, String name) {
		if (!Attachment.isSafeName(name)) {
			throw new IllegalArgumentException("Attachment name must be a plain file name (no separators, '..', "
					+ "':' or control characters), got '" + printable(name) + "'");
		}
		synchronized (this) {
			checkWritable();
		}
		Path absolute = path.toAbsolutePath().normalize();
		Attachment attachment = new Attachment(absolute.toString(), sha1(absolute));
		synchronized (this) {
			checkWritable();
			this.attachments.put(name, attachment);
		}
	}

	/**
	 * The attachments by name.
	 * @return an unmodifiable, insertion-ordered copy
	 */
	public synchronized Map<String, Attachment> getAttachments() {
		return Collections.unmodifiableMap(new LinkedHashMap<>(this.attachments));
	}

	// ---------------------------------------------------------------- lifecycle

	/**
	 * Closes the event: stamps {@code end_time} the first time; afterwards the event is
	 * read-only. Calling it again does nothing.
	 */
	@Override
	public synchronized void close() {
		if (!this.closed && !this.readOnly) {
			this.data.put(END_TIME, this.clock.instant());
			this.closed = true;
		}
	}

	/**
	 * Writes the event to {@code <uid>-<unique>.json} in a directory (created if
	 * needed), in e3's layout.
	 * @param directory the directory
	 * @return the file written
	 * @throws EventError if it cannot be written
	 */
	public Path dump(Path directory) {
		return EventJson.defaults().dump(this, directory);
	}

	/**
	 * Reads an event written by {@link #dump} or by e3-core, with the default limits of
	 * {@link EventJson}.
	 * @param file the JSON file
	 * @return the event
	 * @throws InvalidEventFileException if the file cannot be read or is not an event
	 */
	public static Event load(Path file) {
		return EventJson.defaults().read(file);
	}

	/**
	 * A read-only copy for handlers: the same uid, data, attachments and formatters,
	 * frozen, so that the caller may go on changing the original.
	 */
	synchronized Event snapshot() {
		return this.readOnly ? this : new Event(this);
	}

	@Override
	public String toString() {
		return "Event[name=" + this.name + ", uid=" + this.uid + ", closed=" + isClosed() + "]";
	}

	// ---------------------------------------------------------------- helpers

	private void checkWritable() {
		if (this.readOnly) {
			throw readOnlyError();
		}
		if (this.closed) {
			throw new EventError("event " + this.name + " (" + this.uid + ") closed");
		}
	}

	private EventError readOnlyError() {
		return new EventError("event " + this.name + " (" + this.uid + ") is a read-only copy");
	}

	private static void checkSettable(String key) {
		Objects.requireNonNull(key, "key");
		if (key.isEmpty()) {
			throw new IllegalArgumentException("A data key must not be empty");
		}
		if (MANAGED_KEYS.contains(key)) {
			throw new IllegalArgumentException("'" + key + "' is managed by the event and cannot be set");
		}
	}

	private static Map<String, @Nullable Object> normalizedEntries(Map<String, ?> entries) {
		Map<String, @Nullable Object> normalized = new LinkedHashMap<>(entries.size() * 2);
		entries.forEach((key, value) -> {
			checkSettable(key);
			normalized.put(key, JsonValues.normalize(value));
		});
		return normalized;
	}

	private static Map<String, @Nullable Object> formatDate(String key, @Nullable Object value) {
		return Collections.singletonMap(key, (value instanceof Instant instant) ? EventTimes.format(instant) : value);
	}

	private static String sha1(Path file) {
		MessageDigest digest;
		try {
			digest = MessageDigest.getInstance("SHA-1");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-1 is not available", ex);
		}
		byte[] buffer = new byte[8192];
		try (InputStream in = Files.newInputStream(file)) {
			int read;
			while ((read = in.read(buffer)) >= 0) {
				digest.update(buffer, 0, read);
			}
		}
		catch (IOException ex) {
			throw new EventError("Cannot attach '" + file + "': " + ex, ex);
		}
		return HexFormat.of().formatHex(digest.digest());
	}

	static String printable(String text) {
		StringBuilder result = new StringBuilder(Math.min(text.length(), 80));
		for (int i = 0; i < text.length() && i < 80; i++) {
			char c = text.charAt(i);
			result.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
		}
		return (text.length() > 80) ? result + "..." : result.toString();
	}

	/**
	 * Builds an {@link Event}, for callers that set the uid, the begin time or the clock
	 * that stamps {@code end_time}.
	 */
	public static final class Builder {

		private final String name;

		private @Nullable String uid;

		private @Nullable Instant beginTime;

		private Clock clock = Clock.systemUTC();

		private final Map<String, @Nullable Object> data = new LinkedHashMap<>();

		private Builder(String name) {
			Objects.requireNonNull(name, "name");
			if (name.isEmpty()) {
				throw new IllegalArgumentException("An event name must not be empty");
			}
			this.name = name;
		}

		/**
		 * Sets the uid.
		 * @param uid the uid (see {@link Event#isValidUid}), or {@code null} for a random
		 * one
		 * @return this builder
		 */
		public Builder uid(@Nullable String uid) {
			if (uid != null && !isValidUid(uid)) {
				throw new IllegalArgumentException("An event uid must be 1 to 128 letters, digits, '.', '_' or '-', "
						+ "starting with a letter or digit; got '" + printable(uid) + "'");
			}
			this.uid = uid;
			return this;
		}

		/**
		 * Sets the creation time.
		 * @param beginTime the time, or {@code null} for the clock's current time
		 * @return this builder
		 */
		public Builder beginTime(@Nullable Instant beginTime) {
			this.beginTime = beginTime;
			return this;
		}

		/**
		 * Sets the clock that stamps the begin time (unless set) and {@code end_time}.
		 * @param clock the clock
		 * @return this builder
		 */
		public Builder clock(Clock clock) {
			this.clock = Objects.requireNonNull(clock, "clock");
			return this;
		}

		/**
		 * Adds a data entry.
		 * @param key the key
		 * @param value the value
		 * @return this builder
		 */
		public Builder put(String key, @Nullable Object value) {
			checkSettable(key);
			this.data.put(key, JsonValues.normalize(value));
			return this;
		}

		/**
		 * Adds data entries.
		 * @param entries the entries
		 * @return this builder
		 */
		public Builder putAll(Map<String, ?> entries) {
			this.data.putAll(normalizedEntries(entries));
			return this;
		}

		/**
		 * Builds the event.
		 * @return a new, open event
		 */
		public Event build() {
			return new Event(this);
		}

	}

}
