package io.lionfuncs.network;

import java.nio.charset.StandardCharsets;
import java.util.List;

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

	private final List<String> pointers;

	private final List<List<String>> tokens;

	JsonPointerUsageExtractor(List<String> pointers) {
		for (String pointer : pointers) {
			if (!JsonPointers.isValid(pointer)) {
				throw new IllegalArgumentException("Not a JSON pointer to a value inside the body: '" + pointer + "'");
			}
		}
		this.pointers = List.copyOf(pointers);
		this.tokens = this.pointers.stream().map(JsonPointers::tokens).toList();
	}

	@Override
	public @Nullable Long apiTokensUsed(CallResult result) {
		Object body = result.body();
		if (body == null || this.pointers.isEmpty()) {
			return null;
		}
		if (JACKSON_PRESENT && (body instanceof CharSequence || body instanceof byte[]
				|| Jackson.isJsonNode(body))) {
			return Jackson.sum(body, this.pointers);
		}
		long total = 0;
		boolean found = false;
		for (List<String> pointer : this.tokens) {
			Long value = number(JsonPointers.resolve(body, pointer));
			if (value != null) {
				total += value;
				found = true;
			}
		}
		return found ? total : null;
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
		return "JsonPointerUsageExtractor" + this.pointers;
	}

	/**
	 * Everything that touches Jackson, loaded only when Jackson is present.
	 */
	private static final class Jackson {

		static boolean isJsonNode(Object body) {
			return body instanceof JsonNode;
		}

		static @Nullable Long sum(Object body, List<String> pointers) {
			JsonNode root = tree(body);
			if (root == null) {
				return null;
			}
			long total = 0;
			boolean found = false;
			for (String pointer : pointers) {
				Long value = number(root.at(pointer));
				if (value != null) {
					total += value;
					found = true;
				}
			}
			return found ? total : null;
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
