package io.lionfuncs.network.limit.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.TaskRequest;
import io.lionfuncs.network.limit.BucketSettings;
import io.lionfuncs.network.limit.SharedBucketState;
import io.lionfuncs.testsupport.RedisTestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis stopped in the middle of a run, then brought back: each failure policy behaves
 * as specified, nothing hangs, the change is logged once each way, and the buckets are
 * shared again once Redis returns. Each test has its own Redis, which it stops.
 */
class RedisOutageTests {

	private static final Duration TIMEOUT = Duration.ofMillis(300);

	private RedisTestServer redis;

	private RedisClient client;

	private final List<RedisBucketStore> stores = new ArrayList<>();

	private final List<Executor> executors = new ArrayList<>();

	private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

	private final String prefix = "outage-" + UUID.randomUUID();

	private final AtomicInteger calls = new AtomicInteger();

	private final ConcurrentLinkedQueue<Long> starts = new ConcurrentLinkedQueue<>();

	@BeforeEach
	void startRedis() {
		this.redis = RedisTestServer.start();
		this.client = RedisClient.create(RedisURI.builder()
			.withHost(this.redis.host())
			.withPort(this.redis.port())
			.withTimeout(Duration.ofSeconds(1))
			.build());
		this.logs.start();
		storeLogger().addAppender(this.logs);
	}

	@AfterEach
	void stopRedis() {
		storeLogger().detachAppender(this.logs);
		this.executors.forEach((executor) -> executor.stop(false));
		this.stores.forEach(RedisBucketStore::close);
		this.client.shutdown();
		this.redis.close();
	}

	@Test
	void failClosedFailsCallsWhileRedisIsDownAndSharesAgainWhenItReturns() {
		Executor executor = executor("closed", RedisFailurePolicy.FAIL_CLOSED, 1);
		RedisBucketStore store = this.stores.get(0);
		assertThat(submit(executor, 5)).allSatisfy(this::completed);

		this.redis.stop();
		int callsBefore = this.calls.get();
		List<NetworkRequestEvent> duringOutage = submit(executor, 20);

		assertThat(duringOutage).allSatisfy((event) -> {
			assertThat(event.getStatus()).isEqualTo(RequestStatus.FAILED);
			assertThat(event.getErrorMessage()).contains("executor 'closed'");
		});
		assertThat(this.calls).as("no call left without the shared budget's consent").hasValue(callsBefore);
		assertThat(store.availability().status()).isEqualTo(RedisAvailability.Status.UNAVAILABLE);
		RedisTokenBucket bucket = bucketOf(store, executor);
		assertThat(bucket.mode()).isEqualTo(RedisTokenBucket.Mode.FAILING_CLOSED);
		assertThat(bucket.failedReservations()).isGreaterThanOrEqualTo(20);
		SharedBucketState state = executor.requestsBucket().sharedState();
		assertThat(executor.requestsBucket().storeType()).isEqualTo("redis");
		assertThat(state.status()).isEqualTo(SharedBucketState.UNAVAILABLE);
		assertThat(state.isAvailable()).isFalse();
		assertThat(state.mode()).isEqualTo(RedisTokenBucket.Mode.FAILING_CLOSED.name());
		assertThat(state.failurePolicy()).isEqualTo("fail-closed");
		assertThat(state.key()).isEqualTo(bucket.key());
		assertThat(state.failedReservations()).isEqualTo(bucket.failedReservations());

		this.redis.restart();
		await().atMost(Duration.ofSeconds(20)).until(store::isAvailable);

		assertThat(submit(executor, 5)).allSatisfy(this::completed);
		assertThat(bucket.mode()).isEqualTo(RedisTokenBucket.Mode.REDIS);
		assertThat(keyExists(bucket.key())).as("reservations are back in Redis").isTrue();
		assertLoggedOnceEachWay();
	}

	@Test
	void failOpenFallsBackToItsShareOfTheRateAndSharesAgainWhenRedisReturns() {
		Executor executor = executor("open", RedisFailurePolicy.FAIL_OPEN, 2);
		RedisBucketStore store = this.stores.get(0);
		RedisTokenBucket bucket = bucketOf(store, executor);
		assertThat(bucket.fallbackSettings()).isEqualTo(new BucketSettings(10, 10, Duration.ofSeconds(1)));
		assertThat(submit(executor, 5)).allSatisfy(this::completed);

		this.redis.stop();
		this.starts.clear();
		assertThat(submit(executor, 15)).allSatisfy(this::completed);

		assertThat(bucket.mode()).isEqualTo(RedisTokenBucket.Mode.LOCAL_FALLBACK);
		assertThat(bucket.fallbackReservations()).isEqualTo(15);
		List<Long> sorted = this.starts.stream().sorted().toList();
		assertThat(Duration.ofNanos(sorted.get(14) - sorted.get(0)))
			.as("15 calls at 10/s from an empty fallback bucket: the shared burst of 20 is not used")
			.isGreaterThan(Duration.ofMillis(1200));

		this.redis.restart();
		await().atMost(Duration.ofSeconds(20)).until(store::isAvailable);

		assertThat(submit(executor, 5)).allSatisfy(this::completed);
		assertThat(bucket.mode()).isEqualTo(RedisTokenBucket.Mode.REDIS);
		assertThat(bucket.fallbackReservations()).as("reservations are back in Redis").isEqualTo(15);
		assertThat(keyExists(bucket.key())).isTrue();
		assertLoggedOnceEachWay();
	}

