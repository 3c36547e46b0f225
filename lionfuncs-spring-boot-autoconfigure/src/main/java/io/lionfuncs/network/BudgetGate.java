package io.lionfuncs.network;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.lionfuncs.network.budget.BudgetSettings;
import io.lionfuncs.network.budget.BudgetStats;
import io.lionfuncs.network.budget.ExecutorPause;
import io.lionfuncs.network.budget.ExecutorPauseListener;
import io.lionfuncs.network.budget.ProviderLimit;
import io.lionfuncs.network.limit.BucketSettings;
import io.lionfuncs.network.limit.TokenBucket;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;

/**
 * The budget gate of an executor: keeps its buckets in line with what its provider
 * reports, and holds its pause state. The stages call it at three points: when a
 * response arrives ({@link #onResponse}), when a call ends ({@link #afterCall}), and
 * before a call leaves ({@link #holdNanos}). With every budget feature off it is
 * {@linkplain #isActive() inactive} and the stages skip it.
 * <ul>
 * <li><strong>True-up.</strong> {@code numApiTokensNeeded} is an estimate, reserved
 * before the call. Once the call returns, the {@link UsageExtractor} reads what it
 * really used: an over-estimate is given back to the API-token bucket, an
 * under-estimate is taken from it (into debt if need be, which delays the calls that
 * reserve next). A call refused with 429 gives back its whole estimate.</li>
 * <li><strong>Provider headers.</strong> When a provider reports that fewer requests or
 * tokens remain than the local bucket would let through before the limit resets, the
 * bucket is lowered so that no more than what remains can leave before the reset,
 * counting the calls already holding reserved tokens. A bucket is never raised, and
 * the same headers seen twice change nothing more.</li>
 * <li><strong>Pause.</strong> A 429 (or a 503 with {@code Retry-After}, or any error
 * with {@code retry-after-ms}), or a provider reporting nothing left of a limit,
 * pauses dispatch until the indicated time: no call leaves, not even those whose tokens
 * are reserved, and the buckets are treated as empty until then so that the queue
 * resumes at the configured rate rather than in a burst.</li>
 * </ul>
 */
final class BudgetGate {

	/**
	 * Pauses for a reported limit shorter than this are left to the buckets: a limit
	 * refilled continuously gives a unit back within milliseconds.
	 */
	private static final Duration MIN_PROVIDER_PAUSE = Duration.ofMillis(100);

	/** A call that ended without a response. */
	private static final int NO_STATUS_CODE = -1;

	/** The most tokens one adjustment takes, far beyond any real bucket's reach. */
	private static final double MAX_ADJUSTMENT = 1e15;

	private final String executorName;

	private final BudgetSettings settings;

	private final TokenBucket requestsBucket;

	private final @Nullable TokenBucket apiTokensBucket;

	private final Clock clock;

	private final Supplier<Reservations> reservations;

	private final RateLimitHeaders headers;

	private final Map<String, BudgetStats.ReportedLimit> reportedLimits = new ConcurrentHashMap<>();

	private final LongAdder rateLimitedResponses = new LongAdder();

	private final LongAdder providerAdjustments = new LongAdder();

	private final UsageTrueUp usage;

	private final PauseState pause;

	private final boolean active;

	private final boolean tracksDebt;

	/**
	 * Creates the budget gate of one executor.
	 * @param executorName the executor's name
	 * @param settings what to read and act on
	 * @param usageExtractor reads the tokens a call used; {@code null} for the settings'
	 * JSON pointers
	 * @param requestsBucket the executor's request bucket
	 * @param apiTokensBucket the executor's API-token bucket, {@code null} when disabled
	 * @param clock the wall clock, for reported reset instants and pause ends
	 * @param nanoClock the monotonic clock of the executor's scheduler, for pause timing
	 * @param reservations the requests and API tokens reserved by calls that have not
	 * left yet
	 * @param listeners told of every pause
	 */
	BudgetGate(String executorName, BudgetSettings settings, @Nullable UsageExtractor usageExtractor,
			TokenBucket requestsBucket, @Nullable TokenBucket apiTokensBucket, Clock clock, LongSupplier nanoClock,
			Supplier<Reservations> reservations, List<ExecutorPauseListener> listeners) {
		this.executorName = executorName;
		this.settings = settings;
		this.usage = new UsageTrueUp(executorName,
				!settings.usageEnabled() ? null
						: (usageExtractor != null) ? usageExtractor : defaultUsageExtractor(settings.usageJsonPointers()),
				apiTokensBucket);
		this.requestsBucket = requestsBucket;
		this.apiTokensBucket = apiTokensBucket;
		this.clock = clock;
		this.reservations = reservations;
		this.headers = new RateLimitHeaders(executorName);
		this.pause = new PauseState(executorName, clock, nanoClock, listeners);
		this.active = settings.usageEnabled() || settings.providerHeadersEnabled() || settings.pauseEnabled();
		this.tracksDebt = this.usage.isEnabled() && apiTokensBucket != null;
	}

