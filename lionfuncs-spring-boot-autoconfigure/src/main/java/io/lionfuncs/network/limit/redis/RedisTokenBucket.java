package io.lionfuncs.network.limit.redis;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.lionfuncs.network.limit.BucketSettings;
import io.lionfuncs.network.limit.LocalTokenBucket;
import io.lionfuncs.network.limit.SharedBucketState;
import io.lionfuncs.network.limit.TokenBucket;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link TokenBucket} kept in Redis and shared by every replica using the same key,
 * with the reservation semantics of {@link LocalTokenBucket}: a reservation takes the
 * tokens now (the shared bucket may go into debt) and answers how long until they exist,
 * in one Redis round trip in the common case. Reservations of one bucket are sent in the
 * order they are made, concurrent ones batched into one operation (Bucket4j's batching
 * optimisation).
 * <p>
 * While Redis cannot be reached, reservations follow the {@link RedisFailurePolicy}:
 * they fail, or they are made in a local bucket holding this replica's share of the
 * budget, which starts empty. Refunds made meanwhile are dropped (where the tokens were
 * taken is not known, and dropping never grants more than the budget).
 * <p>
 * Created by {@link RedisBucketStore#bucketFactory(RedisBucketOptions)}.
 */
public final class RedisTokenBucket implements TokenBucket {

	private static final Logger logger = LoggerFactory.getLogger(RedisTokenBucket.class);

	private final RedisBucketStore store;

	private final String key;

	private final String executorName;

	private final BucketSettings settings;

	private final RedisBucketOptions options;

	private final BucketConfiguration configuration;

	private final AsyncBucketProxy proxy;

	private final BucketSettings fallbackSettings;

	private final AtomicReference<@Nullable LocalTokenBucket> fallback = new AtomicReference<>();

	private final LongAdder fallbackReservations = new LongAdder();

	private final LongAdder failedReservations = new LongAdder();

	private volatile boolean configurationChecked;

	private volatile long lastSeenAvailable;

	RedisTokenBucket(RedisBucketStore store, String key, String executorName, BucketSettings settings,
			RedisBucketOptions options) {
		this.store = store;
		this.key = key;
		this.executorName = executorName;
		this.settings = settings;
		this.options = options;
		this.configuration = BucketConfiguration.builder().addLimit(LocalTokenBucket.bandwidth(settings)).build();
		BucketConfiguration initial = this.configuration;
		this.proxy = store.proxies()
			.builder()
			.withOptimization(Optimizations.batching())
			.build(key, () -> CompletableFuture.completedFuture(initial));
		this.fallbackSettings = options.fallbackOf(settings);
		this.lastSeenAvailable = settings.capacity();
	}

	@Override
	public BucketSettings settings() {
		return this.settings;
	}

	/**
	 * The bucket's Redis key, {@code <keyPrefix>:<executor>:<bucket>}.
	 * @return the key
	 */
	public String key() {
		return this.key;
	}

	/**
	 * The executor the bucket belongs to.
	 * @return the executor's name
	 */
	public String executorName() {
		return this.executorName;
	}

	/**
	 * The bucket's Redis options: key prefix, failure policy, replicas, timeout.
	 * @return the options
	 */
	public RedisBucketOptions options() {
		return this.options;
	}

	/**
	 * The store holding the bucket.
	 * @return the store
	 */
	public RedisBucketStore store() {
		return this.store;
	}

	/**
	 * The local bucket used while Redis is unavailable under
	 * {@link RedisFailurePolicy#FAIL_OPEN}.
	 * @return its shape: this replica's share of the rate and capacity
	 */
	public BucketSettings fallbackSettings() {
		return this.fallbackSettings;
	}

	/**
	 * Where reservations go now.
	 * @return the mode
	 */
	Mode mode() {
		if (this.store.isAvailable()) {
			return Mode.REDIS;
		}
		return (this.options.onRedisFailure() == RedisFailurePolicy.FAIL_OPEN) ? Mode.LOCAL_FALLBACK
				: Mode.FAILING_CLOSED;
	}

	/**
	 * Reservations made in the local fallback bucket since creation.
	 * @return the count
	 */
	public long fallbackReservations() {
		return this.fallbackReservations.sum();
	}

	/**
	 * Reservations failed because Redis was unavailable, since creation.
	 * @return the count
	 */
	public long failedReservations() {
		return this.failedReservations.sum();
	}

	@Override
	public boolean isSynchronous() {
		return false;
	}

	@Override
	public String storeType() {
		return "redis";
	}

	@Override
	public SharedBucketState sharedState() {
		RedisAvailability availability = this.store.availability();
		return new SharedBucketState(this.key, availability.status().name(), availability.since(),
				availability.error(), this.options.onRedisFailure().name().toLowerCase(Locale.ROOT).replace('_', '-'),
				this.options.expectedReplicas(), mode().name(), fallbackReservations(), failedReservations());
	}

	@Override
	public long reserve(long tokens) {
		throw new UnsupportedOperationException("Bucket '" + this.key + "' lives in Redis: use reserveAsync");
	}

	@Override
	public CompletionStage<Long> reserveAsync(long tokens) {
		if (!this.store.isAvailable()) {
			return whileUnavailable(tokens, null);
		}
		CompletableFuture<Long> reservation;
		try {
			reservation = this.proxy.consumeIgnoringRateLimits(tokens).copy();
		}
		catch (RuntimeException ex) {
			reservation = CompletableFuture.failedFuture(ex);
		}
		return reservation.orTimeout(this.options.timeout().toNanos(), TimeUnit.NANOSECONDS)
			.handle((nanos, ex) -> {
				if (ex == null) {
					return CompletableFuture.completedFuture(nanos);
				}
				this.store.reportFailure(ex);
				return whileUnavailable(tokens, ex);
			})
			.thenCompose(Function.identity());
	}

	private CompletableFuture<Long> whileUnavailable(long tokens, @Nullable Throwable cause) {
		if (this.options.onRedisFailure() == RedisFailurePolicy.FAIL_CLOSED) {
			this.failedReservations.increment();
			String error = this.store.availability().error();
			return CompletableFuture.failedFuture(new RedisUnavailableException(
					"Redis for shared rate limits is unavailable" + ((error != null) ? " (" + error + ")" : "")
							+ " and the rate limiter of executor '" + this.executorName + "' fails closed",
					unwrap(cause)));
		}
		this.fallbackReservations.increment();
		LocalTokenBucket local = fallback();
		if (tokens > local.settings().capacity()) {
			return CompletableFuture.failedFuture(new IllegalArgumentException("Request needs " + tokens
					+ " tokens but while Redis is unavailable bucket '" + this.key
					+ "' falls back to a local bucket holding at most " + local.settings().capacity()
					+ " (its capacity / " + this.options.expectedReplicas() + " expected replicas)"));
		}
		return CompletableFuture.completedFuture(local.reserve(tokens));
	}

	private LocalTokenBucket fallback() {
		for (;;) {
			LocalTokenBucket current = this.fallback.get();
			if (current != null) {
				return current;
			}
			LocalTokenBucket created = new LocalTokenBucket(this.fallbackSettings);
			// Starts empty, so that replicas failing over together release no burst.
			created.forceConsume(this.fallbackSettings.capacity());
			if (this.fallback.compareAndSet(null, created)) {
				return created;
			}
		}
	}

	@Override
	public void refund(long tokens) {
		if (this.store.isAvailable()) {
			ignoreResult(this.proxy.addTokens(tokens), "refund");
		}
	}

	@Override
	public void forceConsume(long tokens) {
		if (this.store.isAvailable()) {
			ignoreResult(this.proxy.consumeIgnoringRateLimits(tokens), "forced consumption");
		}
		else if (this.options.onRedisFailure() == RedisFailurePolicy.FAIL_OPEN) {
			fallback().forceConsume(tokens);
		}
	}

	private void ignoreResult(CompletableFuture<?> operation, String what) {
		operation.whenComplete((result, ex) -> {
			if (ex != null) {
				logger.debug("Redis {} of bucket '{}' failed", what, this.key, ex);
				this.store.reportFailure(ex);
			}
		});
	}

	/**
	 * The level this replica last saw, refilled to now, computed without a round trip
	 * when possible: other replicas' reservations since then are not included. Under
	 * {@link Mode#LOCAL_FALLBACK}, the fallback bucket's level.
	 * @return the level
	 */
	@Override
	public long availableTokens() {
		if (!this.store.isAvailable()) {
			return (this.options.onRedisFailure() == RedisFailurePolicy.FAIL_OPEN) ? fallback().availableTokens()
					: this.lastSeenAvailable;
		}
		try {
			CompletableFuture<Long> level = this.proxy.getAvailableTokens();
			if (level.isDone() && !level.isCompletedExceptionally()) {
				this.lastSeenAvailable = level.join();
			}
			else {
				level.thenAccept((value) -> this.lastSeenAvailable = value);
			}
		}
		catch (RuntimeException ex) {
			logger.debug("Could not compute the level of bucket '{}'", this.key, ex);
		}
		return this.lastSeenAvailable;
	}

	/**
	 * The level read from Redis, including other replicas' reservations; the level of
	 * {@link #availableTokens()} when Redis is unavailable or does not answer in time.
	 * @return a stage completing with the level
	 */
	@Override
	public CompletionStage<Long> readAvailableTokens() {
		if (!this.store.isAvailable()) {
			return CompletableFuture.completedFuture(availableTokens());
		}
		this.store.api().forget(this.key);
		CompletableFuture<Long> level;
		try {
			level = this.proxy.getAvailableTokens().copy();
		}
		catch (RuntimeException ex) {
			level = CompletableFuture.failedFuture(ex);
		}
		return level.orTimeout(this.options.timeout().toNanos(), TimeUnit.NANOSECONDS).handle((value, ex) -> {
			if (ex != null) {
				logger.debug("Could not read the level of bucket '{}' from Redis", this.key, ex);
				return this.lastSeenAvailable;
			}
			this.lastSeenAvailable = value;
			return value;
		});
	}

	/**
	 * Replaces the stored configuration when it differs from this bucket's (a new rate or
	 * capacity), atomically and keeping the stored level (a level above the new capacity
	 * is cut to it), so that a configuration change never releases a burst.
	 * @return a stage completing once the stored configuration is this bucket's
	 */
	CompletableFuture<Void> checkConfiguration() {
		return this.store.proxies().getProxyConfiguration(this.key).thenCompose((stored) -> {
			if (stored.isEmpty() || stored.get().equalsByContent(this.configuration)) {
				return CompletableFuture.<Void>completedFuture(null);
			}
			logger.info("Replacing the stored configuration of rate-limit bucket '{}' ({}) with the configured one "
					+ "({}), keeping its level", this.key, describe(stored.get()), describe(this.configuration));
			return this.proxy.replaceConfiguration(this.configuration, TokensInheritanceStrategy.AS_IS);
		}).thenRun(() -> this.configurationChecked = true);
	}

	boolean isConfigurationChecked() {
		return this.configurationChecked;
	}

	/**
	 * Redis is back: reservations go to Redis again, and the next outage starts a fresh,
	 * empty fallback bucket.
	 */
	void redisReturned() {
		this.fallback.set(null);
	}

	String describePolicy() {
		if (this.options.onRedisFailure() == RedisFailurePolicy.FAIL_OPEN) {
			return "'" + this.executorName + "' fails open (local buckets at 1/" + this.options.expectedReplicas()
					+ " of the rate)";
		}
		return "'" + this.executorName + "' fails closed (calls fail)";
	}

	private static String describe(BucketConfiguration configuration) {
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

	private static @Nullable Throwable unwrap(@Nullable Throwable failure) {
		Throwable cause = failure;
		while ((cause instanceof CompletionException || cause instanceof ExecutionException)
				&& cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

	@Override
	public String toString() {
		return "RedisTokenBucket[" + this.key + ", " + this.settings + ", " + mode() + "]";
	}

	/**
	 * Where a Redis-backed bucket's reservations go.
	 */
	enum Mode {

		/**
		 * To the shared bucket in Redis.
		 */
		REDIS,

		/**
		 * Redis is unavailable: to this replica's local fallback bucket.
		 */
		LOCAL_FALLBACK,

		/**
		 * Redis is unavailable: nowhere; reservations fail.
		 */
		FAILING_CLOSED

	}

}
