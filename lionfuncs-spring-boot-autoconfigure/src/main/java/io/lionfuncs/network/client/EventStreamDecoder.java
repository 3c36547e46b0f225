package io.lionfuncs.network.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

/**
 * Cuts the bytes of a streamed body into {@link ServerSentEvent}s as they arrive, chunk
 * by chunk, whatever the chunk boundaries: lines end with {@code LF}, {@code CR LF} or
 * {@code CR}, and are decoded as UTF-8 only once whole. The framing follows the content
 * type ({@link Framing#of}): server-sent events as the HTML standard parses them (fields,
 * comments, a leading byte-order mark, an event dispatched at each blank line and, unlike
 * the standard, also at the end of the body), one JSON document per line, or the whole
 * body as one event. An event larger than {@link #MAX_EVENT_BYTES} fails the stream
 * rather than growing without bound.
 * <p>
 * Not thread-safe: one decoder per stream, fed in order.
 */
final class EventStreamDecoder {

	/** The largest event (its data lines, or one JSON line) accepted, in bytes. */
	static final int MAX_EVENT_BYTES = 4 * 1024 * 1024;

	private static final byte CR = '\r';

	private static final byte LF = '\n';

	private static final byte[] BYTE_ORDER_MARK = { (byte) 0xEF, (byte) 0xBB, (byte) 0xBF };

	private final Framing framing;

	private byte[] line = new byte[256];

	private int lineLength;

	private boolean afterCr;

	private boolean atStart = true;

	// The event being read (server-sent events).

	private @Nullable String eventType;

	private @Nullable String eventId;

	private final StringBuilder data = new StringBuilder();

	private boolean hasData;

	EventStreamDecoder(Framing framing) {
		this.framing = framing;
	}

	/**
	 * A decoder for a body of the given content type.
	 * @param contentType the response's {@code Content-Type}, or {@code null}
	 * @return the decoder
	 */
	static EventStreamDecoder forContentType(@Nullable String contentType) {
		return new EventStreamDecoder(Framing.of(contentType));
	}

	Framing framing() {
		return this.framing;
	}

	/**
	 * Reads the next chunk of the body.
	 * @param chunk the bytes
	 * @return the events the chunk completed, often none or one
	 * @throws EventTooLargeException for an event larger than {@link #MAX_EVENT_BYTES}
	 */
	List<ServerSentEvent> decode(byte[] chunk) {
		List<ServerSentEvent> events = null;
		int start = 0;
		if (this.atStart) {
			start = skipByteOrderMark(chunk);
		}
		if (this.framing == Framing.WHOLE) {
			append(chunk, start, chunk.length);
			return List.of();
		}
		for (int i = start; i < chunk.length; i++) {
			byte current = chunk[i];
			if (current == LF && this.afterCr) {
				this.afterCr = false;
				start = i + 1;
				continue;
			}
			this.afterCr = current == CR;
			if (current == CR || current == LF) {
				append(chunk, start, i);
				ServerSentEvent event = endOfLine();
				if (event != null) {
					if (events == null) {
						events = new ArrayList<>(2);
					}
					events.add(event);
				}
				start = i + 1;
			}
		}
		append(chunk, start, chunk.length);
		return (events != null) ? events : List.of();
	}

	/**
	 * Reads the end of the body: the last line and event, even without the blank line
	 * that should end them.
	 * @return the events left, none or one
	 */
	List<ServerSentEvent> end() {
		ServerSentEvent last = null;
		if (this.framing == Framing.WHOLE) {
			String text = takeLine();
			last = text.isBlank() ? null : ServerSentEvent.of(text);
		}
		else {
			if (this.lineLength > 0) {
				last = endOfLine();
			}
			if (last == null && this.framing == Framing.EVENT_STREAM) {
				last = dispatch();
			}
		}
		return (last != null) ? List.of(last) : List.of();
	}