	/**
	 * The extractor of the configured pointers; the default pointer reads every common
	 * provider's usage ({@link UsageExtractor#providerDefaults()}).
	 */
	private static UsageExtractor defaultUsageExtractor(List<String> pointers) {
		return pointers.equals(BudgetSettings.DEFAULT_USAGE_JSON_POINTERS) ? UsageExtractor.providerDefaults()
				: UsageExtractor.jsonPointers(pointers);
	}

	/**
	 * Whether any budget feature is on: when not, no call needs the gate.
	 */
	boolean isActive() {
		return this.active;
	}

	/**
	 * Whether under-estimates run up a debt that holds back later calls: usage true-up
	 * with an API-token bucket.
	 */
	boolean tracksDebt() {
		return this.tracksDebt;
	}

	/**
	 * Whether calls should report each response they receive (see
	 * {@link ResponseObserver}): provider headers or pauses are on.
	 * @return whether responses of retried attempts matter
	 */
	boolean observesResponses() {
		return this.settings.providerHeadersEnabled() || this.settings.pauseEnabled();
	}

	// ---------------------------------------------------------------- responses

	/**
	 * A response arrived, possibly one of several attempts of a call: reads the
	 * provider's rate-limit headers and pauses on 429.
	 * @param statusCode the status code
	 * @param responseHeaders the response headers
	 */
	void onResponse(int statusCode, Map<String, String> responseHeaders) {
		if (statusCode == HttpStatus.TOO_MANY_REQUESTS.value()) {
			this.rateLimitedResponses.increment();
		}
		if (!observesResponses()) {
			return;
		}
		Map<String, String> relevant = RateLimitHeaders.relevant(responseHeaders);
		if (relevant.isEmpty() && statusCode < 400) {
			// No limit reported, nothing asked to wait: the common answer costs nothing more.
			return;
		}
		Instant now = this.clock.instant();
		Reservations held = null;
		if (this.settings.providerHeadersEnabled()) {
			for (ProviderLimit limit : this.headers.limits(relevant, now)) {
				held = (held != null) ? held : this.reservations.get();
				applyReportedLimit(limit, held, now);
			}
		}
		if (this.settings.pauseEnabled()) {
			Duration delay = pauseAsked(statusCode, relevant, now);
			if (delay != null) {
				pauseAfterResponse(delay, reason(statusCode, relevant), statusCode,
						(held != null) ? held : this.reservations.get());
			}
		}
	}

	private void applyReportedLimit(ProviderLimit limit, Reservations held, Instant now) {
		String key = limit.kind().key();
		Instant resetAt = (limit.resetAfter() != null) ? now.plus(limit.resetAfter()) : null;
		BudgetStats.ReportedLimit reported = new BudgetStats.ReportedLimit(limit.source(), limit.remaining(),
				limit.limit(), resetAt, now);
		this.reportedLimits.merge(key, reported, (previous, current) -> (previous.reportedAt().equals(now)
				&& previous.remaining() < current.remaining()) ? previous : current);
		TokenBucket bucket = limit.kind().boundsApiTokens() ? this.apiTokensBucket : this.requestsBucket;
		if (bucket != null) {
			long heldUnits = limit.kind().boundsApiTokens() ? held.apiTokens() : held.requests();
			Long refillsTo = limit.continuousRefill() ? limit.limit() : null;
			if (lower(bucket, limit.remaining(), heldUnits, limit.resetAfter(), refillsTo)) {
				this.providerAdjustments.increment();
			}
		}
		if (limit.remaining() <= 0 && this.settings.pauseEnabled()) {
			Duration pause = untilOneUnitIsBack(limit);
			if (pause != null && pause.compareTo(MIN_PROVIDER_PAUSE) >= 0) {
				pause(pause, "provider reported no " + key + " remaining (" + limit.source() + " headers)", null);
			}
		}
	}

