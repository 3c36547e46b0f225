package io.lionfuncs.network;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import io.lionfuncs.network.limit.BucketSettings;
import io.lionfuncs.network.limit.TokenBucket;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;

/**
 * The usage true-up of the {@link BudgetGate}: reads what a call really used, gives an
 * over-estimate back to the API-token bucket and takes an under-estimate from it, and
 * keeps the debt that under-estimates run up, which delays the calls that reserved
 * before it was run up.
 */
final class UsageTrueUp {

	private static final Logger logger = LoggerFactory.getLogger(UsageTrueUp.class);

	private final String executorName;

	private final @Nullable UsageExtractor usageExtractor;

	private final @Nullable TokenBucket apiTokensBucket;

	final LongAdder callsWithUsage = new LongAdder();

	final LongAdder estimatedApiTokens = new LongAdder();

	final LongAdder actualApiTokens = new LongAdder();

	final LongAdder refundedApiTokens = new LongAdder();

	final LongAdder overdrawnApiTokens = new LongAdder();

	final LongAdder callsWithoutUsage = new LongAdder();

	/** API tokens taken beyond estimates less those given back, since the start. */
	private final AtomicLong apiTokensDebt = new AtomicLong();

	UsageTrueUp(String executorName, @Nullable UsageExtractor usageExtractor, @Nullable TokenBucket apiTokensBucket) {
		this.executorName = executorName;
		this.usageExtractor = usageExtractor;
		this.apiTokensBucket = apiTokensBucket;
	}

	/**
	 * Whether usage is read at all.
	 */
	boolean isEnabled() {
		return this.usageExtractor != null;
	}

	/**
	 * Reconciles the API-token bucket with what a call really used.
	 * @param statusCode the final status code, or a negative value without a response
	 * @param reportedUsed the tokens used as the holder counted them, or {@code null} to
	 * read them from the result
	 * @return the tokens used, or {@code null} when unknown
	 */
	@Nullable Long trueUp(long estimate, boolean reserved, @Nullable CallResult result, int statusCode,
			@Nullable Long reportedUsed) {
		if (this.usageExtractor == null) {
			return null;
		}
		if (statusCode == HttpStatus.TOO_MANY_REQUESTS.value()) {
			// Refused: the provider counted no tokens, so neither do we.
			if (reserved && estimate > 0 && this.apiTokensBucket != null) {
				this.apiTokensBucket.refund(estimate);
				this.refundedApiTokens.add(estimate);
				this.apiTokensDebt.addAndGet(-estimate);
			}
			return 0L;
		}
		Long used;
		if (reportedUsed != null) {
			used = (reportedUsed >= 0) ? reportedUsed : null;
		}
		else if (result == null) {
			return null;
		}
		else {
			used = extract(result);
		}
		if (used == null) {
			this.callsWithoutUsage.increment();
			return null;
		}
		this.callsWithUsage.increment();
		this.estimatedApiTokens.add(estimate);
		this.actualApiTokens.add(used);
		TokenBucket bucket = this.apiTokensBucket;
		if (bucket != null) {
			settle(bucket, estimate, reserved, used);
		}
		return used;
	}

	/**
	 * A call was cancelled by its holder, who tells the API tokens it used so far: what
	 * the estimate left unused goes back to the API-token bucket, what it used beyond is
	 * taken.
	 * @return the tokens used, or {@code null} when nothing was reconciled
	 */
	@Nullable Long returnUnused(long estimate, boolean reserved, long used) {
		TokenBucket bucket = this.apiTokensBucket;
		if (bucket == null) {
			return null;
		}
		settle(bucket, estimate, reserved, used);
		return used;
	}

	/**
	 * Gives back to the bucket what the reservation took beyond the tokens used, or takes
	 * what was used beyond it.
	 */
	private void settle(TokenBucket bucket, long estimate, boolean reserved, long used) {
		long difference = (reserved ? estimate : 0) - used;
		if (difference > 0) {
			bucket.refund(difference);
			this.refundedApiTokens.add(difference);
		}
		else if (difference < 0) {
			bucket.forceConsume(-difference);
			this.overdrawnApiTokens.add(-difference);
		}
		this.apiTokensDebt.addAndGet(-difference);
	}

	private @Nullable Long extract(CallResult result) {
		try {
			Long used = Objects.requireNonNull(this.usageExtractor).apiTokensUsed(result);
			return (used != null && used >= 0) ? used : null;
		}
		catch (RuntimeException ex) {
			logger.warn("Executor '{}': usage extractor {} failed; the call's estimate stands", this.executorName,
					this.usageExtractor, ex);
			return null;
		}
	}

	/**
	 * The API tokens calls took beyond their estimates, less those given back, so far.
	 * A call that reserves notes it: when the mark has grown by the time its tokens
	 * exist, calls that ended meanwhile used more than they reserved, and that debt
	 * delays this call just as it delays every call reserving after it. Without this, up
	 * to {@code concurrencyLimit - 1} calls already waiting for their tokens would leave
	 * ahead of the debt and exceed the bucket's bound.
	 * @return the current mark
	 */
	long apiTokensDebt() {
		return this.apiTokensDebt.get();
	}

	/**
	 * The debt run up since a mark.
	 * @param mark a value of {@link #apiTokensDebt()}
	 * @return the tokens taken beyond estimates since then, net of refunds; zero if none
	 */
	long apiTokensDebtSince(long mark) {
		return Math.max(0, this.apiTokensDebt.get() - mark);
	}

	/**
	 * How long a call whose tokens exist must still wait for debt run up since it
	 * reserved: the time the API-token bucket takes to refill that debt, or less when
	 * the bucket holds enough now (it never waits for the calls reserving after it).
	 * @param debt the debt since the call reserved, see {@link #apiTokensDebtSince(long)}
	 * @return the time in nanoseconds, zero without an API-token bucket
	 */
	long apiTokensDebtHoldNanos(long debt) {
		TokenBucket bucket = this.apiTokensBucket;
		if (bucket == null || debt <= 0) {
			return 0;
		}
		long shortfall = Math.min(debt, -bucket.availableTokens());
		if (shortfall <= 0) {
			return 0;
		}
		BucketSettings shape = bucket.settings();
		return (long) Math.ceil(Math.min(shortfall * (double) shape.period().toNanos() / shape.rate(), 1e18));
	}

}