	private int skipByteOrderMark(byte[] chunk) {
		// A mark split over chunks is not looked for: servers send it, if at all, whole.
		if (chunk.length == 0) {
			return 0;
		}
		this.atStart = false;
		if (chunk.length >= BYTE_ORDER_MARK.length
				&& Arrays.equals(chunk, 0, BYTE_ORDER_MARK.length, BYTE_ORDER_MARK, 0, BYTE_ORDER_MARK.length)) {
			return BYTE_ORDER_MARK.length;
		}
		return 0;
	}

	private void append(byte[] chunk, int from, int to) {
		int length = to - from;
		if (length <= 0) {
			return;
		}
		int needed = this.lineLength + length;
		if (needed > MAX_EVENT_BYTES || this.data.length() + needed > MAX_EVENT_BYTES) {
			throw new EventTooLargeException();
		}
		if (needed > this.line.length) {
			this.line = Arrays.copyOf(this.line, Math.max(needed, Math.min(this.line.length * 2, MAX_EVENT_BYTES)));
		}
		System.arraycopy(chunk, from, this.line, this.lineLength, length);
		this.lineLength = needed;
	}

	private String takeLine() {
		String text = new String(this.line, 0, this.lineLength, StandardCharsets.UTF_8);
		this.lineLength = 0;
		return text;
	}

	private @Nullable ServerSentEvent endOfLine() {
		if (this.framing == Framing.JSON_LINES) {
			String text = takeLine();
			return text.isBlank() ? null : ServerSentEvent.of(text);
		}
		if (this.lineLength == 0) {
			return dispatch();
		}
		if (this.line[0] == ':') {
			// A comment, such as a keep-alive.
			this.lineLength = 0;
			return null;
		}
		field(takeLine());
		return null;
	}

	private void field(String text) {
		int colon = text.indexOf(':');
		String name = (colon >= 0) ? text.substring(0, colon) : text;
		String value = "";
		if (colon >= 0) {
			int from = colon + 1;
			if (from < text.length() && text.charAt(from) == ' ') {
				from++;
			}
			value = text.substring(from);
		}
		switch (name) {
			case "data" -> {
				if (this.hasData) {
					this.data.append('\n');
				}
				this.data.append(value);
				this.hasData = true;
			}
			case "event" -> this.eventType = value;
			case "id" -> {
				if (value.indexOf('\0') < 0) {
					this.eventId = value;
				}
			}
			default -> {
				// retry and unknown fields are ignored, as the standard says
			}
		}
	}

	private @Nullable ServerSentEvent dispatch() {
		ServerSentEvent event = null;
		if (this.hasData) {
			String type = (this.eventType == null || this.eventType.isEmpty()) ? null : this.eventType;
			event = new ServerSentEvent(type, this.eventId, this.data.toString());
		}
		this.eventType = null;
		this.eventId = null;
		this.data.setLength(0);
		this.hasData = false;
		return event;
	}

	/**
	 * The stream sent an event larger than {@link #MAX_EVENT_BYTES}.
	 */
	static final class EventTooLargeException extends IllegalStateException {

		EventTooLargeException() {
			super("the stream sent an event larger than " + MAX_EVENT_BYTES + " bytes");
		}

	}

	/**
	 * How a streamed body is cut into events.
	 */
	enum Framing {

		/** Server-sent events ({@code text/event-stream}); also what an unknown type is read as. */
		EVENT_STREAM,

		/** One JSON document per line ({@code application/x-ndjson}, JSON Lines). */
		JSON_LINES,

		/** The whole body as one event ({@code application/json}): a server that did not stream. */
		WHOLE;

		static Framing of(@Nullable String contentType) {
			if (contentType == null) {
				return EVENT_STREAM;
			}
			String type = contentType.toLowerCase(Locale.ROOT);
			int parameters = type.indexOf(';');
			type = ((parameters >= 0) ? type.substring(0, parameters) : type).trim();
			return switch (type) {
				case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines",
						"application/jsonlines", "application/stream+json" ->
					JSON_LINES;
				case "application/json" -> WHOLE;
				default -> type.endsWith("+json") ? WHOLE : EVENT_STREAM;
			};
		}

	}

}
