package io.lionfuncs.network.budget;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * An executor stopped letting calls leave until a given instant, because the provider
 * answered 429 (or 503 with {@code Retry-After}), reported that nothing remains of a
 * limit, or someone called {@link io.lionfuncs.network.Executor#pause(Duration, String)}.
 *
 * @param executorName the executor's name
 * @param pausedAt when the pause began or was extended
 * @param pausedUntil when calls may leave again
 * @param reason why, without secrets: such as {@code 429 Too Many Requests (Retry-After)}
 * @param statusCode the status of the response that caused the pause, if one did
 */
public record ExecutorPause(String executorName, Instant pausedAt, Instant pausedUntil, String reason,
		@Nullable Integer statusCode) {

	/**
	 * How long the pause lasts from when it began or was extended.
	 * @return the duration
	 */
	public Duration duration() {
		return Duration.between(this.pausedAt, this.pausedUntil);
	}

}