	/**
	 * How long until a limit with nothing left lets one call through: its reset, or for
	 * a limit refilled continuously, the time it takes to refill one unit.
	 */
	private @Nullable Duration untilOneUnitIsBack(ProviderLimit limit) {
		Duration reset = limit.resetAfter();
		if (reset == null) {
			return capped(this.settings.defaultPause());
		}
		Long refillsTo = limit.continuousRefill() ? limit.limit() : null;
		if (refillsTo != null && refillsTo - limit.remaining() > 1) {
			return capped(reset.dividedBy(refillsTo - limit.remaining()));
		}
		return capped(reset);
	}

	/**
	 * The pause a response asks for: a 429 always (its {@code Retry-After}, or the
	 * default pause), a 503 with {@code Retry-After}, and any other error with
	 * {@code retry-after-ms}.
	 */
	private @Nullable Duration pauseAsked(int statusCode, Map<String, String> relevant, Instant now) {
		if (statusCode < 400) {
			return null;
		}
		boolean rateLimited = statusCode == HttpStatus.TOO_MANY_REQUESTS.value();
		boolean unavailable = statusCode == HttpStatus.SERVICE_UNAVAILABLE.value();
		if (!rateLimited && !unavailable && !relevant.containsKey(RateLimitHeaders.RETRY_AFTER_MS)) {
			return null;
		}
		Duration retryAfter = this.headers.retryAfter(relevant, now);
		if (retryAfter == null) {
			return rateLimited ? capped(this.settings.defaultPause()) : null;
		}
		return capped(retryAfter);
	}

	private static String reason(int statusCode, Map<String, String> relevant) {
		HttpStatus status = HttpStatus.resolve(statusCode);
		String text = (status != null) ? statusCode + " " + status.getReasonPhrase() : String.valueOf(statusCode);
		if (relevant.containsKey(RateLimitHeaders.RETRY_AFTER_MS)) {
			return text + " (retry-after-ms)";
		}
		return relevant.containsKey("retry-after") ? text + " (Retry-After)" : text + " (default pause)";
	}

	/**
	 * A pause caused by a response. The provider said nothing more may be sent before it
	 * ends, so both buckets are treated as empty until then: the queue resumes at the
	 * configured rate, not in a burst.
	 */
	private void pauseAfterResponse(Duration delay, String reason, int statusCode, Reservations held) {
		ExecutorPause pause = pause(delay, reason, statusCode);
		if (pause == null) {
			return;
		}
		Duration lasting = pause.duration();
		lower(this.requestsBucket, 0, held.requests(), lasting, null);
		if (this.apiTokensBucket != null) {
			lower(this.apiTokensBucket, 0, held.apiTokens(), lasting, null);
		}
	}

	/**
	 * Lowers a bucket so that, with what calls have reserved but not yet sent, no more
	 * than {@code remaining} leaves before the reset. With a limit refilled
	 * continuously the provider gives back up to {@code refillsTo} by the reset, which
	 * offsets the local refill over the same time. Never raises the bucket; applying the
	 * same report twice takes nothing more, since the level and the target move alike
	 * with time.
	 * @return whether tokens were taken
	 */
	static boolean lower(TokenBucket bucket, long remaining, long held, @Nullable Duration resetAfter,
			@Nullable Long refillsTo) {
		BucketSettings shape = bucket.settings();
		double untilReset = (resetAfter != null) ? resetAfter.toNanos() : 0;
		double localRefill = shape.rate() * untilReset / shape.period().toNanos();
		double providerRefill = (refillsTo != null) ? Math.max(0, refillsTo - remaining) : 0;
		double target = remaining - held - Math.max(0, localRefill - providerRefill);
		double excess = bucket.availableTokens() - target;
		if (excess <= 1e-6) {
			return false;
		}
		bucket.forceConsume((long) Math.ceil(Math.min(excess, MAX_ADJUSTMENT)));
		return true;
	}

