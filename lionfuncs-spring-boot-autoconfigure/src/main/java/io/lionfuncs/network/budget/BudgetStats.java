package io.lionfuncs.network.budget;

import java.time.Instant;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A point-in-time view of an executor's budgets: API tokens estimated against those
 * really used, what providers last reported of their limits, and the pause state.
 *
 * @param callsWithUsage calls whose usage was read from the response
 * @param estimatedApiTokens API tokens those calls reserved up front
 * @param actualApiTokens API tokens those calls really used
 * @param refundedApiTokens API tokens given back to the bucket: over-estimates, and the
 * whole estimate of calls refused with 429
 * @param overdrawnApiTokens API tokens taken from the bucket beyond the estimates
 * (under-estimates), which delay later calls
 * @param callsWithoutUsage completed calls whose response did not say their usage
 * @param rateLimitedResponses 429 responses seen, retried attempts included
 * @param providerAdjustments times a provider's reported limit lowered a local bucket
 * @param pauses pauses begun or extended
 * @param pausedUntil when dispatch resumes, or {@code null} when not paused
 * @param pauseReason why the executor is paused, or {@code null} when not paused
 * @param providerLimits the last limit each provider reported, by kind
 * ({@code requests}, {@code tokens}, {@code input-tokens}, {@code output-tokens},
 * {@code quota})
 */
public record BudgetStats(long callsWithUsage, long estimatedApiTokens, long actualApiTokens,
		long refundedApiTokens, long overdrawnApiTokens, long callsWithoutUsage, long rateLimitedResponses,
		long providerAdjustments, long pauses, @Nullable Instant pausedUntil, @Nullable String pauseReason,
		Map<String, ReportedLimit> providerLimits) {

	/**
	 * Whether dispatch is paused.
	 * @return {@code true} while paused
	 */
	public boolean paused() {
		return this.pausedUntil != null;
	}

	/**
	 * The API tokens really used for each one estimated, over the calls whose usage was
	 * read.
	 * @return {@code actual / estimated}, or {@code null} before any such call
	 */
	public @Nullable Double actualToEstimatedRatio() {
		return (this.estimatedApiTokens > 0) ? (double) this.actualApiTokens / this.estimatedApiTokens : null;
	}

	/**
	 * The last value a provider reported for one limit.
	 *
	 * @param source the header family ({@code openai}, {@code anthropic}, {@code ietf})
	 * @param remaining what remained
	 * @param limit the limit, when reported
	 * @param resetAt when the limit resets, when reported
	 * @param reportedAt when the response arrived
	 */
	public record ReportedLimit(String source, long remaining, @Nullable Long limit, @Nullable Instant resetAt,
			Instant reportedAt) {
	}

}
