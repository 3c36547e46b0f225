package io.lionfuncs.reliability;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The figures one reliability test measured, printed as one line
 * ({@code [reliability] <test>: key=value ... elapsed=1.23s}) so that a build log shows
 * what was proven and how long it took.
 */
final class Figures {

	private static final Logger logger = LoggerFactory.getLogger("io.lionfuncs.reliability");

	private final String test;

	private final long startNanos = System.nanoTime();

	private final Map<String, Object> values = new LinkedHashMap<>();

	private Figures(String test) {
		this.test = test;
	}

	static Figures start(String test) {
		return new Figures(test);
	}

	Figures put(String key, Object value) {
		this.values.put(key, value);
		return this;
	}

	static String percent(long part, long whole) {
		return String.format(Locale.ROOT, "%.2f%%", (whole == 0) ? 100.0 : 100.0 * part / whole);
	}

	Duration elapsed() {
		return Duration.ofNanos(System.nanoTime() - this.startNanos);
	}

	/**
	 * Prints the line; call it once the test's assertions passed.
	 */
	void report() {
		StringJoiner line = new StringJoiner(" ");
		this.values.forEach((key, value) -> line.add(key + "=" + value));
		line.add(String.format(Locale.ROOT, "elapsed=%.2fs", elapsed().toNanos() / 1e9));
		logger.info("[reliability] {}: {}", this.test, line);
	}

}
