package io.lionfuncs.network.client;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.List;
import java.util.Locale;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;

/**
 * Reads how long a server asked the client to wait: {@code Retry-After} as
 * delay-seconds or as an HTTP-date in any of the three formats of RFC 9110 section
 * 5.6.7, or the more precise {@code retry-after-ms} that some LLM providers send.
 */
final class RetryAfter {

	/** Milliseconds, sent by OpenAI and Azure OpenAI beside {@code Retry-After}. */
	static final String RETRY_AFTER_MS = "retry-after-ms";

	private static final List<DateTimeFormatter> HTTP_DATES = List.of(DateTimeFormatter.RFC_1123_DATE_TIME,
			new DateTimeFormatterBuilder().appendPattern("EEEE, dd-MMM-")
				.appendValueReduced(ChronoField.YEAR, 2, 2, 1970)
				.appendPattern(" HH:mm:ss zzz")
				.toFormatter(Locale.US),
			DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.US).withZone(ZoneOffset.UTC));

	private RetryAfter() {
	}

	/**
	 * The delay asked for by a response's headers.
	 * @param headers the response headers
	 * @param clock the clock an HTTP-date is measured against
	 * @return the delay, zero for a date in the past, or {@code null} when the headers
	 * ask for none or cannot be read
	 */
	static @Nullable Duration from(HttpHeaders headers, Clock clock) {
		Duration millis = millis(headers.getFirst(RETRY_AFTER_MS));
		return (millis != null) ? millis : parse(headers.getFirst(HttpHeaders.RETRY_AFTER), clock);
	}

	/**
	 * Parses a {@code Retry-After} value.
	 * @param value the header value, may be {@code null}
	 * @param clock the clock an HTTP-date is measured against
	 * @return the delay, zero for a date in the past, or {@code null} when the value is
	 * missing or malformed
	 */
	static @Nullable Duration parse(@Nullable String value, Clock clock) {
		if (value == null || value.isBlank()) {
			return null;
		}
		String trimmed = value.trim();
		if (Character.isDigit(trimmed.charAt(0))) {
			return seconds(trimmed);
		}
		for (DateTimeFormatter format : HTTP_DATES) {
			try {
				Instant date = format.parse(trimmed, Instant::from);
				Duration delay = Duration.between(clock.instant(), date);
				return delay.isNegative() ? Duration.ZERO : delay;
			}
			catch (DateTimeParseException ex) {
				// try the next format
			}
		}
		return null;
	}

	private static @Nullable Duration seconds(String value) {
		try {
			BigDecimal seconds = new BigDecimal(value);
			return (seconds.signum() < 0) ? null
					: Duration.ofMillis(seconds.movePointRight(3).setScale(0, RoundingMode.CEILING).longValueExact());
		}
		catch (NumberFormatException | ArithmeticException ex) {
			return null;
		}
	}

	private static @Nullable Duration millis(@Nullable String value) {
		if (value == null || value.isBlank()) {
			return null;
		}
		try {
			BigDecimal millis = new BigDecimal(value.trim());
			return (millis.signum() < 0) ? null
					: Duration.ofMillis(millis.setScale(0, RoundingMode.CEILING).longValueExact());
		}
		catch (NumberFormatException | ArithmeticException ex) {
			return null;
		}
	}

}
