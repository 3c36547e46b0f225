package io.lionfuncs.network.limit;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.function.LongSupplier;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.SynchronizationStrategy;

/**
 * A {@link TokenBucket} held in this process, on a Bucket4j bucket with greedy refill.
 * Time comes from the given {@link TimeMeter}, so tests can drive it.
 * <p>
 * The bucket is {@link SynchronizationStrategy#SYNCHRONIZED synchronized} rather than
 * lock-free: the executor reserves from one dispatcher at a time, so the lock is
 * uncontended, and unlike the lock-free strategy it does not copy the bucket's state on
 * every reservation.
 */
public final class LocalTokenBucket implements TokenBucket {

	private final BucketSettings settings;

	private final Bucket bucket;

	/**
	 * Creates a full bucket timed by {@link System#nanoTime()}.
	 * @param settings the bucket's shape
	 */
	public LocalTokenBucket(BucketSettings settings) {
		this(settings, TimeMeter.SYSTEM_NANOTIME);
	}

	/**
	 * Creates a full bucket timed by the given meter.
	 * @param settings the bucket's shape
	 * @param timeMeter the source of time, in nanoseconds
	 */
	public LocalTokenBucket(BucketSettings settings, TimeMeter timeMeter) {
		this.settings = settings;
		this.bucket = Bucket.builder()
			.addLimit(bandwidth(settings))
			.withCustomTimePrecision(timeMeter)
			.withSynchronizationStrategy(SynchronizationStrategy.SYNCHRONIZED)
			.build();
	}

	/**
	 * A factory of local buckets timed by the given clock.
	 * @param nanoClock a monotonic clock in nanoseconds, such as {@code System::nanoTime}
	 * @return the factory
	 */
	public static TokenBucketFactory factory(LongSupplier nanoClock) {
		TimeMeter timeMeter = new TimeMeter() {

			@Override
			public long currentTimeNanos() {
				return nanoClock.getAsLong();
			}

			@Override
			public boolean isWallClockBased() {
				return false;
			}

		};
		return (executorName, bucketName, settings) -> new LocalTokenBucket(settings, timeMeter);
	}

	/**
	 * The Bucket4j bandwidth for the given settings. A fractional rate is scaled by a
	 * power of ten together with its period, so {@code 2.5} per second refills as
	 * {@code 25} per ten seconds: the same continuous rate, in whole tokens. Rates are
	 * kept to three decimal places; a rate below that refills one token per
	 * {@code period / rate}.
	 * @param settings the bucket's shape
	 * @return the bandwidth
	 */
	public static Bandwidth bandwidth(BucketSettings settings) {
		BigDecimal rate = BigDecimal.valueOf(settings.rate()).setScale(3, RoundingMode.HALF_UP).stripTrailingZeros();
		int scale = Math.max(0, rate.scale());
		long tokens = rate.movePointRight(scale).longValue();
		Duration period = settings.period().multipliedBy(BigDecimal.TEN.pow(scale).longValueExact());
		if (tokens < 1) {
			tokens = 1;
			period = Duration.ofNanos(Math.round(settings.period().toNanos() / settings.rate()));
		}
		return Bandwidth.builder()
			.capacity(settings.capacity())
			.refillGreedy(tokens, period)
			.initialTokens(settings.capacity())
			.build();
	}

	@Override
	public BucketSettings settings() {
		return this.settings;
	}

	@Override
	public long reserve(long tokens) {
		return this.bucket.consumeIgnoringRateLimits(tokens);
	}

	@Override
	public void refund(long tokens) {
		this.bucket.addTokens(tokens);
	}

	@Override
	public void forceConsume(long tokens) {
		this.bucket.consumeIgnoringRateLimits(tokens);
	}

	@Override
	public long availableTokens() {
		return this.bucket.getAvailableTokens();
	}

	@Override
	public String toString() {
		return "LocalTokenBucket[" + this.settings + ", available=" + availableTokens() + "]";
	}

}
