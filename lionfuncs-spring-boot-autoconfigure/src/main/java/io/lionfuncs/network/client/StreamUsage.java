package io.lionfuncs.network.client;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The API tokens a streamed LLM answer used, read from the stream itself as it passes,
 * for the executor's true-up. It understands:
 * <ul>
 * <li>OpenAI's final chunk {@code {"usage": {"prompt_tokens", "completion_tokens",
 * "total_tokens"}}}, sent when the request asks for it with
 * {@code "stream_options": {"include_usage": true}} (see
 * {@link StreamSettings#includeUsage()}), and the {@code usage} of its Responses API's
 * {@code response.completed} event;</li>
 * <li>Anthropic's {@code message_start} ({@code message.usage.input_tokens} and
 * {@code output_tokens}) and {@code message_delta} events (their {@code usage}, whose
 * counts are cumulative), so that a stream broken midway still tells what it used so
 * far;</li>
 * <li>Ollama's final object ({@code prompt_eval_count} and {@code eval_count}).</li>
 * </ul>
 * The tokens used are the total when the provider gives one, else input plus output
 * tokens. A stream without usage leaves {@link #apiTokensUsed()} {@code null}, and the
 * call keeps its estimate.
 * <p>
 * Give it every event's data, or the raw bytes of the body ({@link #forContentType}).
 * Cheap for events without usage: only data that names a usage field is parsed. Not
 * thread-safe: one reader per stream, fed in order. Needs Jackson.
 */
public final class StreamUsage {

	private static final String USAGE = "\"usage\"";

	private static final String EVAL_COUNT = "\"eval_count\"";

	private static final String PROMPT_EVAL_COUNT = "\"prompt_eval_count\"";

	private final @Nullable EventStreamDecoder decoder;

	private @Nullable Long input;

	private @Nullable Long output;

	private @Nullable Long total;

	private boolean overflowed;

	/**
	 * A reader fed with events ({@link #accept(ServerSentEvent)}, {@link #accept(String)}).
	 */
	public StreamUsage() {
		this.decoder = null;
	}

	private StreamUsage(EventStreamDecoder decoder) {
		this.decoder = decoder;
	}

	/**
	 * A reader fed with the raw bytes of a streamed body ({@link #feed(byte[])}), cut into
	 * events as {@link AsyncApiClient} does: server-sent events, JSON lines, or one JSON
	 * body.
	 * @param contentType the response's {@code Content-Type}, or {@code null}
	 * @return the reader
	 */
	public static StreamUsage forContentType(@Nullable String contentType) {
		return new StreamUsage(EventStreamDecoder.forContentType(contentType));
	}

	/**
	 * Reads the next bytes of the body; only for a reader made by
	 * {@link #forContentType}. An event too large to buffer ends the reading, not the
	 * stream.
	 * @param chunk the bytes
	 */
	public void feed(byte[] chunk) {
		EventStreamDecoder current = requireDecoder();
		if (this.overflowed) {
			return;
		}
		try {
			current.decode(chunk).forEach(this::accept);
		}
		catch (EventStreamDecoder.EventTooLargeException ex) {
			// An event past the decoder's bound: the usage seen so far stands.
			this.overflowed = true;
		}
	}

	/**
	 * Reads the end of the body: the last event, if it lacked its final blank line;
	 * only for a reader made by {@link #forContentType}.
	 */
	public void end() {
		EventStreamDecoder current = requireDecoder();
		if (!this.overflowed) {
			current.end().forEach(this::accept);
		}
	}

	/**
	 * Reads one event.
	 * @param event the event
	 */
	public void accept(ServerSentEvent event) {
		accept(event.data());
	}

	/**
	 * Reads the data of one event, or one JSON line.
	 * @param data the data
	 */
	public void accept(String data) {
		if (!mayHoldUsage(data)) {
			return;
		}
		JsonNode root;
		try {
			root = JsonMapper.shared().readTree(data);
		}
		catch (JacksonException ex) {
			return;
		}
		accept(root);
	}

	/**
	 * Reads one event's data already parsed.
	 * @param data the data
	 */
	public void accept(JsonNode data) {
		if (!data.isObject()) {
			return;
		}
		String type = data.path("type").asString("");
		switch (type) {
			case "message_start" -> read(data.path("message").path("usage"), "input_tokens", "output_tokens");
			case "response.completed" -> read(data.path("response").path("usage"), "input_tokens", "output_tokens");
			default -> {
				JsonNode usage = data.path("usage");
				if (usage.isObject()) {
					if (usage.has("prompt_tokens") || usage.has("completion_tokens")) {
						read(usage, "prompt_tokens", "completion_tokens");
					}
					else {
						read(usage, "input_tokens", "output_tokens");
					}
				}
				else if (data.has("prompt_eval_count") || data.has("eval_count")) {
					this.input = count(data.path("prompt_eval_count"), this.input);
					this.output = count(data.path("eval_count"), this.output);
				}
			}
		}
	}

	private void read(JsonNode usage, String inputName, String outputName) {
		if (!usage.isObject()) {
			return;
		}
		this.input = count(usage.path(inputName), this.input);
		this.output = count(usage.path(outputName), this.output);
		this.total = count(usage.path("total_tokens"), this.total);
	}

	/**
	 * The API tokens used as far as the stream has told.
	 * @return the total, or input plus output tokens; {@code null} when the stream told
	 * nothing yet
	 */
	public @Nullable Long apiTokensUsed() {
		if (this.total != null) {
			return this.total;
		}
		if (this.input == null && this.output == null) {
			return null;
		}
		return ((this.input != null) ? this.input : 0) + ((this.output != null) ? this.output : 0);
	}

	@Override
	public String toString() {
		return "StreamUsage[input=" + this.input + ", output=" + this.output + ", total=" + this.total + "]";
	}

	private EventStreamDecoder requireDecoder() {
		if (this.decoder == null) {
			throw new IllegalStateException("This StreamUsage reads events: create it with forContentType(...) to "
					+ "feed it bytes");
		}
		return this.decoder;
	}

	private static @Nullable Long count(JsonNode node, @Nullable Long previous) {
		if (node.isIntegralNumber() && node.canConvertToLong() && node.longValue() >= 0) {
			return node.longValue();
		}
		return previous;
	}

	/**
	 * Whether the data may hold usage: a usage object (not OpenAI's {@code "usage":null}
	 * of the chunks before the last) or Ollama's counts. Spares parsing every chunk.
	 */
	static boolean mayHoldUsage(String data) {
		return hasField(data, USAGE, true) || hasField(data, EVAL_COUNT, false)
				|| hasField(data, PROMPT_EVAL_COUNT, false);
	}

	private static boolean hasField(String data, String quotedName, boolean objectOnly) {
		int at = data.indexOf(quotedName);
		while (at >= 0) {
			int value = skipColon(data, at + quotedName.length());
			if (value >= 0 && (!objectOnly || data.charAt(value) == '{')) {
				return true;
			}
			at = data.indexOf(quotedName, at + quotedName.length());
		}
		return false;
	}

	private static int skipColon(String data, int from) {
		int i = from;
		while (i < data.length() && Character.isWhitespace(data.charAt(i))) {
			i++;
		}
		if (i >= data.length() || data.charAt(i) != ':') {
			return -1;
		}
		i++;
		while (i < data.length() && Character.isWhitespace(data.charAt(i))) {
			i++;
		}
		return (i < data.length()) ? i : -1;
	}

}
