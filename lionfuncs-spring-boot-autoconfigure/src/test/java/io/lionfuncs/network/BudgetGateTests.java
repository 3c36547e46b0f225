package io.lionfuncs.network;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

import io.github.bucket4j.TimeMeter;
import io.lionfuncs.network.budget.BudgetSettings;
import io.lionfuncs.network.budget.BudgetStats;
import io.lionfuncs.network.budget.ExecutorPause;
import io.lionfuncs.network.limit.BucketSettings;
import io.lionfuncs.network.limit.LocalTokenBucket;
import io.lionfuncs.network.limit.TokenBucket;
import org.jspecify.annotations.Nullable;
import io.lionfuncs.testsupport.MutableClock;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link BudgetGate} on local buckets and a hand-driven clock: how
 * reported limits lower the buckets, when responses pause dispatch, and the usage
 * true-up.
 */
class BudgetGateTests {

	private long nanos;

	private final MutableClock clock = new MutableClock(Instant.EPOCH);

	private final TimeMeter timeMeter = new TimeMeter() {

		@Override
		public long currentTimeNanos() {
			return BudgetGateTests.this.nanos;
		}

		@Override
		public boolean isWallClockBased() {
			return false;
		}

	};

	/** 10 requests per second, burst 100. */
	private final TokenBucket requests = new LocalTokenBucket(new BucketSettings(100, 10, Duration.ofSeconds(1)),
			this.timeMeter);

	/** 1000 API tokens per second, burst 1000. */
	private final TokenBucket apiTokens = new LocalTokenBucket(new BucketSettings(1000, 1000, Duration.ofSeconds(1)),
			this.timeMeter);

	private final List<ExecutorPause> pauses = new ArrayList<>();

	private BudgetGate.Reservations held = BudgetGate.Reservations.NONE;

	private BudgetGate controller(BudgetSettings settings) {
		return new BudgetGate("test", settings, null, this.requests, this.apiTokens, this.clock,
				() -> this.nanos, () -> this.held, List.of(this.pauses::add));
	}

	private void advance(Duration duration) {
		this.nanos += duration.toNanos();
		this.clock.advance(duration);
	}

	@Test
	void reportedRemainingLowersTheBucketSoThatNoMoreLeavesBeforeTheReset() {
		BudgetGate controller = controller(BudgetSettings.defaults());

		controller.onResponse(200, Map.of("RateLimit-Remaining", "20", "RateLimit-Reset", "5"));

		assertThat(this.requests.availableTokens()).as("20 - 10/s * 5 s").isEqualTo(-30);
		advance(Duration.ofSeconds(5));
		assertThat(this.requests.availableTokens()).as("what remains, at the reset").isEqualTo(20);
		assertThat(controller.stats().providerAdjustments()).isEqualTo(1);
		assertThat(controller.stats().providerLimits()).containsEntry("quota",
				new BudgetStats.ReportedLimit("ietf", 20, null, Instant.EPOCH.plusSeconds(5), Instant.EPOCH));
	}

	@Test
	void theSameReportTwiceChangesNothingMore() {
		BudgetGate controller = controller(BudgetSettings.defaults());
		controller.onResponse(200, Map.of("x-ratelimit-remaining-requests", "20", "x-ratelimit-reset-requests", "5s"));
		long level = this.requests.availableTokens();

		controller.onResponse(200, Map.of("x-ratelimit-remaining-requests", "20", "x-ratelimit-reset-requests", "5s"));
		assertThat(this.requests.availableTokens()).isEqualTo(level);
		advance(Duration.ofSeconds(1));
		controller.onResponse(200, Map.of("x-ratelimit-remaining-requests", "20", "x-ratelimit-reset-requests", "4s"));
		assertThat(this.requests.availableTokens()).isEqualTo(level + 10);
		assertThat(controller.stats().providerAdjustments()).isEqualTo(1);
	}

	@Test
	void aBucketIsNeverRaised() {
		BudgetGate controller = controller(BudgetSettings.defaults());
		this.requests.reserve(90);

		controller.onResponse(200, Map.of("x-ratelimit-remaining-requests", "5000", "x-ratelimit-reset-requests", "0s",
				"x-ratelimit-remaining-tokens", "999999"));

		assertThat(this.requests.availableTokens()).isEqualTo(10);
		assertThat(this.apiTokens.availableTokens()).isEqualTo(1000);
		assertThat(controller.stats().providerAdjustments()).isZero();
	}

