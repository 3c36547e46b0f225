package io.lionfuncs.network;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Function;

import io.lionfuncs.network.CallResult;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.ClassUtils;

/**
 * A {@link UsageExtractor} that sums the numbers at JSON pointers of the response body.
 * Jackson is optional: without it, only {@code Map} bodies are read.
 */
final class JsonPointerUsageExtractor implements UsageExtractor {

	private static final boolean JACKSON_PRESENT = ClassUtils.isPresent("tools.jackson.databind.JsonNode",
			JsonPointerUsageExtractor.class.getClassLoader());

	/** Bodies larger than this are not parsed from text just to find the usage. */
	private static final int MAX_TEXT_LENGTH = 4 * 1024 * 1024;

	/**
	 * The usage as the providers report it, first match wins: OpenAI's total, Anthropic's
	 * (and OpenAI's Responses API) input and output tokens, Ollama's prompt and output
	 * counts.
	 */
	static final List<List<String>> PROVIDER_USAGE = List.of(List.of("/usage/total_tokens"),
			List.of("/usage/input_tokens", "/usage/output_tokens"), List.of("/prompt_eval_count", "/eval_count"));

	private final List<String> pointers;

	/** Groups of pointers: the first group with a value present gives the sum. */
	private final List<List<String>> groups;

	private final List<List<List<String>>> tokens;

	JsonPointerUsageExtractor(List<String> pointers) {
		this(List.of(pointers), pointers);
	}

	private JsonPointerUsageExtractor(List<List<String>> groups, List<String> pointers) {
		for (List<String> group : groups) {
			for (String pointer : group) {
				if (!JsonPointers.isValid(pointer)) {
					throw new IllegalArgumentException(
							"Not a JSON pointer to a value inside the body: '" + pointer + "'");
				}
			}
		}
		this.groups = groups.stream().map(List::copyOf).toList();
		this.pointers = List.copyOf(pointers);
		this.tokens = this.groups.stream()
			.map((group) -> group.stream().map(JsonPointers::tokens).toList())
			.toList();
	}

	/**
	 * An extractor that tries groups of pointers in turn: the first group of which a
	 * value is present gives the sum of its values.
	 */
	static JsonPointerUsageExtractor firstOf(List<List<String>> groups) {
		return new JsonPointerUsageExtractor(groups, groups.stream().flatMap(List::stream).toList());
	}

	@Override
	public @Nullable Long apiTokensUsed(CallResult result) {
		Object body = result.body();
		if (body == null || this.pointers.isEmpty()) {
			return null;
		}
		if (JACKSON_PRESENT && (body instanceof CharSequence || body instanceof byte[]
				|| Jackson.isJsonNode(body))) {
			return Jackson.sum(body, this.groups);
		}
		return sumOfFirstGroupFound(this.tokens, (pointer) -> number(JsonPointers.resolve(body, pointer)));
	}

	/**
	 * The sum of the values of the first group with a value present.
	 * @param value the number a pointer leads to, or {@code null} when there is none
	 */
	private static <P> @Nullable Long sumOfFirstGroupFound(List<List<P>> groups,
			Function<P, @Nullable Long> value) {
		for (List<P> group : groups) {
			long total = 0;
			boolean found = false;
			for (P pointer : group) {
				Long number = value.apply(pointer);
				if (number != null) {
					total += number;
					found = true;
				}
			}
			if (found) {
				return total;
			}
		}
		return null;
	}

	private static @Nullable Long number(@Nullable Object value) {
		if (value instanceof Number number) {
			double amount = number.doubleValue();
			return (amount >= 0 && !Double.isInfinite(amount)) ? Math.round(amount) : null;
		}
		if (value instanceof CharSequence text) {
			return wholeNumber(text.toString());
		}
		return null;
	}

	private static @Nullable Long wholeNumber(String text) {
		try {
			long amount = Long.parseLong(text.trim());
			return (amount >= 0) ? amount : null;
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	@Override
	public String toString() {
		return "JsonPointerUsageExtractor" + ((this.groups.size() == 1) ? this.pointers : this.groups);
	}

	/**
	 * Everything that touches Jackson, loaded only when Jackson is present.
	 */
	private static final class Jackson {

		static boolean isJsonNode(Object body) {
			return body instanceof JsonNode;
		}

		static @Nullable Long sum(Object body, List<List<String>> groups) {
			JsonNode root = tree(body);
			if (root == null) {
				return null;
			}
			return sumOfFirstGroupFound(groups, (pointer) -> number(root.at(pointer)));
		}

		private static @Nullable JsonNode tree(Object body) {
			if (body instanceof JsonNode node) {
				return node;
			}
			String text = (body instanceof byte[] bytes) ? ((bytes.length <= MAX_TEXT_LENGTH)
					? new String(bytes, StandardCharsets.UTF_8) : null) : body.toString();
			if (text == null || text.length() > MAX_TEXT_LENGTH || !text.stripLeading().startsWith("{")) {
				return null;
			}
			try {
				return JsonMapper.shared().readTree(text);
			}
			catch (JacksonException ex) {
				return null;
			}
		}

		private static @Nullable Long number(JsonNode node) {
			if (node.isNumber()) {
				double amount = node.doubleValue();
				if (node.isIntegralNumber() && node.canConvertToLong()) {
					long whole = node.longValue();
					return (whole >= 0) ? whole : null;
				}
				return (amount >= 0 && !Double.isInfinite(amount)) ? Math.round(amount) : null;
			}
			if (node.isString()) {
				return wholeNumber(node.stringValue());
			}
			return null;
		}

	}

}
