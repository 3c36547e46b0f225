package io.lionfuncs.network;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.lionfuncs.network.budget.ProviderLimit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the rate limits providers report in response headers, and how long a response
 * asks the caller to wait:
 * <ul>
 * <li>OpenAI: {@code x-ratelimit-remaining-requests|tokens},
 * {@code x-ratelimit-limit-requests|tokens} and {@code x-ratelimit-reset-requests|tokens}
 * as durations such as {@code 20ms}, {@code 1s}, {@code 6m0s} or {@code 1h2m3.5s};</li>
 * <li>Anthropic: {@code anthropic-ratelimit-<kind>-remaining|limit|reset} for the kinds
 * {@code requests}, {@code tokens}, {@code input-tokens} and {@code output-tokens}, the
 * reset as an RFC 3339 instant;</li>
 * <li>IETF: {@code RateLimit-Remaining} with {@code RateLimit-Reset} in seconds, and the
 * structured {@code RateLimit} field, both as {@code "policy";r=50;t=30} and as the
 * older {@code limit=100, remaining=50, reset=30};</li>
 * <li>{@code retry-after-ms} (milliseconds) and {@code Retry-After} (seconds or an
 * HTTP-date).</li>
 * </ul>
 * A malformed value is ignored, with one warning per header name.
 */
final class RateLimitHeaders {

	private static final Logger logger = LoggerFactory.getLogger(RateLimitHeaders.class);

	private static final String OPENAI_PREFIX = "x-ratelimit-";

	private static final String ANTHROPIC_PREFIX = "anthropic-ratelimit-";

	private static final String IETF_PREFIX = "ratelimit";

	private static final String RETRY_AFTER = "retry-after";

	static final String RETRY_AFTER_MS = "retry-after-ms";

	private static final int MAX_LOGGED_VALUE_LENGTH = 64;

	private static final ProviderLimit.Kind[] OPENAI_KINDS = { ProviderLimit.Kind.REQUESTS,
			ProviderLimit.Kind.TOKENS };

	private static final ProviderLimit.Kind[] ANTHROPIC_KINDS = { ProviderLimit.Kind.REQUESTS,
			ProviderLimit.Kind.TOKENS, ProviderLimit.Kind.INPUT_TOKENS, ProviderLimit.Kind.OUTPUT_TOKENS };

	private final String owner;

	private final Set<String> warned = ConcurrentHashMap.newKeySet();

	/**
	 * Creates a reader.
	 * @param owner who reads, for the warnings (an executor's name)
	 */
	RateLimitHeaders(String owner) {
		this.owner = owner;
	}

	/**
	 * The headers this class reads, by lower-case name; empty when there are none.
	 */
	static Map<String, String> relevant(Map<String, String> headers) {
		if (headers.isEmpty()) {
			return Map.of();
		}
		Map<String, String> relevant = null;
		for (Map.Entry<String, String> header : headers.entrySet()) {
			String name = header.getKey();
			if (name == null || header.getValue() == null || !isRelevant(name)) {
				continue;
			}
			if (relevant == null) {
				relevant = new HashMap<>();
			}
			relevant.put(name.toLowerCase(Locale.ROOT), header.getValue());
		}
		return (relevant != null) ? relevant : Map.of();
	}

	private static boolean isRelevant(String name) {
		return name.regionMatches(true, 0, OPENAI_PREFIX, 0, OPENAI_PREFIX.length())
				|| name.regionMatches(true, 0, ANTHROPIC_PREFIX, 0, ANTHROPIC_PREFIX.length())
				|| name.regionMatches(true, 0, IETF_PREFIX, 0, IETF_PREFIX.length())
				|| name.regionMatches(true, 0, RETRY_AFTER, 0, RETRY_AFTER.length());
	}

	/**
	 * The limits reported by the headers.
	 * @param headers the headers, as returned by {@link #relevant(Map)}
	 * @param now the current time, for RFC 3339 resets
	 * @return the limits, in header-family order
	 */
	List<ProviderLimit> limits(Map<String, String> headers, Instant now) {
		if (headers.isEmpty()) {
			return List.of();
		}
		List<ProviderLimit> limits = new ArrayList<>(2);
		for (ProviderLimit.Kind kind : OPENAI_KINDS) {
			String suffix = kind.key();
			ProviderLimit limit = limit(headers, kind, "openai", OPENAI_PREFIX + "remaining-" + suffix,
					OPENAI_PREFIX + "limit-" + suffix, OPENAI_PREFIX + "reset-" + suffix, now, true);
			if (limit != null) {
				limits.add(limit);
			}
		}
		for (ProviderLimit.Kind kind : ANTHROPIC_KINDS) {
			String prefix = ANTHROPIC_PREFIX + kind.key() + "-";
			ProviderLimit limit = limit(headers, kind, "anthropic", prefix + "remaining", prefix + "limit",
					prefix + "reset", now, true);
			if (limit != null) {
				limits.add(limit);
			}
		}
		ProviderLimit ietf = limit(headers, ProviderLimit.Kind.QUOTA, "ietf", "ratelimit-remaining",
				"ratelimit-limit", "ratelimit-reset", now, false);
		if (ietf != null) {
			limits.add(ietf);
		}
		String structured = headers.get("ratelimit");
		if (structured != null) {
			limits.addAll(structured(structured));
		}
		return limits;
	}