	@Test
	void unresponsiveRedisTimesOutInsteadOfHanging() {
		Executor executor = executor("frozen", RedisFailurePolicy.FAIL_CLOSED, 1);
		RedisBucketStore store = this.stores.get(0);
		assertThat(submit(executor, 3)).allSatisfy(this::completed);

		this.redis.freeze();
		List<NetworkRequestEvent> duringOutage = submit(executor, 5);

		assertThat(duringOutage).allSatisfy((event) -> assertThat(event.getStatus()).isEqualTo(RequestStatus.FAILED));
		assertThat(store.availability().error()).contains("Timeout");

		this.redis.thaw();
		await().atMost(Duration.ofSeconds(20)).until(store::isAvailable);
		assertThat(submit(executor, 3)).allSatisfy(this::completed);
		assertLoggedOnceEachWay();
	}

	@Test
	void redisDownAtStartUpFollowsThePolicyUntilItIsReached() {
		this.redis.stop();
		Executor executor = executor("late", RedisFailurePolicy.FAIL_OPEN, 1);
		RedisBucketStore store = this.stores.get(0);
		assertThat(store.availability().status()).isEqualTo(RedisAvailability.Status.UNAVAILABLE);

		assertThat(submit(executor, 3)).allSatisfy(this::completed);
		assertThat(executor.requestsBucket().sharedState().fallbackReservations()).isEqualTo(3);

		this.redis.restart();
		await().atMost(Duration.ofSeconds(20)).until(store::isAvailable);
		assertThat(submit(executor, 3)).allSatisfy(this::completed);
		assertThat(keyExists(executor.requestsBucket().sharedState().key())).isTrue();
	}

	private Executor executor(String name, RedisFailurePolicy policy, int replicas) {
		RedisBucketStore store = RedisBucketStore.builder(RedisConnector.of(() -> this.client))
			.recoveryInterval(Duration.ofMillis(100))
			.build();
		this.stores.add(store);
		Executor executor = Executor.builder()
			.settings(ExecutorSettings.builder().name(name).requestsRate(20).concurrencyLimit(4).build())
			.bucketFactory(store.bucketFactory(RedisBucketOptions.of(this.prefix)
				.onRedisFailure(policy, replicas)
				.withTimeout(TIMEOUT)))
			.build();
		executor.start();
		this.executors.add(executor);
		return executor;
	}

	private List<NetworkRequestEvent> submit(Executor executor, int count) {
		List<NetworkRequestEvent> events = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			events.add(executor.submitTask(TaskRequest.ofStage(() -> {
				this.calls.incrementAndGet();
				this.starts.add(System.nanoTime());
				return CompletableFuture.completedFuture(CallResult.of(200, null));
			}).build()));
		}
		await().atMost(Duration.ofSeconds(20)).until(() -> events.stream().allMatch(NetworkRequestEvent::isTerminal));
		return events;
	}

	private void completed(NetworkRequestEvent event) {
		assertThat(event.getStatus()).as(String.valueOf(event.getErrorMessage())).isEqualTo(RequestStatus.COMPLETED);
	}

	private boolean keyExists(String key) {
		try (StatefulRedisConnection<String, String> connection = this.client.connect()) {
			return connection.sync().exists(key) == 1;
		}
	}

	private void assertLoggedOnceEachWay() {
		List<String> messages = this.logs.list.stream()
			.filter((event) -> event.getLevel().isGreaterOrEqual(Level.INFO))
			.map(ILoggingEvent::getFormattedMessage)
			.toList();
		assertThat(messages).filteredOn((message) -> message.contains("is unavailable")).hasSize(1);
		assertThat(messages).filteredOn((message) -> message.contains("available again")).hasSize(1);
	}

	private static Logger storeLogger() {
		return (Logger) LoggerFactory.getLogger(RedisBucketStore.class);
	}

	/**
	 * The Redis bucket behind an executor's request bucket view, found in its store by key.
	 */
	private static RedisTokenBucket bucketOf(RedisBucketStore store, Executor executor) {
		String key = executor.requestsBucket().sharedState().key();
		return store.buckets().stream().filter((bucket) -> bucket.key().equals(key)).findFirst().orElseThrow();
	}

}
