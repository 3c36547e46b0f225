package io.lionfuncs.event;

import java.util.HexFormat;
import java.util.Objects;

/**
 * A file attached to an {@link Event}: its path and the SHA-1 of its content when it
 * was attached, written by e3 as {@code "name": [path, sha1]}.
 *
 * @param path the file's path as recorded
 * @param sha1 the SHA-1 of the content, 40 lower-case hex digits
 */
public record Attachment(String path, String sha1) {

	private static final int MAX_NAME_LENGTH = 255;

	public Attachment {
		Objects.requireNonNull(path, "path");
		Objects.requireNonNull(sha1, "sha1");
		if (sha1.length() != 40 || !isHex(sha1)) {
			throw new IllegalArgumentException("An attachment's sha1 must be 40 hex digits");
		}
	}

	private static boolean isHex(String text) {
		for (int i = 0; i < text.length(); i++) {
			if (!HexFormat.isHexDigit(text.charAt(i))) {
				return false;
			}
		}
		return true;
	}

	/**
	 * Whether a name can be used as one file name inside a directory without escaping
	 * it: not empty, not {@code .} or {@code ..}, at most 255 characters, and free of
	 * path separators ({@code /}, {@code \}), drive or stream markers ({@code :}), NUL
	 * and other control characters.
	 * @param name the proposed name
	 * @return whether it is safe
	 */
	public static boolean isSafeName(String name) {
		if (name.isEmpty() || name.length() > MAX_NAME_LENGTH || name.equals(".") || name.equals("..")) {
			return false;
		}
		for (int i = 0; i < name.length(); i++) {
			char c = name.charAt(i);
			if (c == '/' || c == '\\' || c == ':' || Character.isISOControl(c)) {
				return false;
			}
		}
		return true;
	}

}
