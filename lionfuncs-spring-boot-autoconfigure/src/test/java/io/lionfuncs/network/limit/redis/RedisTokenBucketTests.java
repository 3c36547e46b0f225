package io.lionfuncs.network.limit.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.event.command.CommandListener;
import io.lettuce.core.event.command.CommandStartedEvent;
import io.lionfuncs.network.limit.BucketSettings;
import io.lionfuncs.network.limit.LocalTokenBucket;
import io.lionfuncs.network.limit.TokenBucket;
import io.lionfuncs.testsupport.RedisTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link RedisTokenBucket} and {@link RedisBucketStore} against a real Redis:
 * reservation semantics shared across stores (replicas), one round trip per
 * reservation, key names, and replacement of a changed configuration.
 */
class RedisTokenBucketTests {

	private static final BucketSettings TEN_PER_HOUR = new BucketSettings(10, 10, Duration.ofHours(1));

	private static RedisTestServer redis;

	private static RedisClient client;

	private static RedisClient adminClient;

	private static StatefulRedisConnection<String, String> admin;

	private static final Map<String, AtomicLong> sent = new ConcurrentHashMap<>();

	private final List<RedisBucketStore> stores = new ArrayList<>();

	private final String prefix = "test-" + UUID.randomUUID();

	@BeforeAll
	static void startRedis() {
		redis = RedisTestServer.start();
		client = RedisClient.create(redis.uri());
		client.addListener(new CommandListener() {

			@Override
			public void commandStarted(CommandStartedEvent event) {
				sent.computeIfAbsent(event.getCommand().getType().toString(), (type) -> new AtomicLong())
					.incrementAndGet();
			}

		});
		adminClient = RedisClient.create(redis.uri());
		admin = adminClient.connect();
	}

	@AfterAll
	static void stopRedis() {
		admin.close();
		adminClient.shutdown();
		client.shutdown();
		redis.close();
	}

	@AfterEach
	void closeStores() {
		this.stores.forEach(RedisBucketStore::close);
	}

	@Test
	void reservationsTakeTokensNowAndReplicasShareOneBucket() throws Exception {
		RedisTokenBucket first = bucket(store(), "shared", TEN_PER_HOUR);
		RedisTokenBucket second = bucket(store(), "shared", TEN_PER_HOUR);

		assertThat(reserve(first, 7)).isZero();
		long wait = reserve(second, 5);

		assertThat(wait).as("2 tokens of debt at 10 per hour")
			.isBetween(Duration.ofMinutes(12).minusSeconds(1).toNanos(), Duration.ofMinutes(12).toNanos());
		assertThat(read(first)).isEqualTo(-2);
		assertThat(read(second)).isEqualTo(-2);
	}

	@Test
	void keysAreThePrefixTheExecutorAndTheBucket() throws Exception {
		RedisTokenBucket bucket = bucket(store(), "openai", TEN_PER_HOUR);
		reserve(bucket, 1);

		assertThat(bucket.key()).isEqualTo(this.prefix + ":openai:requests");
		assertThat(admin.sync().exists(this.prefix + ":openai:requests")).isOne();
		assertThat(admin.sync().pttl(bucket.key())).as("keys expire once the bucket would be full again")
			.isPositive();
	}

	@Test
	void oneRoundTripPerReservationInTheCommonCase() throws Exception {
		RedisTokenBucket bucket = bucket(store(), "trips", new BucketSettings(1000, 1000, Duration.ofHours(1)));
		reserve(bucket, 1);
		sent.clear();

		for (int i = 0; i < 50; i++) {
			reserve(bucket, 1);
		}

		assertThat(sent).containsOnlyKeys("EVAL");
		assertThat(sent.get("EVAL")).hasValue(50);
	}

