package io.lionfuncs.network.client;

import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * One event of a streamed response, as {@link AsyncApiClient#stream(ApiRequest)} reads
 * it. A {@code text/event-stream} body gives server-sent events: their {@code event} and
 * {@code id} fields and their {@code data} lines joined with {@code \n}. A
 * newline-delimited JSON body ({@code application/x-ndjson}, as Ollama streams) gives one
 * event per line, and a plain JSON body one event for the whole body; both carry only
 * {@code data}.
 *
 * @param event the event's type ({@code event:} field), or {@code null} when it has none
 * (the default type, {@code message})
 * @param id the event's {@code id:} field, or {@code null}
 * @param data the event's data
 */
public record ServerSentEvent(@Nullable String event, @Nullable String id, String data) {

	/** The data of OpenAI's last event, after which the stream holds nothing more. */
	public static final String DONE = "[DONE]";

	public ServerSentEvent {
		Objects.requireNonNull(data, "data must not be null");
	}

	/**
	 * An event with data only.
	 * @param data the data
	 * @return the event
	 */
	public static ServerSentEvent of(String data) {
		return new ServerSentEvent(null, null, data);
	}

	/**
	 * Whether this is OpenAI's end-of-stream marker, {@code data: [DONE]}.
	 * @return whether the data is {@value #DONE}
	 */
	public boolean isDone() {
		return DONE.equals(this.data);
	}

	/**
	 * Describes the event by its type and size: its data may hold anything the server
	 * sent.
	 */
	@Override
	public String toString() {
		return "ServerSentEvent[event=" + this.event + ", id=" + this.id + ", data=" + this.data.length() + " chars]";
	}

}
