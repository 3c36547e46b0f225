package io.lionfuncs.network.limit.redis;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import org.jspecify.annotations.Nullable;

/**
 * How the Redis buckets word durations, configurations and failures in logs and
 * exceptions.
 */
final class Descriptions {

	private Descriptions() {
	}

	/**
	 * A duration as an operator writes it: {@code 5s}, {@code 0.5s}.
	 */
	static String format(Duration duration) {
		long millis = duration.toMillis();
		return (millis % 1000 == 0) ? (millis / 1000) + "s" : String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
	}

	/**
	 * A stored configuration: each bandwidth's capacity and refill.
	 */
	static String describe(BucketConfiguration configuration) {
		StringBuilder described = new StringBuilder();
		for (Bandwidth bandwidth : configuration.getBandwidths()) {
			described.append((described.length() > 0) ? "; " : "")
				.append("capacity ")
				.append(bandwidth.getCapacity())
				.append(", ")
				.append(bandwidth.getRefillTokens())
				.append(" per ")
				.append(Duration.ofNanos(bandwidth.getRefillPeriodNanos()));
		}
		return described.toString();
	}

	/**
	 * The failure inside the wrappers of asynchronous stages.
	 */
	static @Nullable Throwable unwrap(@Nullable Throwable failure) {
		Throwable cause = failure;
		while ((cause instanceof CompletionException || cause instanceof ExecutionException)
				&& cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

}
