package io.lionfuncs.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.lionfuncs.network.Redactor;

/**
 * Checks the default headers of a client ({@code lionfuncs.client.headers.*}) at
 * start-up: a name that is not an HTTP token, or a value holding a line break or another
 * control character, would otherwise fail every request later, or smuggle a header into
 * it; a value holding a placeholder nothing resolved ({@code Bearer ${API_KEY}} with
 * {@code API_KEY} unset) would be sent as it is. Values of sensitive headers are never
 * shown.
 *
 * @since 0.1.0
 */
final class ConfiguredHeaders {

	private static final String TOKEN_SYMBOLS = "!#$%&'*+-.^_`|~";

	// What the binder leaves of a placeholder it could not resolve.
	private static final Pattern UNRESOLVED_PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");

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
			if (value != null) {
				checkPlaceholders(property, value, redactor.isSensitive(name));
			}
		});
		return headers;
	}

	/**
	 * Fails when a header value still holds a placeholder, which the binder leaves as it
	 * is when nothing defines it.
	 * @param property the property key
	 * @param value the bound value
	 * @param sensitive whether the rest of the value may be a secret, shown as '…'
	 * @throws InvalidLionfuncsPropertyException naming the undefined placeholders
	 */
	private static void checkPlaceholders(String property, String value, boolean sensitive) {
		Matcher matcher = UNRESOLVED_PLACEHOLDER.matcher(value);
		StringBuilder shown = new StringBuilder();
		int end = 0;
		while (matcher.find()) {
			if (matcher.start() > end) {
				shown.append(sensitive ? "…" : escaped(value.substring(end, matcher.start())));
			}
			shown.append(matcher.group());
			end = matcher.end();
		}
		if (end == 0) {
			return;
		}
		if (end < value.length()) {
			shown.append(sensitive ? "…" : escaped(value.substring(end)));
		}
		throw unresolvedPlaceholders(property, value, shown.toString(), "the header");
	}

	/**
	 * The placeholders a bound value still holds: those nothing defines.
	 * @param value the value
	 * @return their names, empty when there is none
	 */
	static List<String> unresolvedPlaceholders(String value) {
		Matcher matcher = UNRESOLVED_PLACEHOLDER.matcher(value);
		List<String> names = new ArrayList<>();
		while (matcher.find()) {
			names.add(matcher.group(1));
		}
		return names;
	}

	/**
	 * The failure for a value holding placeholders nothing defines.
	 * @param property the property key
	 * @param value the bound value
	 * @param shown the value as the message may show it
	 * @param what what else the fix may remove, such as "the header"
	 * @return the exception
	 */
	static InvalidLionfuncsPropertyException unresolvedPlaceholders(String property, String value, String shown,
			String what) {
		List<String> names = unresolvedPlaceholders(value);
		return new InvalidLionfuncsPropertyException(property, shown,
				"a value whose placeholders resolve: nothing defines " + String.join(", ", names) + "; set "
						+ ((names.size() == 1) ? "it" : "them") + " as an environment variable or a property, or remove "
						+ what);
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
