package io.lionfuncs.network.limit.redis;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.VerboseResult;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.AsyncVerboseBucket;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.lionfuncs.network.limit.BucketSettings;
import io.lionfuncs.network.limit.LocalTokenBucket;
import io.lionfuncs.network.limit.SharedBucketState;
import io.lionfuncs.network.limit.TokenBucket;
import io.lionfuncs.network.limit.redis.WaitingReservations.Reservation;
import io.lionfuncs.network.limit.redis.WaitingReservations.Sent;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link TokenBucket} kept in Redis and shared by every replica using the same key,
 * with the reservation semantics of {@link LocalTokenBucket}: a reservation takes the
 * tokens now (the shared bucket may go into debt) and answers how long until they exist,
 * in one Redis round trip in the common case. Reservations of one bucket are sent in the
 * order they are made, concurrent ones batched into one operation (Bucket4j's batching
 * optimisation). The wait is counted from the instant the reservation was computed, not
 * from its reply, so that a slow reply (a cold replica, a busy Redis) does not start the
 * call later than its turn, bunched with the calls after it; and this replica's starts
 * are paced by a local bucket of the same shape, so that calls that could only start
 * late, once the reply came, do not bunch with the next ones either.
 * <p>
 * While Redis cannot be reached, reservations follow the {@link RedisFailurePolicy}:
 * under fail-closed they wait for Redis, in the order they were made, for at most
 * {@link RedisBucketOptions#maxUnavailableWait()} from the start of the outage, and fail
 * once the outage lasts longer; under fail-open they are made in a local bucket holding
 * this replica's share of the budget, which starts empty. Until the store has connected
 * for the first time, reservations wait under either policy: Redis was not found
 * unavailable yet. Refunds made while Redis is unavailable are dropped (where the tokens
 * were taken is not known, and dropping never grants more than the budget). A
 * reservation sent just before an outage may have been made in Redis although its reply
 * was lost; made again once Redis answers, it takes its tokens twice, which costs budget
 * but never exceeds it.
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

	private final AsyncVerboseBucket verboseProxy;

	private final WaitingReservations reservations = new WaitingReservations();

	private final AtomicBoolean deadlineScheduled = new AtomicBoolean();

	private final TokensAhead tokensAhead = new TokensAhead();

	/**
	 * This replica's starts, in a bucket of the shared one's shape: they never bunch more
	 * than the budget allows, however late Redis answers.
	 */
	private final LocalTokenBucket pacer;

	private final FallbackBucket fallback;

	private final LongAdder failedReservations = new LongAdder();

	private volatile boolean configurationChecked;

	private volatile long lastSeenAvailable;

	private volatile @Nullable Throwable lastFailure;

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
		this.verboseProxy = this.proxy.asVerbose();
		this.pacer = new LocalTokenBucket(settings);
		this.fallback = new FallbackBucket(key, settings, options);
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
		return this.fallback.settings();
	}

	/**
	 * Where reservations go now.
	 * @return the mode
	 */
	Mode mode() {
		RedisAvailability availability = this.store.availability();
		if (availability.isAvailable()) {
			return Mode.REDIS;
		}
		if (waits(availability)) {
			return Mode.WAITING_FOR_REDIS;
		}
		return (this.options.onRedisFailure() == RedisFailurePolicy.FAIL_OPEN) ? Mode.LOCAL_FALLBACK
				: Mode.FAILING_CLOSED;
	}

	/**
	 * Reservations waiting for Redis now.
	 * @return the count
	 */
	public int waitingReservations() {
		return this.reservations.size();
	}

	/**
	 * Reservations made in the local fallback bucket since creation.
	 * @return the count
	 */
	public long fallbackReservations() {
		return this.fallback.reservations();
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
				this.options.expectedReplicas(), mode().name(), fallbackReservations(), failedReservations(),
				waitingReservations(), this.options.maxUnavailableWait());
	}

	@Override
	public long reserve(long tokens) {
		throw new UnsupportedOperationException("Bucket '" + this.key + "' lives in Redis: use reserveAsync");
	}

	@Override
	public CompletionStage<Long> reserveAsync(long tokens) {
		Reservation reservation = this.reservations.next(tokens);
		CompletableFuture<VerboseResult<Long>> sent = this.reservations.sendInTurn(reservation,
				this.store::isAvailable, this::send);
		if (sent != null) {
			whenAnswered(reservation, sent);
		}
		else {
			settleWaiting();
		}
		return reservation.result().copy();
	}

	private CompletableFuture<VerboseResult<Long>> send(Reservation reservation) {
		try {
			return this.verboseProxy.consumeIgnoringRateLimits(reservation.tokens()).copy();
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	private void whenAnswered(Reservation reservation, CompletableFuture<VerboseResult<Long>> operation) {
		operation.orTimeout(this.options.timeout().toNanos(), TimeUnit.NANOSECONDS).whenComplete((result, ex) -> {
			if (ex == null) {
				reservation.result().complete(untilReserved(reservation, result));
				return;
			}
			this.lastFailure = Descriptions.unwrap(ex);
			this.store.reportFailure(ex);
			this.reservations.add(reservation);
			settleWaiting();
		});
	}

	/**
	 * Nanoseconds from now until the call may start. Bucket4j answers the wait from the
	 * instant it computed the reservation (on the buckets' wall clock), and the reply
	 * arrives later: counting from that instant keeps the reply's travel from delaying a
	 * call whose tokens exist only later. A call whose tokens existed already can only
	 * start late, when the reply comes; the pacer then holds this replica's next calls
	 * back by as much, so that a late start does not bunch with them. A clock that went
	 * back is taken as no time elapsed.
	 */
	private long untilReserved(Reservation reservation, VerboseResult<Long> result) {
		long wait = result.getValue();
		if (wait == Long.MAX_VALUE) {
			return wait;
		}
		long remaining = 0;
		if (wait > 0) {
			long now = this.store.currentTimeNanos();
			this.tokensAhead.add(result.getOperationTimeNanos() + wait, reservation.tokens(), now);
			remaining = Math.max(0, wait - Math.max(0, now - result.getOperationTimeNanos()));
		}
		return Math.max(remaining, this.pacer.reserve(reservation.tokens()));
	}

	/**
	 * Deals with the waiting reservations as the store's availability now says: sends
	 * them, in order, once Redis is available; keeps them waiting within the longest
	 * wait (checking again when it ends); otherwise makes them in the fallback bucket
	 * under fail-open, or fails them.
	 */
	private void settleWaiting() {
		RedisAvailability availability = this.store.availability();
		if (availability.isAvailable()) {
			sendWaiting();
			return;
		}
		if (!this.store.isClosed() && waits(availability)) {
			scheduleDeadline(availability);
			return;
		}
		List<Reservation> unsent = this.reservations.removeAll();
		if (unsent.isEmpty()) {
			return;
		}
		if (this.options.onRedisFailure() == RedisFailurePolicy.FAIL_OPEN && !this.store.isClosed()) {
			unsent.forEach(this.fallback::reserve);
			return;
		}
		if (!this.options.maxUnavailableWait().isZero() && !this.store.isClosed()) {
			this.store.waitElapsed(this.executorName, this.options.maxUnavailableWait());
		}
		RedisUnavailableException failure = unavailable(availability);
		for (Reservation reservation : unsent) {
			this.failedReservations.increment();
			reservation.result().completeExceptionally(failure);
		}
	}

	private void sendWaiting() {
		List<Sent<CompletableFuture<VerboseResult<Long>>>> sent = this.reservations.sendAll(this.store::isAvailable,
				this::send);
		sent.forEach((next) -> whenAnswered(next.reservation(), next.operation()));
		if (!this.store.isAvailable() && this.reservations.size() > 0) {
			// Unavailable again meanwhile: what waits still needs settling.
			settleWaiting();
		}
	}

	/**
	 * Whether reservations wait for Redis now: under fail-closed, or before the first
	 * connection under either policy, while the outage is shorter than the longest wait.
	 */
	private boolean waits(RedisAvailability availability) {
		boolean connecting = availability.status() == RedisAvailability.Status.CONNECTING;
		if (this.options.onRedisFailure() != RedisFailurePolicy.FAIL_CLOSED && !connecting) {
			return false;
		}
		return remainingWait(availability).compareTo(Duration.ZERO) > 0;
	}

	private Duration remainingWait(RedisAvailability availability) {
		return this.options.maxUnavailableWait().minus(Duration.between(availability.since(), this.store.now()));
	}

	private void scheduleDeadline(RedisAvailability availability) {
		if (!this.deadlineScheduled.compareAndSet(false, true)) {
			return;
		}
		try {
			this.store.schedule(() -> {
				this.deadlineScheduled.set(false);
				settleWaiting();
			}, remainingWait(availability));
		}
		catch (RuntimeException ex) {
			this.deadlineScheduled.set(false);
			logger.debug("Could not schedule the end of the wait for Redis of bucket '{}'", this.key, ex);
		}
	}

	private RedisUnavailableException unavailable(RedisAvailability availability) {
		String error = (availability.error() != null) ? " (" + availability.error() + ")" : "";
		Duration maxWait = this.options.maxUnavailableWait();
		String outage = (maxWait.isZero() || this.store.isClosed()) ? "is unavailable" + error
				: "has been unavailable for " + Descriptions.format(Duration.between(availability.since(),
						this.store.now())) + error + ", longer than max-unavailable-wait ("
						+ Descriptions.format(maxWait) + "),";
		return new RedisUnavailableException("Redis for shared rate limits " + outage + " and bucket '" + this.key
				+ "' of executor '" + this.executorName + "' fails closed", this.lastFailure);
	}

	@Override
	public void refund(long tokens) {
		this.pacer.refund(tokens);
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
			this.fallback.forceConsume(tokens);
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
		Mode mode = mode();
		if (mode != Mode.REDIS) {
			return (mode == Mode.LOCAL_FALLBACK) ? this.fallback.availableTokens() : this.lastSeenAvailable;
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
					+ "({}), keeping its level", this.key, Descriptions.describe(stored.get()),
					Descriptions.describe(this.configuration));
			return this.proxy.replaceConfiguration(this.configuration, TokensInheritanceStrategy.AS_IS);
		}).thenRun(() -> this.configurationChecked = true);
	}

	/**
	 * Restores what Redis forgot when it lost its data (it restarted, or another server
	 * answers now): takes again the tokens this replica reserved for calls still to
	 * start, and, when the bucket is gone, the burst that its lost state may have spent
	 * (it is created full), so that the bucket starts empty rather than full. Every
	 * replica takes its own reservations; replicas that find the bucket gone at once may
	 * each take the burst, which costs budget but never exceeds it.
	 * @return a stage completing once taken
	 */
	CompletableFuture<Void> restoreAfterDataLoss() {
		long ahead = this.tokensAhead.after(this.store.currentTimeNanos());
		return this.store.proxies().getProxyConfiguration(this.key).thenCompose((stored) -> {
			long take = ahead + (stored.isEmpty() ? this.settings.capacity() : 0);
			if (take == 0) {
				return CompletableFuture.<Void>completedFuture(null);
			}
			logger.info("Redis for shared rate limits lost the state of bucket '{}' (restarted or failed over): "
					+ "taking {} tokens again ({} reserved by this replica for calls still to start{})", this.key,
					take, ahead, stored.isEmpty() ? ", and the burst the lost state may have spent" : "");
			return this.proxy.consumeIgnoringRateLimits(take).thenApply((wait) -> (Void) null);
		});
	}

	/**
	 * Makes a reservation once and gives its token back at once, so that the first call
	 * of a process does not run the Redis client's, Bucket4j's and this class's code for
	 * the first time (tens to hundreds of milliseconds on a cold JVM, which would start
	 * it late, bunched with the calls of other replicas). The token is missing from the
	 * shared bucket for one round trip.
	 * @return a stage completing once the token is back
	 */
	CompletableFuture<Void> warmUp() {
		return this.verboseProxy.consumeIgnoringRateLimits(1).thenCompose((reserved) -> this.proxy.addTokens(1));
	}

	boolean isConfigurationChecked() {
		return this.configurationChecked;
	}

	/**
	 * Redis is back: the waiting reservations are sent, in order, and later ones go to
	 * Redis again; the next outage starts a fresh, empty fallback bucket.
	 */
	void redisReturned() {
		this.fallback.reset();
		this.lastFailure = null;
		sendWaiting();
	}

	/**
	 * Redis became unavailable (or could not be reached at first): under fail-open the
	 * reservations waiting for the first connection go to the fallback bucket; under
	 * fail-closed they keep waiting until the longest wait ends.
	 */
	void redisUnavailable() {
		settleWaiting();
	}

	/**
	 * The store is closed: reservations waiting for Redis fail.
	 */
	void storeClosed() {
		settleWaiting();
	}

	String describePolicy() {
		if (this.options.onRedisFailure() == RedisFailurePolicy.FAIL_OPEN) {
			return "'" + this.executorName + "' fails open (local buckets at 1/" + this.options.expectedReplicas()
					+ " of the rate)";
		}
		if (this.options.maxUnavailableWait().isZero()) {
			return "'" + this.executorName + "' fails closed (calls fail)";
		}
		return "'" + this.executorName + "' fails closed (calls wait up to "
				+ Descriptions.format(this.options.maxUnavailableWait()) + " for Redis, then fail)";
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
		 * Redis is unavailable (or not connected yet): reservations wait for it, for at
		 * most the longest wait from the start of the outage.
		 */
		WAITING_FOR_REDIS,

		/**
		 * Redis has been unavailable for longer than the longest wait: nowhere;
		 * reservations fail.
		 */
		FAILING_CLOSED

	}

}