	@Test
	void replicasTakingTurnsNeedNoReadsEither() throws Exception {
		BucketSettings settings = new BucketSettings(1000, 1000, Duration.ofHours(1));
		RedisTokenBucket first = bucket(store(), "turns", settings);
		RedisTokenBucket second = bucket(store(), "turns", settings);
		reserve(first, 1);
		reserve(second, 1);
		sent.clear();

		for (int i = 0; i < 20; i++) {
			reserve(first, 1);
			reserve(second, 1);
		}

		assertThat(sent).as("a stale state costs one failed swap, which reports the stored state")
			.containsOnlyKeys("EVAL");
		assertThat(sent.get("EVAL").get()).isBetween(40L, 80L);
		assertThat(read(first)).isEqualTo(1000 - 42);
	}

	@Test
	void refundAndForcedConsumptionChangeTheSharedLevel() throws Exception {
		RedisTokenBucket first = bucket(store(), "refunds", TEN_PER_HOUR);
		RedisTokenBucket second = bucket(store(), "refunds", TEN_PER_HOUR);
		reserve(first, 6);

		first.refund(2);
		second.forceConsume(3);

		assertThat(readUntil(second, 3)).isEqualTo(3);
	}

	@Test
	void reservationsRefundsAndForcedConsumptionMatchALocalBucket() throws Exception {
		RedisTokenBucket remote = bucket(store(), "semantics", TEN_PER_HOUR);
		LocalTokenBucket local = new LocalTokenBucket(TEN_PER_HOUR);

		assertSameWait(reserve(remote, 7), local.reserve(7));
		assertSameWait(reserve(remote, 5), local.reserve(5));
		remote.refund(1);
		local.refund(1);
		remote.forceConsume(2);
		local.forceConsume(2);
		assertSameWait(reserve(remote, 11), local.reserve(11));

		assertThat(read(remote)).isEqualTo(local.availableTokens()).isEqualTo(-14);
	}

	@Test
	void changedConfigurationReplacesTheStoredOneKeepingTheLevel() throws Exception {
		RedisTokenBucket before = bucket(store(), "changed", TEN_PER_HOUR);
		reserve(before, 4);

		RedisTokenBucket after = bucket(store(), "changed", new BucketSettings(20, 20, Duration.ofHours(1)));

		assertThat(read(after)).as("level kept, not reset to the new capacity").isEqualTo(6);
		assertThat(reserve(after, 6)).isZero();
		assertThat(reserve(after, 1)).as("one token at the new rate of 20 per hour")
			.isBetween(Duration.ofMinutes(3).minusSeconds(1).toNanos(), Duration.ofMinutes(3).toNanos());
		assertThat(read(before)).as("every replica now shares the replaced configuration").isEqualTo(-1);
	}

	@Test
	void availableTokensReportsTheLevelLastSeenWithoutARoundTrip() throws Exception {
		RedisTokenBucket bucket = bucket(store(), "seen", TEN_PER_HOUR);
		reserve(bucket, 3);
		sent.clear();

		assertThat(bucket.availableTokens()).isEqualTo(7);

		assertThat(sent).isEmpty();
	}

	private static void assertSameWait(long remote, long local) {
		assertThat(remote).isCloseTo(local, Offset.offset(Duration.ofSeconds(1).toNanos()));
	}

	private RedisBucketStore store() {
		RedisBucketStore store = RedisBucketStore.builder(RedisConnector.of(() -> client)).build();
		this.stores.add(store);
		return store;
	}

	private RedisTokenBucket bucket(RedisBucketStore store, String executor, BucketSettings settings) {
		RedisTokenBucket bucket = (RedisTokenBucket) store
			.bucketFactory(RedisBucketOptions.of(this.prefix).withTimeout(Duration.ofSeconds(10)))
			.create(executor, "requests", settings);
		assertThat(store.isAvailable()).isTrue();
		return bucket;
	}

