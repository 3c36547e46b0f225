package io.lionfuncs.network.intercept;

import java.net.URI;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The default {@link ApiTokenEstimator}: the output cap named in a JSON body plus the
 * input text at a fixed number of characters per token.
 */
final class JsonBodyApiTokenEstimator implements ApiTokenEstimator {

	/** Bodies larger than this are not parsed for an estimate. */
	static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

	private static final String[] OUTPUT_CAPS = { "/max_tokens", "/max_completion_tokens", "/max_output_tokens",
			"/options/num_predict" };

	private final long fallback;

	private final int charactersPerToken;

	JsonBodyApiTokenEstimator(long fallback, int charactersPerToken) {
		if (fallback < 0) {
			throw new IllegalArgumentException("fallback must be 0 or more but was " + fallback);
		}
		this.fallback = fallback;
		this.charactersPerToken = charactersPerToken;
	}

	@Override
	public long estimate(String method, URI uri, byte @Nullable [] body) {
		JsonNode root = parse(body);
		if (root == null || !root.isObject()) {
			return this.fallback;
		}
		long output = this.fallback;
		for (String pointer : OUTPUT_CAPS) {
			JsonNode cap = root.at(pointer);
			if (cap.isIntegralNumber() && cap.canConvertToLong() && cap.longValue() >= 0) {
				output = cap.longValue();
				break;
			}
		}
		long characters = 0;
		for (Map.Entry<String, JsonNode> field : root.properties()) {
			if (!field.getKey().equals("model")) {
				characters += text(field.getValue());
			}
		}
		long input = (characters + this.charactersPerToken - 1) / this.charactersPerToken;
		return saturatedAdd(output, input);
	}

	private static @Nullable JsonNode parse(byte @Nullable [] body) {
		if (body == null || body.length == 0 || body.length > MAX_BODY_BYTES) {
			return null;
		}
		int first = 0;
		while (first < body.length && Character.isWhitespace(body[first])) {
			first++;
		}
		if (first == body.length || body[first] != '{') {
			return null;
		}
		try {
			return JsonMapper.shared().readTree(body);
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	/** The characters of every string inside a node. */
	private static long text(JsonNode node) {
		if (node.isString()) {
			return node.stringValue().length();
		}
		long characters = 0;
		if (node.isContainer()) {
			for (JsonNode child : node.values()) {
				characters += text(child);
			}
		}
		return characters;
	}

	private static long saturatedAdd(long a, long b) {
		long sum = a + b;
		return (sum < 0) ? Long.MAX_VALUE : sum;
	}

	@Override
	public String toString() {
		return "ApiTokenEstimator[JSON body, fallback " + this.fallback + "]";
	}

}
