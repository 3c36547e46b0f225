package io.lionfuncs.network.intercept;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Reads a response body as it passes to its consumer, without holding it back: a stream
 * (server-sent events, or newline-delimited JSON) is split into events for
 * {@link StreamUsage}; any other body is kept, up to a bound, for the executor's usage
 * extractor.
 * <p>
 * Not thread-safe: fed by the one thread reading the body at a time.
 */
final class ResponseTap {

	/** The most of a whole body kept for its usage; a larger body's usage is unknown. */
	static final int MAX_KEPT_BYTES = 4 * 1024 * 1024;

	/** The longest line of a stream that is read; longer lines are skipped. */
	private static final int MAX_LINE_BYTES = 1024 * 1024;

	private final Kind kind;

	private final StreamUsage usage = new StreamUsage();

	private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

	private boolean lineTooLong;

	private boolean lastWasCarriageReturn;

	private @Nullable String eventType;

	private @Nullable StringBuilder eventData;

	private @Nullable ByteArrayOutputStream kept;

	private long bytes;

	ResponseTap(@Nullable String contentType) {
		this.kind = Kind.of(contentType);
		this.kept = (this.kind == Kind.WHOLE) ? new ByteArrayOutputStream(1024) : null;
	}

	/**
	 * Whether the body is a stream of events, read as it arrives rather than whole.
	 */
	boolean isStream() {
		return this.kind != Kind.WHOLE;
	}

	long bytes() {
		return this.bytes;
	}

	void accept(byte[] buffer, int offset, int length) {
		this.bytes += length;
		if (this.kind == Kind.WHOLE) {
			keep(buffer, offset, length);
			return;
		}
		for (int i = offset; i < offset + length; i++) {
			accept(buffer[i]);
		}
	}

	void accept(ByteBuffer buffer) {
		ByteBuffer view = buffer.duplicate();
		int length = view.remaining();
		if (view.hasArray()) {
			accept(view.array(), view.arrayOffset() + view.position(), length);
			return;
		}
		byte[] copy = new byte[length];
		view.get(copy);
		accept(copy, 0, length);
	}

	/**
	 * An event parsed by the client itself (LangChain4j hands them over parsed).
	 */
	void acceptEvent(@Nullable String type, String data) {
		this.usage.accept(type, data);
	}

	private void keep(byte[] buffer, int offset, int length) {
		ByteArrayOutputStream current = this.kept;
		if (current == null) {
			return;
		}
		if (current.size() + (long) length > MAX_KEPT_BYTES) {
			this.kept = null;
			return;
		}
		current.write(buffer, offset, length);
	}

	private void accept(byte value) {
		if (value == '\n' || value == '\r') {
			boolean crlf = value == '\n' && this.lastWasCarriageReturn;
			this.lastWasCarriageReturn = value == '\r';
			if (!crlf) {
				endLine();
			}
			return;
		}
		this.lastWasCarriageReturn = false;
		if (this.line.size() >= MAX_LINE_BYTES) {
			this.lineTooLong = true;
			return;
		}
		this.line.write(value);
	}

	private void endLine() {
		String text = this.lineTooLong ? null : this.line.toString(StandardCharsets.UTF_8);
		this.line.reset();
		this.lineTooLong = false;
		if (this.kind == Kind.NDJSON) {
			if (text != null && !text.isBlank()) {
				this.usage.accept(null, text);
			}
			return;
		}
		if (text == null) {
			return;
		}
		if (text.isEmpty()) {
			dispatch();
			return;
		}
		if (text.startsWith(":")) {
			return;
		}
		int colon = text.indexOf(':');
		String field = (colon >= 0) ? text.substring(0, colon) : text;
		String value = (colon >= 0) ? text.substring(colon + 1) : "";
		if (value.startsWith(" ")) {
			value = value.substring(1);
		}
		if (field.equals("event")) {
			this.eventType = value;
		}
		else if (field.equals("data")) {
			if (this.eventData == null) {
				this.eventData = new StringBuilder(value);
			}
			else {
				this.eventData.append('\n').append(value);
			}
		}
	}

	private void dispatch() {
		StringBuilder data = this.eventData;
		if (data != null) {
			this.usage.accept(this.eventType, data.toString());
		}
		this.eventType = null;
		this.eventData = null;
	}

	/**
	 * The body ended: an event not yet closed by a blank line still counts.
	 */
	void end() {
		if (this.kind != Kind.WHOLE) {
			if (this.line.size() > 0) {
				endLine();
			}
			dispatch();
		}
	}

	/**
	 * The usage a stream reported.
	 * @return the tokens, or {@code null} when unknown or the body is not a stream
	 */
	@Nullable Long streamUsage() {
		return this.usage.used();
	}

	/**
	 * Whether a stream said it is complete.
	 */
	boolean streamFinished() {
		return this.usage.finished();
	}

	/**
	 * The whole body, when it was kept.
	 * @return the bytes, or {@code null} for a stream or a body over the bound
	 */
	byte @Nullable [] keptBody() {
		ByteArrayOutputStream current = this.kept;
		return (current != null) ? current.toByteArray() : null;
	}

	private enum Kind {

		WHOLE, SERVER_SENT_EVENTS, NDJSON;

		static Kind of(@Nullable String contentType) {
			if (contentType == null) {
				return WHOLE;
			}
			String type = contentType.toLowerCase(Locale.ROOT);
			if (type.startsWith("text/event-stream")) {
				return SERVER_SENT_EVENTS;
			}
			if (type.startsWith("application/x-ndjson") || type.startsWith("application/ndjson")
					|| type.startsWith("application/jsonl") || type.startsWith("application/stream+json")) {
				return NDJSON;
			}
			return WHOLE;
		}

	}

}
