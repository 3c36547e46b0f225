package io.lionfuncs.network;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.jspecify.annotations.Nullable;

/**
 * Masks the values of headers (and URL query parameters) that carry credentials, so
 * that they never reach a {@code toString}, a log, a dump, an event or an endpoint.
 * <p>
 * A name is sensitive when it is one of {@link #DEFAULT_HEADERS}, one of the configured
 * names, or when it looks like a credential: it contains {@code authorization},
 * {@code cookie}, {@code secret}, {@code password}, {@code credential} or
 * {@code session}, or ends with {@code key} or {@code token}. Configured names add to
 * the defaults; they never remove one.
 */
public final class Redactor {

	/** The replacement for a sensitive value. */
	public static final String MASK = "******";

	/** Headers that are always redacted. */
	public static final List<String> DEFAULT_HEADERS = List.of("Authorization", "Proxy-Authorization", "Cookie",
			"Set-Cookie", "X-Api-Key", "Api-Key");

	private static final Redactor DEFAULT = new Redactor(List.of());

	private static final Class<?> IMMUTABLE_MAP_1 = Map.of("", "").getClass();

	private static final Class<?> IMMUTABLE_MAP_N = Map.of("", "", " ", "").getClass();

	private static final List<String> SENSITIVE_PARTS = List.of("authorization", "cookie", "secret", "password",
			"credential", "session");

	private final Set<String> names;

	private Redactor(Collection<String> additionalNames) {
		this.names = Stream.concat(DEFAULT_HEADERS.stream(), additionalNames.stream())
			.map((name) -> name.trim().toLowerCase(Locale.ROOT))
			.collect(Collectors.toUnmodifiableSet());
	}

	/**
	 * The redactor for the default header names.
	 * @return the default redactor
	 */
	public static Redactor defaults() {
		return DEFAULT;
	}

	/**
	 * A redactor for the defaults plus the given header names.
	 * @param additionalNames more names to redact, case-insensitive
	 * @return the redactor
	 */
	public static Redactor withAdditionalNames(Collection<String> additionalNames) {
		return additionalNames.isEmpty() ? DEFAULT : new Redactor(additionalNames);
	}

	/**
	 * Whether a header or parameter of this name carries a secret.
	 * @param name the name, in any case
	 * @return whether its value is masked
	 */
	public boolean isSensitive(String name) {
		String lower = name.trim().toLowerCase(Locale.ROOT);
		if (this.names.contains(lower) || lower.endsWith("key") || lower.endsWith("token")) {
			return true;
		}
		for (String part : SENSITIVE_PARTS) {
			if (lower.contains(part)) {
				return true;
			}
		}
		return false;
	}

	/**
	 * A copy of the headers with sensitive values masked; list values are joined with
	 * {@code ", "}.
	 * @param headers the headers, may be {@code null}
	 * @return an unmodifiable copy in the given map's order, or the map itself when it is
	 * an immutable JDK map ({@code Map.of}) of strings with nothing to mask
	 */
	public Map<String, String> headers(@Nullable Map<String, ?> headers) {
		if (headers == null || headers.isEmpty()) {
			return Map.of();
		}
		if (isImmutableAndClean(headers)) {
			// Nothing to mask or convert, and nobody can change it: shared, not copied.
			@SuppressWarnings("unchecked")
			Map<String, String> clean = (Map<String, String>) headers;
			return clean;
		}
		Map<String, String> redacted = new LinkedHashMap<>(headers.size() * 2);
		headers.forEach((name, value) -> redacted.put(name, isSensitive(name) ? MASK : headerValue(value)));
		return java.util.Collections.unmodifiableMap(redacted);
	}

	/**
	 * The URL with the values of sensitive query parameters masked and any user info
	 * removed.
	 * @param url the URL or URI template, may be {@code null}
	 * @return the redacted URL
	 */
	public @Nullable String url(@Nullable String url) {
		if (url == null) {
			return null;
		}
		String result = withoutUserInfo(url);
		int query = result.indexOf('?');
		if (query < 0) {
			return result;
		}
		int fragment = result.indexOf('#', query);
		String params = (fragment < 0) ? result.substring(query + 1) : result.substring(query + 1, fragment);
		StringBuilder out = new StringBuilder(result.length()).append(result, 0, query + 1);
		String[] pairs = params.split("&", -1);
		for (int i = 0; i < pairs.length; i++) {
			if (i > 0) {
				out.append('&');
			}
			int eq = pairs[i].indexOf('=');
			if (eq > 0 && isSensitive(pairs[i].substring(0, eq))) {
				out.append(pairs[i], 0, eq + 1).append(MASK);
			}
			else {
				out.append(pairs[i]);
			}
		}
		if (fragment >= 0) {
			out.append(result, fragment, result.length());
		}
		return out.toString();
	}

	private static String withoutUserInfo(String url) {
		int scheme = url.indexOf("://");
		if (scheme < 0) {
			return url;
		}
		int authorityStart = scheme + 3;
		int authorityEnd = url.length();
		for (int i = authorityStart; i < url.length(); i++) {
			char c = url.charAt(i);
			if (c == '/' || c == '?' || c == '#') {
				authorityEnd = i;
				break;
			}
		}
		int at = url.lastIndexOf('@', authorityEnd - 1);
		if (at < authorityStart) {
			return url;
		}
		return url.substring(0, authorityStart) + url.substring(at + 1);
	}

	/**
	 * Whether a map is one of the JDK's immutable maps ({@code Map.of}, {@code Map.copyOf})
	 * with string values only and no sensitive name.
	 */
	private boolean isImmutableAndClean(Map<String, ?> headers) {
		Class<?> type = headers.getClass();
		if (type != IMMUTABLE_MAP_1 && type != IMMUTABLE_MAP_N) {
			return false;
		}
		for (Map.Entry<String, ?> header : headers.entrySet()) {
			if (!(header.getValue() instanceof String) || isSensitive(header.getKey())) {
				return false;
			}
		}
		return true;
	}

	private static String headerValue(@Nullable Object value) {
		if (value instanceof Collection<?> values) {
			return values.stream().map(String::valueOf).collect(Collectors.joining(", "));
		}
		return String.valueOf(value);
	}

}
