package io.lionfuncs.autoconfigure;

import java.util.Map;

import io.lionfuncs.network.Redactor;

/**
 * Checks the default headers of a client ({@code lionfuncs.client.headers.*}) at
 * start-up: a name that is not an HTTP token, or a value holding a line break or another
 * control character, would otherwise fail every request later, or smuggle a header into
 * it. Values of sensitive headers are never shown.
 *
 * @since 0.1.0
 */
final class ConfiguredHeaders {

	private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";

	private ConfiguredHeaders() {
	}

	/**
	 * Checks the headers.
	 * @param headers the configured headers
	 * @param prefix the property key of the map, such as {@code lionfuncs.client.headers}
	 * @param redactor decides which values are secret
	 * @return the headers
	 * @throws InvalidLionfuncsPropertyException for the first invalid name or value
	 */
	static Map<String, String> check(Map<String, String> headers, String prefix, Redactor redactor) {
		headers.forEach((name, value) -> {
			String property = isToken(name) ? prefix + "." + name : prefix + "[" + name + "]";
			if (!isToken(name)) {
				throw new InvalidLionfuncsPropertyException(property, escaped(name),
						"a header name of letters, digits and " + TOKEN_SYMBOLS + " only (an HTTP token)");
			}
			if (value != null && !isFieldValue(value)) {
				throw new InvalidLionfuncsPropertyException(property,
						redactor.isSensitive(name) ? Redactor.MASK : escaped(value),
						"a value without line breaks or other control characters");
			}
		});
		return headers;
	}

	private static boolean isToken(String name) {
		if (name.isEmpty()) {
			return false;
		}
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			boolean valid = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
					|| TOKEN_SYMBOLS.indexOf(c) >= 0;
			if (!valid) {
				return false;
			}
		}
		return true;
	}

	private static boolean isFieldValue(String value) {
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				return false;
			}
		}
		return true;
	}

	private static String escaped(String text) {
		StringBuilder result = new StringBuilder(text.length());
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			switch (c) {
				case '\r' -> result.append("\\r");
				case '\n' -> result.append("\\n");
				case '\t' -> result.append("\\t");
				default -> result.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c)
						: String.valueOf(c));
			}
		}
		return result.toString();
	}

}