	// ---------------------------------------------------------------- true-up

	/**
	 * A call ended: reads the final response (unless every response was already
	 * reported through {@link #onResponse}) and reconciles the API-token bucket with
	 * what the call really used.
	 * @param estimate the API tokens the call reserved as {@code numApiTokensNeeded}
	 * @param reserved whether the estimate was taken from the API-token bucket
	 * @param result the result, or {@code null} when the call failed
	 * @param error the failure, or {@code null}
	 * @param responsesObserved whether the call reported its responses as they came
	 * @return the API tokens the call used, or {@code null} when unknown
	 */
	@Nullable Long afterCall(long estimate, boolean reserved, @Nullable CallResult result, @Nullable Throwable error,
			boolean responsesObserved) {
		return afterCall(estimate, reserved, result, error, responsesObserved, null);
	}

	/**
	 * A call ended, its holder telling the API tokens it used (a stream or an intercepted
	 * call counts them itself); see {@link #afterCall(long, boolean, CallResult, Throwable, boolean)}.
	 * @param used the tokens used, or {@code null} to read them from the result
	 * @return the API tokens the call used, or {@code null} when unknown
	 */
	@Nullable Long afterCall(long estimate, boolean reserved, @Nullable CallResult result, @Nullable Throwable error,
			boolean responsesObserved, @Nullable Long used) {
		int statusCode = NO_STATUS_CODE;
		Map<String, String> responseHeaders = Map.of();
		if (result != null) {
			statusCode = result.statusCode();
			responseHeaders = result.headers();
		}
		else if (unwrap(error) instanceof ResponseDetails response && response.statusCode() != null) {
			statusCode = response.statusCode();
			responseHeaders = response.responseHeaders();
		}
		// True up first: what the headers say is measured against the reconciled level.
		Long trueUsed = this.usage.trueUp(estimate, reserved, result, statusCode, used);
		if (statusCode != NO_STATUS_CODE && !responsesObserved) {
			onResponse(statusCode, responseHeaders);
		}
		return trueUsed;
	}

	/**
	 * A call was cancelled by its holder, who tells the API tokens it used so far: what
	 * the estimate left unused goes back to the API-token bucket, what it used beyond is
	 * taken.
	 * @return the tokens used, or {@code null} when nothing was reconciled
	 */
	@Nullable Long returnUnused(long estimate, boolean reserved, long used) {
		return this.usage.returnUnused(estimate, reserved, used);
	}

	/**
	 * Counts a final 429 while every budget feature is off, as the statistics always do.
	 */
	void countIfRateLimited(@Nullable CallResult result, @Nullable Throwable error) {
		if (result != null) {
			if (result.statusCode() == HttpStatus.TOO_MANY_REQUESTS.value()) {
				this.rateLimitedResponses.increment();
			}
			return;
		}
		Integer statusCode = (unwrap(error) instanceof ResponseDetails response) ? response.statusCode() : null;
		if (statusCode != null && statusCode == HttpStatus.TOO_MANY_REQUESTS.value()) {
			this.rateLimitedResponses.increment();
		}
	}