	@Test
	void whileRedisIsUnreachableFailOpenUsesTheReplicasShareStartingEmpty() throws Exception {
		RedisClient unreachable = RedisClient.create(RedisURI.create("127.0.0.1", unusedPort()));
		try (RedisBucketStore store = RedisBucketStore.builder(RedisConnector.of(() -> unreachable)).build()) {
			RedisTokenBucket bucket = (RedisTokenBucket) store
				.bucketFactory(RedisBucketOptions.of(this.prefix).onRedisFailure(RedisFailurePolicy.FAIL_OPEN, 4))
				.create("fallback", "api-tokens", TEN_PER_HOUR);

			assertThat(store.availability().status()).isEqualTo(RedisAvailability.Status.UNAVAILABLE);
			assertThat(bucket.mode()).isEqualTo(RedisTokenBucket.Mode.LOCAL_FALLBACK);
			assertThat(bucket.fallbackSettings()).isEqualTo(new BucketSettings(2, 2.5, Duration.ofHours(1)));
			assertThat(reserve(bucket, 1)).as("empty at first: one token at 2.5 per hour")
				.isBetween(Duration.ofMinutes(24).minusSeconds(1).toNanos(), Duration.ofMinutes(24).toNanos());
			assertThat(bucket.reserveAsync(3)).failsWithin(Duration.ofSeconds(10))
				.withThrowableThat()
				.withMessageContaining("falls back to a local bucket holding at most 2");
			assertThat(bucket.fallbackReservations()).isEqualTo(2);
		}
		finally {
			unreachable.shutdown();
		}
	}

	@Test
	void whileRedisIsUnreachableFailClosedFailsReservations() {
		RedisClient unreachable = RedisClient.create(RedisURI.create("127.0.0.1", unusedPort()));
		try (RedisBucketStore store = RedisBucketStore.builder(RedisConnector.of(() -> unreachable)).build()) {
			RedisTokenBucket bucket = (RedisTokenBucket) store
				.bucketFactory(RedisBucketOptions.of(this.prefix).withMaxUnavailableWait(Duration.ZERO))
				.create("closed", "requests", TEN_PER_HOUR);

			assertThat(bucket.mode()).isEqualTo(RedisTokenBucket.Mode.FAILING_CLOSED);
			assertThat(bucket.reserveAsync(1)).failsWithin(Duration.ofSeconds(10))
				.withThrowableThat()
				.havingRootCause()
				.isInstanceOf(RedisUnavailableException.class)
				.withMessageContaining("fails closed");
			assertThat(bucket.failedReservations()).isOne();
		}
		finally {
			unreachable.shutdown();
		}
	}

	@Test
	void whileRedisIsUnreachableFailClosedWaitsForItThenFailsNamingTheBucket() {
		RedisClient unreachable = RedisClient.create(RedisURI.create("127.0.0.1", unusedPort()));
		try (RedisBucketStore store = RedisBucketStore.builder(RedisConnector.of(() -> unreachable)).build()) {
			RedisTokenBucket bucket = (RedisTokenBucket) store
				.bucketFactory(RedisBucketOptions.of(this.prefix).withMaxUnavailableWait(Duration.ofMillis(500)))
				.create("waiting", "requests", TEN_PER_HOUR);

			assertThat(bucket.mode()).isEqualTo(RedisTokenBucket.Mode.WAITING_FOR_REDIS);
			CompletableFuture<Long> reservation = bucket.reserveAsync(1).toCompletableFuture();
			assertThat(reservation).isNotDone();
			assertThat(bucket.waitingReservations()).isOne();
			assertThat(bucket.sharedState().mode()).isEqualTo("WAITING_FOR_REDIS");
			assertThat(bucket.sharedState().waitingReservations()).isOne();

			assertThat(reservation).failsWithin(Duration.ofSeconds(10))
				.withThrowableThat()
				.havingRootCause()
				.isInstanceOf(RedisUnavailableException.class)
				.withMessageContaining("longer than max-unavailable-wait (0.5s)")
				.withMessageContaining("bucket '" + this.prefix + ":waiting:requests'")
				.withMessageContaining("fails closed");
			assertThat(bucket.mode()).isEqualTo(RedisTokenBucket.Mode.FAILING_CLOSED);
			assertThat(bucket.waitingReservations()).isZero();
			assertThat(bucket.failedReservations()).isOne();
			assertThat(bucket.reserveAsync(1)).as("once the wait is over, at once")
				.isCompletedExceptionally();
		}
		finally {
			unreachable.shutdown();
		}
	}