	@Test
	void callsHoldingReservedTokensCountAgainstWhatRemains() {
		BudgetGate controller = controller(BudgetSettings.defaults());
		this.held = new BudgetGate.Reservations(3, 700);

		controller.onResponse(200, Map.of("x-ratelimit-remaining-requests", "10", "x-ratelimit-remaining-tokens", "900"));

		assertThat(this.requests.availableTokens()).isEqualTo(7);
		assertThat(this.apiTokens.availableTokens()).isEqualTo(200);
	}

	@Test
	void aLimitRefilledContinuouslyOffsetsTheLocalRefill() {
		BudgetGate controller = controller(BudgetSettings.defaults());

		controller.onResponse(200, Map.of("x-ratelimit-limit-requests", "60", "x-ratelimit-remaining-requests", "10",
				"x-ratelimit-reset-requests", "5s"));

		assertThat(this.requests.availableTokens()).as("provider refills 50 by the reset, as fast as we do")
			.isEqualTo(10);
	}

	@Test
	void tokenLimitsOfEveryKindLowerTheApiTokenBucket() {
		BudgetGate controller = controller(BudgetSettings.defaults());

		controller.onResponse(200,
				Map.of("anthropic-ratelimit-output-tokens-remaining", "300", "anthropic-ratelimit-input-tokens-remaining",
						"800", "anthropic-ratelimit-requests-remaining", "50"));

		assertThat(this.apiTokens.availableTokens()).isEqualTo(300);
		assertThat(this.requests.availableTokens()).isEqualTo(50);
		assertThat(controller.stats().providerLimits()).containsOnlyKeys("requests", "input-tokens", "output-tokens");
	}