	private @Nullable ProviderLimit limit(Map<String, String> headers, ProviderLimit.Kind kind, String source,
			String remainingName, String limitName, String resetName, Instant now, boolean continuous) {
		String remainingValue = headers.get(remainingName);
		if (remainingValue == null) {
			return null;
		}
		Long remaining = count(remainingValue);
		if (remaining == null) {
			malformed(remainingName, remainingValue);
			return null;
		}
		Long limit = null;
		String limitValue = headers.get(limitName);
		if (limitValue != null) {
			limit = count(limitValue);
			if (limit == null) {
				malformed(limitName, limitValue);
			}
		}
		Duration resetAfter = null;
		String resetValue = headers.get(resetName);
		if (resetValue != null) {
			resetAfter = switch (source) {
				case "openai" -> goDuration(resetValue);
				case "anthropic" -> untilInstant(resetValue, now);
				default -> seconds(resetValue);
			};
			if (resetAfter == null) {
				malformed(resetName, resetValue);
			}
		}
		return new ProviderLimit(kind, source, remaining, limit, resetAfter, continuous && limit != null);
	}

	/**
	 * The structured {@code RateLimit} field: a list of {@code "policy";r=50;t=30}
	 * items, or the older dictionary {@code limit=100, remaining=50, reset=30}.
	 */
	private List<ProviderLimit> structured(String value) {
		List<String> members = splitMembers(value);
		if (members.isEmpty()) {
			malformed("ratelimit", value);
			return List.of();
		}
		if (!members.get(0).startsWith("\"") && members.get(0).contains("=") && !members.get(0).contains(";")) {
			return olderDictionary(members, value);
		}
		List<ProviderLimit> limits = new ArrayList<>(members.size());
		for (String member : members) {
			String[] parts = member.split(";");
			Long remaining = null;
			Duration resetAfter = null;
			boolean valid = !parts[0].isBlank() && !parts[0].contains("=");
			for (int i = 1; i < parts.length && valid; i++) {
				String parameter = parts[i].trim();
				int equals = parameter.indexOf('=');
				if (equals <= 0) {
					valid = false;
					continue;
				}
				String key = parameter.substring(0, equals).trim();
				String parameterValue = parameter.substring(equals + 1).trim();
				if (key.equals("r")) {
					remaining = count(parameterValue);
					valid = remaining != null;
				}
				else if (key.equals("t")) {
					resetAfter = seconds(parameterValue);
					valid = resetAfter != null;
				}
			}
			if (!valid || remaining == null) {
				malformed("ratelimit", value);
				continue;
			}
			limits.add(new ProviderLimit(ProviderLimit.Kind.QUOTA, "ietf", remaining, null, resetAfter, false));
		}
		return limits;
	}

	private List<ProviderLimit> olderDictionary(List<String> members, String value) {
		Map<String, String> entries = new HashMap<>();
		for (String member : members) {
			int equals = member.indexOf('=');
			if (equals <= 0) {
				malformed("ratelimit", value);
				return List.of();
			}
			entries.put(member.substring(0, equals).trim().toLowerCase(Locale.ROOT), member.substring(equals + 1).trim());
		}
		Long remaining = (entries.get("remaining") != null) ? count(entries.get("remaining")) : null;
		Long limit = (entries.get("limit") != null) ? count(entries.get("limit")) : null;
		Duration resetAfter = (entries.get("reset") != null) ? seconds(entries.get("reset")) : null;
		if (remaining == null || (entries.containsKey("limit") && limit == null)
				|| (entries.containsKey("reset") && resetAfter == null)) {
			malformed("ratelimit", value);
			return List.of();
		}
		return List.of(new ProviderLimit(ProviderLimit.Kind.QUOTA, "ietf", remaining, limit, resetAfter, false));
	}

	/**
	 * Splits a structured field's list on the commas outside quoted strings.
	 */
	private static List<String> splitMembers(String value) {
		List<String> members = new ArrayList<>();
		StringBuilder current = new StringBuilder();
		boolean quoted = false;
		for (int i = 0; i < value.length(); i++) {
			char c = value.charAt(i);
			if (c == '"' && (i == 0 || value.charAt(i - 1) != '\\')) {
				quoted = !quoted;
			}
			if (c == ',' && !quoted) {
				addMember(members, current);
				current.setLength(0);
			}
			else {
				current.append(c);
			}
		}
		addMember(members, current);
		return members;
	}

	private static void addMember(List<String> members, StringBuilder member) {
		String trimmed = member.toString().trim();
		if (!trimmed.isEmpty()) {
			members.add(trimmed);
		}
	}

