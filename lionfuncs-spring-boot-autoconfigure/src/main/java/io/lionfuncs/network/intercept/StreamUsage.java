package io.lionfuncs.network.intercept;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The API tokens a streamed LLM answer used, read from its events as they pass: OpenAI's
 * final chunk with {@code usage} (sent when {@code stream_options.include_usage} is set,
 * and the Responses API's {@code response.completed}), Anthropic's
 * {@code message_start} (input tokens) and {@code message_delta} (output tokens so far),
 * and Ollama's final object ({@code done: true} with {@code prompt_eval_count} and
 * {@code eval_count}). Also tells when the stream said it is complete.
 * <p>
 * Not thread-safe: fed by the one thread reading the stream at a time.
 */
final class StreamUsage {

	private long total = -1;

	private long anthropicInput = -1;

	private long anthropicOutput = -1;

	private boolean finished;

	/**
	 * Reads one event of a stream.
	 * @param type the event's type (an SSE {@code event:} field), or {@code null}
	 * @param data the event's data: a JSON object, or {@code [DONE]}
	 */
	void accept(@Nullable String type, String data) {
		String trimmed = data.strip();
		if (trimmed.equals("[DONE]")) {
			this.finished = true;
			return;
		}
		if ("message_stop".equals(type)) {
			this.finished = true;
		}
		if (!trimmed.startsWith("{") || !mayHoldUsage(trimmed)) {
			return;
		}
		JsonNode root;
		try {
			root = JsonMapper.shared().readTree(trimmed);
		}
		catch (JacksonException ex) {
			return;
		}
		read(root);
	}

	private static boolean mayHoldUsage(String json) {
		return json.contains("usage") || json.contains("eval_count") || json.contains("\"done\"")
				|| json.contains("message_stop");
	}

	private void read(JsonNode root) {
		String type = root.path("type").asString("");
		switch (type) {
			case "message_start" -> {
				JsonNode usage = root.path("message").path("usage");
				this.anthropicInput = Math.max(this.anthropicInput, count(usage.path("input_tokens")));
				this.anthropicOutput = Math.max(this.anthropicOutput, count(usage.path("output_tokens")));
				return;
			}
			case "message_delta" -> {
				JsonNode usage = root.path("usage");
				this.anthropicInput = Math.max(this.anthropicInput, count(usage.path("input_tokens")));
				this.anthropicOutput = Math.max(this.anthropicOutput, count(usage.path("output_tokens")));
				return;
			}
			case "message_stop" -> {
				this.finished = true;
				return;
			}
			case "response.completed" -> {
				long responseTotal = count(root.path("response").path("usage").path("total_tokens"));
				if (responseTotal >= 0) {
					this.total = responseTotal;
				}
				this.finished = true;
				return;
			}
			default -> {
			}
		}
		long openAiTotal = count(root.path("usage").path("total_tokens"));
		if (openAiTotal >= 0) {
			this.total = openAiTotal;
			return;
		}
		if (root.path("done").asBoolean(false)) {
			long prompt = count(root.path("prompt_eval_count"));
			long output = count(root.path("eval_count"));
			if (prompt >= 0 || output >= 0) {
				this.total = Math.max(prompt, 0) + Math.max(output, 0);
			}
			this.finished = true;
		}
	}

	private static long count(JsonNode node) {
		return (node.isIntegralNumber() && node.canConvertToLong() && node.longValue() >= 0) ? node.longValue() : -1;
	}

	/**
	 * The API tokens the stream reported so far.
	 * @return the tokens, or {@code null} when it reported none
	 */
	@Nullable Long used() {
		if (this.total >= 0) {
			return this.total;
		}
		if (this.anthropicInput >= 0 || this.anthropicOutput >= 0) {
			return Math.max(this.anthropicInput, 0) + Math.max(this.anthropicOutput, 0);
		}
		return null;
	}

	/**
	 * Whether the stream said it is complete ({@code [DONE]}, {@code message_stop},
	 * {@code done: true}).
	 */
	boolean finished() {
		return this.finished;
	}

}