	@Test
	void aDistantResetCanPutTheBucketDeepIntoDebt() {
		BudgetGate controller = controller(BudgetSettings.defaults());

		controller.onResponse(200, Map.of("x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "1h"));

		assertThat(this.requests.availableTokens()).isEqualTo(-36_000);
		assertThat(this.requests.reserve(1)).isEqualTo(Duration.ofHours(1).plusMillis(100).toNanos());
	}

	@Test
	void headersAreIgnoredWhenSwitchedOff() {
		BudgetGate controller = controller(
				BudgetSettings.builder().providerHeadersEnabled(false).pauseEnabled(false).build());

		controller.onResponse(429, Map.of("x-ratelimit-remaining-requests", "0", "Retry-After", "5"));

		assertThat(this.requests.availableTokens()).isEqualTo(100);
		assertThat(controller.pausedUntil()).isNull();
		assertThat(controller.stats().rateLimitedResponses()).isEqualTo(1);
		assertThat(controller.observesResponses()).isFalse();
	}

	@Test
	void rateLimitedResponsePausesUntilRetryAfterAndEmptiesTheBucketsUntilThen() {
		BudgetGate controller = controller(BudgetSettings.defaults());
		this.held = new BudgetGate.Reservations(2, 100);

		controller.onResponse(429, Map.of("Retry-After", "2"));

		assertThat(this.pauses).singleElement().satisfies((pause) -> {
			assertThat(pause.executorName()).isEqualTo("test");
			assertThat(pause.pausedAt()).isEqualTo(Instant.EPOCH);
			assertThat(pause.pausedUntil()).isEqualTo(Instant.EPOCH.plusSeconds(2));
			assertThat(pause.reason()).isEqualTo("429 Too Many Requests (Retry-After)");
			assertThat(pause.statusCode()).isEqualTo(429);
		});
		assertThat(controller.pausedUntil()).isEqualTo(Instant.EPOCH.plusSeconds(2));
		assertThat(controller.pauseRemainingNanos()).isEqualTo(Duration.ofSeconds(2).toNanos());
		advance(Duration.ofSeconds(2));
		assertThat(this.requests.availableTokens()).as("calls holding tokens leave at the end; new ones wait")
			.isEqualTo(-2);
		assertThat(this.apiTokens.availableTokens()).isEqualTo(-100);
		assertThat(controller.pausedUntil()).isNull();
		assertThat(controller.pauseRemainingNanos()).isZero();
		assertThat(controller.stats().pauses()).isEqualTo(1);
	}

	@Test
	void aPauseIsExtendedOnlyByALaterEnd() {
		BudgetGate controller = controller(BudgetSettings.defaults());
		controller.onResponse(429, Map.of("Retry-After", "2"));
		controller.onResponse(429, Map.of("Retry-After", "2"));
		controller.onResponse(429, Map.of("retry-after-ms", "500"));
		assertThat(this.pauses).hasSize(1);

		advance(Duration.ofSeconds(1));
		controller.onResponse(429, Map.of("Retry-After", "2"));

		assertThat(this.pauses).hasSize(2);
		assertThat(controller.pausedUntil()).isEqualTo(Instant.EPOCH.plusSeconds(3));
		assertThat(controller.stats().pauseReason()).isEqualTo("429 Too Many Requests (Retry-After)");
	}

	@Test
	void whichResponsesPause() {
		assertThat(pauseFor(503, Map.of("Retry-After", "3"))).isEqualTo(Duration.ofSeconds(3));
		assertThat(pauseFor(503, Map.of())).isNull();
		assertThat(pauseFor(500, Map.of("retry-after-ms", "1500"))).isEqualTo(Duration.ofMillis(1500));
		assertThat(pauseFor(500, Map.of("Retry-After", "3"))).isNull();
		assertThat(pauseFor(200, Map.of("Retry-After", "3"))).isNull();
		assertThat(pauseFor(429, Map.of())).as("default pause").isEqualTo(Duration.ofSeconds(1));
		assertThat(pauseFor(429, Map.of("Retry-After", "0"))).isNull();
		assertThat(pauseFor(429, Map.of("Retry-After", "86400"))).as("capped").isEqualTo(Duration.ofMinutes(5));
	}

	private @Nullable Duration pauseFor(int status, Map<String, String> headers) {
		this.pauses.clear();
		this.nanos += Duration.ofDays(1).toNanos();
		this.clock.advance(Duration.ofDays(1));
		controller(BudgetSettings.defaults()).onResponse(status, headers);
		return this.pauses.isEmpty() ? null : this.pauses.get(0).duration();
	}

	@Test
	void nothingRemainingPausesUntilTheLimitGivesOneUnitBack() {
		BudgetGate controller = controller(BudgetSettings.defaults());

		controller.onResponse(200, Map.of("x-ratelimit-remaining-requests", "0", "x-ratelimit-reset-requests", "2s"));
		assertThat(controller.pausedUntil()).as("fixed window: until the reset").isEqualTo(Instant.EPOCH.plusSeconds(2));
		assertThat(this.pauses).singleElement()
			.satisfies((pause) -> assertThat(pause.reason())
				.isEqualTo("provider reported no requests remaining (openai headers)"));

		advance(Duration.ofSeconds(10));
		controller.onResponse(200, Map.of("x-ratelimit-limit-requests", "10", "x-ratelimit-remaining-requests", "0",
				"x-ratelimit-reset-requests", "5s"));
		assertThat(controller.pausedUntil()).as("continuous: until one request is back")
			.isEqualTo(Instant.EPOCH.plusSeconds(10).plusMillis(500));

		advance(Duration.ofSeconds(10));
		controller.onResponse(200, Map.of("x-ratelimit-limit-tokens", "90000", "x-ratelimit-remaining-tokens", "0",
				"x-ratelimit-reset-tokens", "60s"));
		assertThat(controller.pausedUntil()).as("a token comes back within a millisecond").isNull();
	}

	@Test
	void usageTrueUpGivesBackOverEstimatesAndTakesUnderEstimates() {
		BudgetGate controller = controller(BudgetSettings.defaults());
		this.apiTokens.reserve(300);
		this.apiTokens.reserve(100);

		assertThat(controller.afterCall(300, true, usage(120), null, false)).isEqualTo(120L);
		assertThat(this.apiTokens.availableTokens()).isEqualTo(780);
		assertThat(controller.afterCall(100, true, usage(250), null, false)).isEqualTo(250L);
		assertThat(this.apiTokens.availableTokens()).isEqualTo(630);
		assertThat(controller.afterCall(0, false, usage(30), null, false)).as("nothing reserved: all of it taken")
			.isEqualTo(30L);
		assertThat(this.apiTokens.availableTokens()).isEqualTo(600);

		BudgetStats stats = controller.stats();
		assertThat(stats.callsWithUsage()).isEqualTo(3);
		assertThat(stats.estimatedApiTokens()).isEqualTo(400);
		assertThat(stats.actualApiTokens()).isEqualTo(400);
		assertThat(stats.refundedApiTokens()).isEqualTo(180);
		assertThat(stats.overdrawnApiTokens()).isEqualTo(180);
		assertThat(stats.actualToEstimatedRatio()).isEqualTo(1.0);
		assertThat(controller.apiTokensDebt()).isEqualTo(0);
	}

	@Test
	void debtIsMeasuredFromAMark() {
		BudgetGate controller = controller(BudgetSettings.defaults());
		this.apiTokens.reserve(1000);
		long mark = controller.apiTokensDebt();

		controller.afterCall(100, true, usage(350), null, false);
		controller.afterCall(100, true, usage(50), null, false);

		assertThat(controller.apiTokensDebtSince(mark)).isEqualTo(200);
		assertThat(controller.apiTokensDebtHoldNanos(200)).isEqualTo(Duration.ofMillis(200).toNanos());
		assertThat(controller.apiTokensDebtSince(controller.apiTokensDebt())).isZero();
		advance(Duration.ofMillis(150));
		assertThat(controller.apiTokensDebtHoldNanos(200)).as("only what the bucket lacks now")
			.isEqualTo(Duration.ofMillis(50).toNanos());
		advance(Duration.ofMillis(100));
		assertThat(controller.apiTokensDebtHoldNanos(200)).isZero();
	}

	@Test
	void rateLimitedCallGivesBackItsWholeEstimate() {
		BudgetGate controller = controller(BudgetSettings.builder().pauseEnabled(false).build());
		this.apiTokens.reserve(400);

		Long used = controller.afterCall(400, true, null, new CompletionException(new Refused(429)), false);

		assertThat(used).isZero();
		assertThat(this.apiTokens.availableTokens()).isEqualTo(1000);
		assertThat(controller.stats().refundedApiTokens()).isEqualTo(400);
	}

	@Test
	void rateLimitedCallIsGivenBackBeforeTheBucketsAreEmptiedForThePause() {
		BudgetGate controller = controller(BudgetSettings.defaults());
		this.apiTokens.reserve(400);

		controller.afterCall(400, true, null, new CompletionException(new Refused(429)), false);

		assertThat(controller.pausedUntil()).as("the refusal's headers are read")
			.isEqualTo(Instant.EPOCH.plusSeconds(1));
		advance(Duration.ofSeconds(1));
		assertThat(this.apiTokens.availableTokens()).isZero();
	}

	@Test
	void responsesReportedAsTheyCameAreNotReadAgain() {
		BudgetGate controller = controller(BudgetSettings.defaults());
		controller.onResponse(429, Map.of("Retry-After", "2"));
		advance(Duration.ofSeconds(1));

		controller.afterCall(0, false, null, new Refused(429), true);

		assertThat(this.pauses).hasSize(1);
		assertThat(controller.stats().rateLimitedResponses()).isEqualTo(1);
	}

	@Test
	void unknownUsageKeepsTheEstimate() {
		BudgetGate controller = controller(BudgetSettings.defaults());
		this.apiTokens.reserve(300);

		assertThat(controller.afterCall(300, true, CallResult.of(200, "text"), null, false)).isNull();
		assertThat(controller.afterCall(300, true, null, new IllegalStateException("boom"), false)).isNull();

		assertThat(this.apiTokens.availableTokens()).isEqualTo(700);
		assertThat(controller.stats().callsWithoutUsage()).isEqualTo(1);
	}

	@Test
	void customExtractorAndOffSwitch() {
		BudgetGate custom = new BudgetGate("test", BudgetSettings.defaults(),
				(result) -> Long.valueOf(result.headers().get("x-tokens")), this.requests, this.apiTokens, this.clock,
				() -> this.nanos, () -> this.held, List.of());
		assertThat(custom.afterCall(10, false, new CallResult(200, Map.of("x-tokens", "42"), null), null, false))
			.isEqualTo(42L);
		assertThat(custom.afterCall(10, false, new CallResult(200, Map.of("x-tokens", "many"), null), null, false))
			.as("a failing extractor leaves the estimate").isNull();

		BudgetGate off = controller(BudgetSettings.builder().usageEnabled(false).build());
		assertThat(off.afterCall(10, true, usage(500), null, false)).isNull();
		assertThat(this.apiTokens.availableTokens()).isEqualTo(1000 - 42);
	}

	@Test
	void usageIsRecordedWithoutAnApiTokenBucket() {
		BudgetGate controller = new BudgetGate("test", BudgetSettings.defaults(), null, this.requests,
				null, this.clock, () -> this.nanos, () -> this.held, List.of());

		assertThat(controller.afterCall(0, false, usage(77), null, false)).isEqualTo(77L);
		controller.onResponse(200, Map.of("x-ratelimit-remaining-tokens", "0", "x-ratelimit-reset-tokens", "3s"));
		assertThat(controller.stats().actualApiTokens()).isEqualTo(77);
		assertThat(controller.pausedUntil()).as("the provider still refuses calls").isNotNull();
	}

	private static CallResult usage(long total) {
		return CallResult.of(200, Map.of("usage", Map.of("total_tokens", total)));
	}

	/**
	 * A failure describing a refused response.
	 */
	static final class Refused extends RuntimeException implements ResponseDetails {

		private final int status;

		Refused(int status) {
			super("refused");
			this.status = status;
		}

		@Override
		public Integer statusCode() {
			return this.status;
		}

		@Override
		public Map<String, String> responseHeaders() {
			return Map.of("Retry-After", "1");
		}

		@Override
		public @Nullable String responseBodyExcerpt() {
			return null;
		}

	}

}
