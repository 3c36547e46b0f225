package io.lionfuncs.network.limit.redis;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lionfuncs.network.limit.BucketSettings;
import io.lionfuncs.network.limit.TokenBucketFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Token buckets kept in Redis, shared by every replica that uses the same key prefix and
 * executor name, built on Bucket4j's Lettuce integration. One store holds one connection
 * and tracks whether Redis can be reached:
 * <ul>
 * <li>a failed or timed-out operation, or a lost connection, makes Redis
 * {@link RedisAvailability.Status#UNAVAILABLE UNAVAILABLE}: buckets then follow their
 * {@link RedisFailurePolicy} without touching Redis, and the store checks for its
 * return (reconnecting when needed), soon after the failure and then less often, up to
 * every recovery interval, so that a blip ends the wait of the reservations waiting for
 * Redis soon after it ends;</li>
 * <li>each change is logged once, not per call, and told to the listeners; so is the
 * end of the longest wait for Redis, when calls start to fail.</li>
 * </ul>
 * Closing the store (or its connection being closed by the client it came from) is not
 * an outage: it is not logged as one.
 * Reservations never block: they complete on the Redis client's threads, and the
 * blocking work (connecting, checking a returned Redis) runs on a scheduler for blocking
 * tasks. Bucket configurations that changed (a new rate) replace the stored ones when
 * a bucket is created, atomically and keeping the stored level.
 *
 * <pre class="code">
 * RedisBucketStore store = RedisBucketStore.builder(RedisConnector.of(() -&gt; redisClient)).build();
 * Executor executor = Executor.builder()
 *     .settings(settings)
 *     .bucketFactory(store.bucketFactory(RedisBucketOptions.of("lionfuncs")))
 *     .build();
 * </pre>
 */
public final class RedisBucketStore implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(RedisBucketStore.class);

	/** How long a bucket's key lives after the bucket would be full again. */
	private static final Duration KEEP_AFTER_REFILL = Duration.ofMinutes(1);

	/** The first check for a Redis that became unavailable; later checks back off. */
	private static final Duration FIRST_RECOVERY_CHECK = Duration.ofMillis(50);

	private final StoreConnection connection;

	private final Duration recoveryInterval;

	private final Scheduler blockingScheduler;

	private final Clock clock;

	private final WallClock wallClock;

	private final StateCachingRedisApi api;

	private final AsyncProxyManager<Object> proxies;

	private final List<RedisTokenBucket> buckets = new CopyOnWriteArrayList<>();

	private final List<Consumer<RedisAvailability>> listeners = new CopyOnWriteArrayList<>();

	private final AtomicReference<RedisAvailability> availability;

	private final AtomicBoolean recoveryScheduled = new AtomicBoolean();

	private final AtomicInteger failedRecoveryChecks = new AtomicInteger();

	private final Set<String> waitElapsedReported = ConcurrentHashMap.newKeySet();

	private volatile Duration timeout = Duration.ZERO;

	private volatile @Nullable Disposable recovery;

	private volatile @Nullable String serverRunId;

	private volatile boolean closed;

	private RedisBucketStore(Builder builder) {
		this.recoveryInterval = builder.recoveryInterval;
		this.blockingScheduler = builder.blockingScheduler;
		this.clock = builder.clock;
		this.availability = new AtomicReference<>(RedisAvailability.connecting(this.clock.instant()));
		this.wallClock = new WallClock(this.clock);
		this.api = new StateCachingRedisApi(this::commands, this::operationTimeout);
		this.connection = new StoreConnection(builder.connector, this.api::forgetAll, this::reportFailure);
		this.proxies = new Bucket4jLettuce.LettuceBasedProxyManagerBuilder<>(this.api)
			.clientClock(this.wallClock)
			.expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_AFTER_REFILL))
			.build()
			.asAsync();
	}

	/**
	 * A builder for a store connecting with the given connector.
	 * @param connector opens connections to Redis
	 * @return the builder
	 */
	public static Builder builder(RedisConnector connector) {
		return new Builder(connector);
	}

	/**
	 * A factory of buckets kept in this store, keyed
	 * {@code <keyPrefix>:<executorName>:<bucketName>}. Creating the first bucket connects
	 * to Redis (waiting at most the timeout, unless called from a non-blocking thread);
	 * if that fails, the buckets start on their failure policy.
	 * @param options key prefix, failure policy and timeout
	 * @return the factory
	 */
	public TokenBucketFactory bucketFactory(RedisBucketOptions options) {
		Objects.requireNonNull(options, "options must not be null");
		return (executorName, bucketName, settings) -> createBucket(options, executorName, bucketName, settings);
	}

	private RedisTokenBucket createBucket(RedisBucketOptions options, String executorName, String bucketName,
			BucketSettings settings) {
		if (this.closed) {
			throw new IllegalStateException("Redis bucket store is closed");
		}
		if (options.timeout().compareTo(this.timeout) > 0) {
			this.timeout = options.timeout();
		}
		String key = options.keyPrefix() + ":" + executorName + ":" + bucketName;
		RedisTokenBucket bucket = new RedisTokenBucket(this, key, executorName, settings, options);
		this.buckets.add(bucket);
		if (Schedulers.isInNonBlockingThread()) {
			// Reservations wait (CONNECTING) until this first check answers.
			scheduleRecovery(Duration.ZERO);
		}
		else if (connectAndCheck(List.of(bucket))) {
			warmUp(bucket);
		}
		return bucket;
	}

	private void warmUp(RedisTokenBucket bucket) {
		try {
			await(bucket.warmUp());
		}
		catch (Exception ex) {
			logger.debug("Could not warm up the reservations of bucket '{}'", bucket.key(), ex);
		}
	}

	/**
	 * Whether Redis can be reached: whether reservations go to Redis.
	 * @return {@code true} while available
	 */
	public boolean isAvailable() {
		return this.availability.get().isAvailable();
	}

	/**
	 * Whether Redis can be reached, since when, and the last error.
	 * @return the availability
	 */
	public RedisAvailability availability() {
		return this.availability.get();
	}

	/**
	 * The buckets created by this store.
	 * @return the buckets, in creation order
	 */
	public List<RedisTokenBucket> buckets() {
		return List.copyOf(this.buckets);
	}

	/**
	 * Adds a listener told of every change of {@link #availability()}.
	 * @param listener the listener, called on the thread that saw the change
	 */
	public void addAvailabilityListener(Consumer<RedisAvailability> listener) {
		this.listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
	}

	/**
	 * Closes the connection; reservations waiting for Redis fail, and later ones fail
	 * closed or go to the fallback bucket.
	 */
	@Override
	public void close() {
		this.closed = true;
		Disposable pending = this.recovery;
		if (pending != null) {
			pending.dispose();
		}
		this.connection.close(operationTimeout());
		change(RedisAvailability.unavailable(this.clock.instant(), "store closed"), false);
		this.buckets.forEach(RedisTokenBucket::storeClosed);
	}

	/**
	 * Whether {@link #close()} was called.
	 * @return {@code true} once closed
	 */
	public boolean isClosed() {
		return this.closed;
	}

	// ---------------------------------------------------------------- used by the buckets

	AsyncProxyManager<Object> proxies() {
		return this.proxies;
	}

	StateCachingRedisApi api() {
		return this.api;
	}

	Duration operationTimeout() {
		Duration current = this.timeout;
		return current.isZero() ? RedisBucketOptions.DEFAULT_TIMEOUT : current;
	}

	/**
	 * Now, on the clock of {@link #availability()}.
	 */
	Instant now() {
		return this.clock.instant();
	}

	/**
	 * Now, on the buckets' wall clock, in nanoseconds since the epoch.
	 */
	long currentTimeNanos() {
		return this.wallClock.currentTimeNanos();
	}

	/**
	 * Runs a task after a delay, off the Redis client's threads.
	 */
	void schedule(Runnable task, Duration delay) {
		this.blockingScheduler.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
	}

	/**
	 * Says, once per outage and executor, that reservations waited for Redis as long as
	 * they may and now fail.
	 * @param executorName the executor
	 * @param maxWait the longest wait
	 */
	void waitElapsed(String executorName, Duration maxWait) {
		RedisAvailability current = this.availability.get();
		if (current.isAvailable() || !this.waitElapsedReported.add(executorName)) {
			return;
		}
		logger.error("Redis for shared rate limits has been unavailable since {} ({}), longer than the "
				+ "max-unavailable-wait of {}: calls of executor '{}' fail until it answers again", current.since(),
				current.error(), Descriptions.format(maxWait), executorName);
	}

	/**
	 * Records that an operation failed: Redis becomes unavailable (logged once) and the
	 * store starts checking for its return.
	 * @param failure what went wrong
	 */
	void reportFailure(Throwable failure) {
		if (this.closed) {
			return;
		}
		RedisAvailability current = this.availability.get();
		if (current.status() != RedisAvailability.Status.AVAILABLE) {
			scheduleRecovery(null);
			return;
		}
		RedisAvailability unavailable = RedisAvailability.unavailable(this.clock.instant(), describe(failure));
		if (this.availability.compareAndSet(current, unavailable)) {
			logUnavailable(unavailable);
			logger.debug("Redis failure", failure);
			this.listeners.forEach((listener) -> listener.accept(unavailable));
			this.buckets.forEach(RedisTokenBucket::redisUnavailable);
			scheduleRecovery(null);
		}
	}

	private RedisClusterAsyncCommands<String, byte[]> commands() {
		return this.connection.commands();
	}

	// ---------------------------------------------------------------- connection and recovery

	/**
	 * Connects if needed, checks that Redis answers and that the given buckets' stored
	 * configurations are current, then makes Redis available. Blocks, for at most about
	 * the timeout per step.
	 * @return whether Redis is available afterwards
	 */
	private boolean connectAndCheck(List<RedisTokenBucket> toCheck) {
		try {
			RedisClusterAsyncCommands<String, byte[]> commands = this.connection.open();
			if (this.availability.get().status() != RedisAvailability.Status.AVAILABLE) {
				await(commands.ping().toCompletableFuture());
				if (serverChanged(commands)) {
					for (RedisTokenBucket bucket : this.buckets) {
						await(bucket.restoreAfterDataLoss());
					}
				}
			}
			for (RedisTokenBucket bucket : toCheck) {
				await(bucket.checkConfiguration());
			}
			markAvailable();
			return true;
		}
		catch (Exception ex) {
			if (this.availability.get().status() == RedisAvailability.Status.AVAILABLE) {
				reportFailure(ex);
			}
			else {
				markUnavailable(ex);
			}
			return false;
		}
	}

	/**
	 * Whether the Redis answering now is another server, or the same one restarted,
	 * than the one answering before: its run id changed, so the buckets' state may be
	 * lost or older than this replica's reservations. Known for a standalone Redis (and
	 * one behind Sentinel); a cluster's nodes are not compared.
	 */
	private boolean serverChanged(RedisClusterAsyncCommands<String, byte[]> commands) throws Exception {
		if (!(commands instanceof RedisAsyncCommands<String, byte[]> standalone)) {
			return false;
		}
		CompletableFuture<String> info = standalone.info("server").toCompletableFuture();
		await(info);
		String runId = null;
		for (String line : info.join().split("\\r?\\n")) {
			if (line.startsWith("run_id:")) {
				runId = line.substring("run_id:".length()).trim();
			}
		}
		String previous = this.serverRunId;
		if (runId != null) {
			this.serverRunId = runId;
		}
		return previous != null && runId != null && !previous.equals(runId);
	}

	private void await(CompletionStage<?> stage) throws Exception {
		try {
			stage.toCompletableFuture().get(operationTimeout().toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (ExecutionException ex) {
			throw (ex.getCause() instanceof Exception cause) ? cause : ex;
		}
	}

	private void markAvailable() {
		RedisAvailability previous = this.availability.get();
		if (previous.isAvailable() || this.closed) {
			return;
		}
		RedisAvailability available = RedisAvailability.available(this.clock.instant());
		if (!this.availability.compareAndSet(previous, available)) {
			return;
		}
		this.failedRecoveryChecks.set(0);
		this.waitElapsedReported.clear();
		this.buckets.forEach(RedisTokenBucket::redisReturned);
		if (previous.status() == RedisAvailability.Status.CONNECTING) {
			logger.info("Connected to Redis for shared rate limits; {}", policies());
		}
		else {
			logger.info("Redis for shared rate limits is available again after {}; buckets are shared again",
					Duration.between(previous.since(), available.since()));
		}
		this.listeners.forEach((listener) -> listener.accept(available));
	}

	private void markUnavailable(Exception failure) {
		RedisAvailability previous = this.availability.get();
		String error = describe(failure);
		if (previous.status() == RedisAvailability.Status.UNAVAILABLE) {
			// Still down: keep the first error's time, note the latest error quietly.
			this.availability.compareAndSet(previous,
					new RedisAvailability(previous.status(), previous.since(), error));
			logger.debug("Redis for shared rate limits is still unavailable", failure);
		}
		else {
			change(RedisAvailability.unavailable(this.clock.instant(), error), true);
			logger.debug("Redis failure", failure);
		}
		scheduleRecovery(null);
	}

	private void change(RedisAvailability next, boolean log) {
		RedisAvailability previous = this.availability.getAndSet(next);
		if (previous.status() == next.status()) {
			return;
		}
		if (log) {
			logUnavailable(next);
		}
		this.listeners.forEach((listener) -> listener.accept(next));
		if (!next.isAvailable() && !this.closed) {
			this.buckets.forEach(RedisTokenBucket::redisUnavailable);
		}
	}

	private void logUnavailable(RedisAvailability unavailable) {
		logger.warn("Redis for shared rate limits is unavailable ({}); {}; checking every {} at most for its return",
				unavailable.error(), policies(), this.recoveryInterval);
	}

	/**
	 * Schedules a check for Redis's return.
	 * @param delay the delay, or {@code null} for the next of the backing-off delays
	 */
	private void scheduleRecovery(@Nullable Duration delay) {
		if (this.closed || !this.recoveryScheduled.compareAndSet(false, true)) {
			return;
		}
		Duration next = (delay != null) ? delay : nextRecoveryDelay();
		try {
			this.recovery = this.blockingScheduler.schedule(this::recover, next.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (RuntimeException ex) {
			this.recoveryScheduled.set(false);
			logger.debug("Could not schedule the Redis recovery check", ex);
		}
	}

	private void recover() {
		this.recoveryScheduled.set(false);
		if (this.closed) {
			return;
		}
		List<RedisTokenBucket> unchecked = this.buckets.stream().filter((bucket) -> !bucket.isConfigurationChecked())
			.toList();
		if (!connectAndCheck(unchecked) && !this.closed) {
			scheduleRecovery(null);
		}
	}

	/**
	 * The first check soon after a failure, each later one twice as late, up to the
	 * recovery interval.
	 */
	private Duration nextRecoveryDelay() {
		int failed = Math.min(this.failedRecoveryChecks.getAndIncrement(), 20);
		Duration backedOff = FIRST_RECOVERY_CHECK.multipliedBy(1L << failed);
		return (backedOff.compareTo(this.recoveryInterval) < 0) ? backedOff : this.recoveryInterval;
	}



	private String policies() {
		Map<String, String> byExecutor = new LinkedHashMap<>();
		for (RedisTokenBucket bucket : this.buckets) {
			byExecutor.putIfAbsent(bucket.executorName(), bucket.describePolicy());
		}
		return "executors: " + String.join(", ", byExecutor.values());
	}

	private static String describe(Throwable failure) {
		Throwable cause = failure;
		while ((cause instanceof CompletionException || cause instanceof ExecutionException)
				&& cause.getCause() != null) {
			cause = cause.getCause();
		}
		String message = cause.getMessage();
		return cause.getClass().getSimpleName() + ((message != null) ? ": " + message : "");
	}

	/**
	 * The buckets' clock: wall-clock time (replicas compare it through the stored state)
	 * to the microsecond.
	 */
	private static final class WallClock implements TimeMeter {

		private final Clock clock;

		WallClock(Clock clock) {
			this.clock = clock;
		}

		@Override
		public long currentTimeNanos() {
			Instant now = this.clock.instant();
			return now.getEpochSecond() * 1_000_000_000L + now.getNano();
		}

		@Override
		public boolean isWallClockBased() {
			return true;
		}

	}

	/**
	 * Builds a {@link RedisBucketStore}.
	 */
	public static final class Builder {

		private final RedisConnector connector;

		private Duration recoveryInterval = Duration.ofSeconds(1);

		private Scheduler blockingScheduler = Schedulers.boundedElastic();

		private Clock clock = Clock.systemUTC();

		private Builder(RedisConnector connector) {
			this.connector = Objects.requireNonNull(connector, "connector must not be null");
		}

		/**
		 * How often an unavailable Redis is checked for its return at most, once the
		 * checks soon after a failure backed off to it; one second by default.
		 * @param recoveryInterval the interval
		 * @return this builder
		 */
		public Builder recoveryInterval(Duration recoveryInterval) {
			if (recoveryInterval == null || recoveryInterval.isNegative() || recoveryInterval.isZero()) {
				throw new IllegalArgumentException(
						"Recovery interval must be greater than 0 but was " + recoveryInterval);
			}
			this.recoveryInterval = recoveryInterval;
			return this;
		}

		/**
		 * Where connecting and recovery checks run; they may block. Reactor's bounded
		 * elastic scheduler by default.
		 * @param blockingScheduler the scheduler
		 * @return this builder
		 */
		public Builder blockingScheduler(Scheduler blockingScheduler) {
			this.blockingScheduler = Objects.requireNonNull(blockingScheduler, "blockingScheduler must not be null");
			return this;
		}

		/**
		 * The wall clock of the buckets' refill; replicas sharing buckets need clocks in
		 * step (NTP).
		 * @param clock the clock
		 * @return this builder
		 */
		public Builder clock(Clock clock) {
			this.clock = Objects.requireNonNull(clock, "clock must not be null");
			return this;
		}

		/**
		 * Builds the store. It connects when its first bucket is created.
		 * @return the store
		 */
		public RedisBucketStore build() {
			return new RedisBucketStore(this);
		}

	}

}