	/**
	 * How long the response asks the caller to wait: {@code retry-after-ms} when
	 * present, else {@code Retry-After}.
	 * @param headers the headers, as returned by {@link #relevant(Map)}
	 * @param now the current time, for an HTTP-date
	 * @return the delay, or {@code null} when none is asked for or it cannot be read
	 */
	@Nullable Duration retryAfter(Map<String, String> headers, Instant now) {
		String millis = headers.get(RETRY_AFTER_MS);
		if (millis != null) {
			BigDecimal value = decimal(millis);
			if (value != null) {
				return nanos(value.movePointRight(6));
			}
			malformed(RETRY_AFTER_MS, millis);
		}
		String retryAfter = headers.get(RETRY_AFTER);
		if (retryAfter == null) {
			return null;
		}
		Duration delay = isDigit(retryAfter.trim().isEmpty() ? ' ' : retryAfter.trim().charAt(0))
				? seconds(retryAfter) : untilHttpDate(retryAfter, now);
		if (delay == null) {
			malformed(RETRY_AFTER, retryAfter);
		}
		return delay;
	}

	private void malformed(String header, String value) {
		if (this.warned.add(header)) {
			String shown = (value.length() > MAX_LOGGED_VALUE_LENGTH)
					? value.substring(0, MAX_LOGGED_VALUE_LENGTH) + "..." : value;
			logger.warn("Executor '{}': ignoring malformed '{}' response header '{}'; further malformed values "
					+ "of this header are ignored silently", this.owner, header, shown);
		}
	}

	/**
	 * The header names whose malformed values were warned about.
	 */
	Set<String> warnedHeaders() {
		return Set.copyOf(this.warned);
	}

	// ---------------------------------------------------------------- values

	/**
	 * A count of requests or tokens: a non-negative number, a fraction rounded down.
	 */
	static @Nullable Long count(String value) {
		BigDecimal number = decimal(value);
		if (number == null) {
			return null;
		}
		try {
			return number.setScale(0, RoundingMode.FLOOR).longValueExact();
		}
		catch (ArithmeticException ex) {
			return null;
		}
	}

	/**
	 * Delay-seconds, possibly fractional.
	 */
	static @Nullable Duration seconds(String value) {
		BigDecimal number = decimal(value);
		return (number != null) ? nanos(number.movePointRight(9)) : null;
	}

	/**
	 * A Go-style duration as OpenAI sends it ({@code 20ms}, {@code 1s}, {@code 6m0s},
	 * {@code 1h2m3.5s}); a bare number counts as seconds.
	 */
	static @Nullable Duration goDuration(String value) {
		String text = value.trim();
		if (text.isEmpty()) {
			return null;
		}
		BigDecimal bare = decimal(text);
		if (bare != null) {
			return nanos(bare.movePointRight(9));
		}
		BigDecimal total = BigDecimal.ZERO;
		int i = 0;
		while (i < text.length()) {
			int numberStart = i;
			while (i < text.length() && (isDigit(text.charAt(i)) || text.charAt(i) == '.')) {
				i++;
			}
			int unitStart = i;
			while (i < text.length() && !isDigit(text.charAt(i)) && text.charAt(i) != '.') {
				i++;
			}
			BigDecimal number = decimal(text.substring(numberStart, unitStart));
			long nanosPerUnit = switch (text.substring(unitStart, i)) {
				case "h" -> 3_600_000_000_000L;
				case "m" -> 60_000_000_000L;
				case "s" -> 1_000_000_000L;
				case "ms" -> 1_000_000L;
				case "us", "\u00b5s", "\u03bcs" -> 1_000L;
				case "ns" -> 1L;
				default -> -1L;
			};
			if (number == null || nanosPerUnit < 0) {
				return null;
			}
			total = total.add(number.multiply(BigDecimal.valueOf(nanosPerUnit)));
		}
		return nanos(total);
	}

	/**
	 * Time until an RFC 3339 instant such as {@code 2024-06-17T22:02:35Z}; zero once it
	 * has passed.
	 */
	static @Nullable Duration untilInstant(String value, Instant now) {
		try {
			Instant reset = OffsetDateTime.parse(value.trim(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
			Duration until = Duration.between(now, reset);
			return until.isNegative() ? Duration.ZERO : until;
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

	private static @Nullable Duration untilHttpDate(String value, Instant now) {
		try {
			Instant date = DateTimeFormatter.RFC_1123_DATE_TIME.parse(value.trim(), Instant::from);
			Duration until = Duration.between(now, date);
			return until.isNegative() ? Duration.ZERO : until;
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

	private static @Nullable BigDecimal decimal(String value) {
		String text = value.trim();
		if (text.isEmpty() || text.length() > 40 || !(isDigit(text.charAt(0)) || text.charAt(0) == '.')) {
			return null;
		}
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (!isDigit(c) && c != '.') {
				return null;
			}
		}
		try {
			return new BigDecimal(text);
		}
		catch (NumberFormatException ex) {
			return null;
		}
	}

	private static boolean isDigit(char c) {
		return c >= '0' && c <= '9';
	}

	private static @Nullable Duration nanos(BigDecimal nanos) {
		try {
			return Duration.ofNanos(nanos.setScale(0, RoundingMode.CEILING).longValueExact());
		}
		catch (ArithmeticException ex) {
			return null;
		}
	}

}
