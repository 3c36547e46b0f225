package io.lionfuncs.network;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * JSON pointers (RFC 6901) over plain Java values: maps, lists and scalars, as a JSON
 * body decoded into a {@code Map} looks.
 */
final class JsonPointers {

	private JsonPointers() {
	}

	/**
	 * Whether the pointer names a value inside a document: it starts with {@code /} and
	 * every {@code ~} is escaped.
	 */
	static boolean isValid(@Nullable String pointer) {
		if (pointer == null || !pointer.startsWith("/")) {
			return false;
		}
		for (int i = 0; i < pointer.length(); i++) {
			if (pointer.charAt(i) == '~') {
				char next = (i + 1 < pointer.length()) ? pointer.charAt(i + 1) : ' ';
				if (next != '0' && next != '1') {
					return false;
				}
			}
		}
		return true;
	}

	/**
	 * The pointer's reference tokens, unescaped.
	 */
	static List<String> tokens(String pointer) {
		List<String> tokens = new ArrayList<>();
		for (String token : pointer.substring(1).split("/", -1)) {
			tokens.add(token.replace("~1", "/").replace("~0", "~"));
		}
		return tokens;
	}

	/**
	 * The value the tokens lead to in a tree of maps and lists.
	 * @return the value, or {@code null} when absent
	 */
	static @Nullable Object resolve(@Nullable Object root, List<String> tokens) {
		Object current = root;
		for (String token : tokens) {
			if (current instanceof Map<?, ?> map) {
				current = map.get(token);
			}
			else if (current instanceof List<?> list) {
				int index = index(token);
				current = (index >= 0 && index < list.size()) ? list.get(index) : null;
			}
			else {
				return null;
			}
		}
		return current;
	}

	private static int index(String token) {
		if (token.isEmpty() || token.length() > 9 || (token.length() > 1 && token.charAt(0) == '0')) {
			return -1;
		}
		for (int i = 0; i < token.length(); i++) {
			if (!Character.isDigit(token.charAt(i))) {
				return -1;
			}
		}
		return Integer.parseInt(token);
	}

}
