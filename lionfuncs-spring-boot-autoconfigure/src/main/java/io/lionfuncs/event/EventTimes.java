package io.lionfuncs.event;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

import org.jspecify.annotations.Nullable;

/**
 * The time format e3 writes for {@code begin_time} and {@code end_time}:
 * {@code YYYY-MM-DDTHH:MM:SS} in UTC, whole seconds, no zone suffix (Python's
 * {@code time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t))}).
 */
final class EventTimes {

	private static final DateTimeFormatter E3 = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss")
		.withZone(ZoneOffset.UTC);

	private EventTimes() {
	}

	static String format(Instant instant) {
		return E3.format(instant.truncatedTo(ChronoUnit.SECONDS));
	}

	/**
	 * Parses e3's format, and ISO-8601 instants or offset date-times as written by
	 * other tools.
	 * @param text the text
	 * @return the instant, or {@code null} when the text is no time
	 */
	static @Nullable Instant parse(String text) {
		try {
			return E3.parse(text, Instant::from);
		}
		catch (DateTimeParseException ex) {
			// fall through to the ISO forms
		}
		try {
			return DateTimeFormatter.ISO_OFFSET_DATE_TIME.parse(text, Instant::from);
		}
		catch (DateTimeParseException ex) {
			return null;
		}
	}

}