	private static @Nullable Throwable unwrap(@Nullable Throwable error) {
		Throwable cause = error;
		while ((cause instanceof CompletionException || cause instanceof ExecutionException)
				&& cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

	/**
	 * The API tokens calls took beyond their estimates, less those given back, so far;
	 * see {@link UsageTrueUp#apiTokensDebt()}.
	 * @return the current mark
	 */
	long apiTokensDebt() {
		return this.usage.apiTokensDebt();
	}

	long apiTokensDebtSince(long mark) {
		return this.usage.apiTokensDebtSince(mark);
	}

	long apiTokensDebtHoldNanos(long debt) {
		return this.usage.apiTokensDebtHoldNanos(debt);
	}

	// ---------------------------------------------------------------- hold

	/**
	 * Notes the debt a task reserves after: debt run up later delays it too.
	 */
	void noteReservation(ExecutorTask task) {
		if (this.tracksDebt) {
			task.apiTokensDebtMark = this.usage.apiTokensDebt();
		}
	}

	/**
	 * Whether a task whose tokens exist must still wait: while paused, and until the debt
	 * that calls ended since it reserved ran up (they used more API tokens than
	 * estimated) has refilled, as that debt delays the tasks reserving after it.
	 */
	boolean mustHold(ExecutorTask task) {
		return pauseRemainingNanos() > 0
				|| (this.tracksDebt && task.reservedApiTokens() && apiTokensDebtSince(task.apiTokensDebtMark) > 0);
	}

	/**
	 * How long a task about to leave must still wait; moves its debt mark past the debt
	 * it waits for.
	 * @return nanoseconds, zero when it may leave now
	 */
	long holdNanos(ExecutorTask task) {
		long holdNanos = pauseRemainingNanos();
		if (this.tracksDebt && task.reservedApiTokens()) {
			long debt = apiTokensDebtSince(task.apiTokensDebtMark);
			if (debt > 0) {
				task.apiTokensDebtMark += debt;
				holdNanos = Math.max(holdNanos, apiTokensDebtHoldNanos(debt));
			}
		}
		return holdNanos;
	}

	// ---------------------------------------------------------------- pause

	/**
	 * Pauses dispatch for the given time, or extends the current pause to its end. A
	 * pause that would end sooner than the current one changes nothing. Pauses caused by
	 * responses are capped by {@link BudgetSettings#maxPause()}; this one is not.
	 * @param duration how long
	 * @param reason why, for the endpoint, logs and listeners; must hold no secret
	 * @param statusCode the status of the response that caused it, if one did
	 * @return the pause, or {@code null} when it changed nothing
	 */
	@Nullable ExecutorPause pause(Duration duration, String reason, @Nullable Integer statusCode) {
		return this.pause.pause(duration, reason, statusCode);
	}

	/**
	 * How long dispatch stays paused.
	 * @return nanoseconds until the pause ends, zero when not paused
	 */
	long pauseRemainingNanos() {
		return this.pause.remainingNanos();
	}

	/**
	 * When dispatch resumes.
	 * @return the end of the pause, or {@code null} when not paused
	 */
	@Nullable Instant pausedUntil() {
		ExecutorPause current = this.pause.current();
		return (current != null) ? current.pausedUntil() : null;
	}

	void addListener(ExecutorPauseListener listener) {
		this.pause.addListener(listener);
	}

	boolean removeListener(ExecutorPauseListener listener) {
		return this.pause.removeListener(listener);
	}

	// ---------------------------------------------------------------- views

	/**
	 * A point-in-time view of the budgets.
	 * @return the statistics
	 */
	BudgetStats stats() {
		ExecutorPause current = this.pause.current();
		Map<String, BudgetStats.ReportedLimit> limits = new LinkedHashMap<>();
		for (ProviderLimit.Kind kind : ProviderLimit.Kind.values()) {
			BudgetStats.ReportedLimit limit = this.reportedLimits.get(kind.key());
			if (limit != null) {
				limits.put(kind.key(), limit);
			}
		}
		UsageTrueUp usage = this.usage;
		return new BudgetStats(usage.callsWithUsage.sum(), usage.estimatedApiTokens.sum(), usage.actualApiTokens.sum(),
				usage.refundedApiTokens.sum(), usage.overdrawnApiTokens.sum(), usage.callsWithoutUsage.sum(),
				this.rateLimitedResponses.sum(), this.providerAdjustments.sum(), this.pause.count(),
				(current != null) ? current.pausedUntil() : null, (current != null) ? current.reason() : null,
				limits);
	}

	/**
	 * A pause asked for by a response, within {@link BudgetSettings#maxPause()}.
	 */
	private @Nullable Duration capped(Duration duration) {
		if (duration.isNegative() || duration.isZero()) {
			return null;
		}
		return (duration.compareTo(this.settings.maxPause()) > 0) ? this.settings.maxPause() : duration;
	}

	@Override
	public String toString() {
		return "BudgetGate[" + this.executorName + "]";
	}

	/**
	 * What calls that have not left yet hold in each bucket: the provider has not
	 * counted them, but will.
	 *
	 * @param requests request tokens reserved
	 * @param apiTokens API tokens reserved
	 */
	record Reservations(long requests, long apiTokens) {

		/** Nothing reserved. */
		static final Reservations NONE = new Reservations(0, 0);

	}

}
