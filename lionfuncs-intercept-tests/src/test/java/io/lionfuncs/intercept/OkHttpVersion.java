package io.lionfuncs.intercept;

import okhttp3.OkHttp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which OkHttp the Spring AI tests run on: the build's (5) by default, Spring AI's own
 * (4.12) in the {@code okhttp-4} run, which sets {@code lionfuncs.expected-okhttp}.
 */
final class OkHttpVersion {

	private static final Logger logger = LoggerFactory.getLogger(OkHttpVersion.class);

	private OkHttpVersion() {
	}

	static void check() {
		String expected = System.getProperty("lionfuncs.expected-okhttp");
		logger.info("Spring AI runs on OkHttp {}", OkHttp.VERSION);
		if (expected != null) {
			assertThat(OkHttp.VERSION).isEqualTo(expected);
		}
		else {
			assertThat(OkHttp.VERSION).startsWith("5.");
		}
	}

}