	@Test
	void beforeItsFirstConnectionABucketWaitsForRedisEvenWhenFailingOpen() throws Exception {
		Scheduler blocking = Schedulers.newSingle("held-blocking");
		CountDownLatch held = new CountDownLatch(1);
		blocking.schedule(() -> {
			try {
				held.await();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		});
		try (RedisBucketStore store = RedisBucketStore.builder(RedisConnector.of(() -> client))
			.blockingScheduler(blocking)
			.build()) {
			// From a non-blocking thread the store connects on its blocking scheduler, held here.
			RedisTokenBucket bucket = Mono
				.fromCallable(() -> (RedisTokenBucket) store
					.bucketFactory(RedisBucketOptions.of(this.prefix).onRedisFailure(RedisFailurePolicy.FAIL_OPEN, 2))
					.create("connecting", "requests", TEN_PER_HOUR))
				.subscribeOn(Schedulers.parallel())
				.block(Duration.ofSeconds(10));
			assertThat(store.availability().status()).isEqualTo(RedisAvailability.Status.CONNECTING);
			assertThat(bucket.mode()).isEqualTo(RedisTokenBucket.Mode.WAITING_FOR_REDIS);
			CompletableFuture<Long> reservation = bucket.reserveAsync(3).toCompletableFuture();
			assertThat(reservation).isNotDone();

			held.countDown();

			assertThat(reservation.get(10, TimeUnit.SECONDS)).isZero();
			assertThat(bucket.fallbackReservations()).as("not served by a fresh local bucket").isZero();
			assertThat(read(bucket)).as("taken from the shared bucket").isEqualTo(7);
		}
		finally {
			held.countDown();
			blocking.dispose();
		}
	}

	@Test
	void aLateReplyDoesNotPostponeTheCall() throws Exception {
		RedisTokenBucket bucket = bucket(store(), "late-reply", TEN_PER_HOUR);
		reserve(bucket, 10);
		long first = reserveAndNoteReadyAt(bucket);
		long pause = Duration.ofMillis(600).toNanos();

		admin.sync().clientPause(pause / 1_000_000);
		long second = reserveAndNoteReadyAt(bucket);

		assertThat(Duration.ofNanos(second - first)).as("the two tokens exist one refill interval (6 minutes) apart, "
				+ "though the second reply came at least 600 ms late")
			.isBetween(Duration.ofMinutes(6).minusMillis(150), Duration.ofMinutes(6).plusMillis(150));
	}

	/**
	 * Reserves a token and says when it exists by the reply: the instant the reply came
	 * plus the wait it says, as {@link System#nanoTime()}.
	 */
	private static long reserveAndNoteReadyAt(TokenBucket bucket) throws Exception {
		long wait = reserve(bucket, 1);
		return System.nanoTime() + wait;
	}

	private static int unusedPort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static long reserve(TokenBucket bucket, long tokens) throws Exception {
		return bucket.reserveAsync(tokens).toCompletableFuture().get(10, TimeUnit.SECONDS);
	}

	private static long read(TokenBucket bucket) throws Exception {
		return bucket.readAvailableTokens().toCompletableFuture().get(10, TimeUnit.SECONDS);
	}

	private static long readUntil(TokenBucket bucket, long expected) {
		await().atMost(Duration.ofSeconds(10)).until(() -> read(bucket) == expected);
		return expected;
	}

}
