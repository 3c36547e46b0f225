package io.lionfuncs.network.limit.redis;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

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
import io.lionfuncs.testsupport.ArrivalsServer;
import io.lionfuncs.testsupport.ArrivalsServer.Arrival;
import io.lionfuncs.testsupport.RedisTestServer;
import io.lionfuncs.testsupport.SlidingWindows;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis blips under {@code fail-closed}, against a real Redis and calls to a local HTTP
 * server: a blip shorter than {@code max-unavailable-wait} (Redis paused, or stopped and
 * restarted) delays the queued calls, in their order, and fails none, and the request
 * bucket's bound {@code capacity + rate * T} holds for their arrivals at the server; an
 * outage longer than the wait fails the calls naming the bucket, with one clear log
 * line; Redis is used again once it answers. Each test has its own Redis, with a
 * {@code redis-timeout} far shorter than the blips.
 */
class RedisBlipTests {

	private static final Duration REDIS_TIMEOUT = Duration.ofMillis(250);

	private static final BucketSettings SHAPE = new BucketSettings(5, 20, Duration.ofSeconds(1));

	private static final List<Duration> WINDOWS = List.of(Duration.ofMillis(100), Duration.ofMillis(250),
			Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));

	private RedisTestServer redis;

	private RedisClient client;

	private ArrivalsServer upstream;

	private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

	private final List<RedisBucketStore> stores = new ArrayList<>();

	private final List<Executor> executors = new ArrayList<>();

	private final List<RedisAvailability.Status> changes = new CopyOnWriteArrayList<>();

	private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

	private final String prefix = "blip-" + UUID.randomUUID();

	/** The calls before this one are the warm-up of {@link #executor}. */
	private int measuredFrom;

	@BeforeEach
	void start() throws Exception {
		this.redis = RedisTestServer.start();
		this.client = RedisClient.create(RedisURI.builder()
			.withHost(this.redis.host())
			.withPort(this.redis.port())
			.withTimeout(Duration.ofSeconds(10))
			.build());
		this.upstream = ArrivalsServer.start();
		warmUpHttpClient();
		this.logs.start();
		storeLogger().addAppender(this.logs);
	}

	@AfterEach
	void stop() {
		storeLogger().detachAppender(this.logs);
		this.executors.forEach((executor) -> executor.stop(false));
		this.stores.forEach(RedisBucketStore::close);
		this.client.shutdown();
		this.upstream.close();
		this.redis.close();
	}

	@Test
	void aPauseShorterThanTheWaitDelaysTheQueuedCallsInTheirOrderAndFailsNone() {
		Executor executor = executor("paused", Duration.ofSeconds(5));
		RedisTokenBucket bucket = requestsBucket(executor);
		List<NetworkRequestEvent> events = submit(executor, 100);
		await().atMost(Duration.ofSeconds(30)).until(() -> measured().size() >= 15);

		try (StatefulRedisConnection<String, String> admin = this.client.connect()) {
			admin.sync().clientPause(1500);
		}
		await().atMost(Duration.ofSeconds(5))
			.pollInterval(Duration.ofMillis(5))
			.until(() -> bucket.mode() == RedisTokenBucket.Mode.WAITING_FOR_REDIS && bucket.waitingReservations() > 0);
		await().atMost(Duration.ofSeconds(60)).until(() -> events.stream().allMatch(NetworkRequestEvent::isTerminal));

		assertThat(this.changes).as("the pause outlasted redis-timeout: Redis was unavailable, then back")
			.containsSubsequence(RedisAvailability.Status.UNAVAILABLE, RedisAvailability.Status.AVAILABLE);
		assertAllCompletedWithinTheBound(events, bucket);
		assertThat(inversions(measured())).as("calls arrive in the order they were queued")
			.isZero();
		assertLogged(1, 0);
		System.out.printf(Locale.ROOT,
				"[redis-blip] Redis paused 1.5 s (redis-timeout %d ms) under %d queued calls: %d failed, busiest 1 s "
						+ "at the server %d (bound %d)%n",
				REDIS_TIMEOUT.toMillis(), events.size(), bucket.failedReservations(),
				SlidingWindows.busiest(measured(), Arrival::nanos, (arrival) -> 1, Duration.ofSeconds(1)),
				(long) SHAPE.maxTokensIn(Duration.ofSeconds(1)));
	}

	@Test
	void aRestartWithinTheWaitDelaysTheQueuedCallsAndFailsNone() {
		Executor executor = executor("restarted", Duration.ofSeconds(20));
		RedisTokenBucket bucket = requestsBucket(executor);
		List<NetworkRequestEvent> events = submit(executor, 60);
		await().atMost(Duration.ofSeconds(30)).until(() -> measured().size() >= 15);

		this.redis.stop();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.changes.contains(RedisAvailability.Status.UNAVAILABLE) && bucket.waitingReservations() > 0);
		assertThat(bucket.mode()).isEqualTo(RedisTokenBucket.Mode.WAITING_FOR_REDIS);
		this.redis.restart();
		await().atMost(Duration.ofSeconds(60)).until(() -> events.stream().allMatch(NetworkRequestEvent::isTerminal));

		assertAllCompletedWithinTheBound(events, bucket);
		assertLogged(1, 0);
	}

	@Test
	void anOutageLongerThanTheWaitFailsTheCallsNamingTheBucketAndSaysSoOnce() {
		Executor executor = executor("down", Duration.ofSeconds(1));
		RedisTokenBucket bucket = requestsBucket(executor);
		assertThat(run(executor, 5)).allSatisfy(this::completed);

		this.redis.stop();
		List<NetworkRequestEvent> duringOutage = run(executor, 20);

		assertThat(duringOutage).allSatisfy((event) -> {
			assertThat(event.getStatus()).isEqualTo(RequestStatus.FAILED);
			assertThat(event.getErrorMessage()).contains(bucket.key())
				.contains("executor 'down'")
				.contains("longer than max-unavailable-wait (1s)");
		});
		assertThat(measured()).as("no call left without the shared budget's consent").hasSize(5);
		assertThat(bucket.mode()).isEqualTo(RedisTokenBucket.Mode.FAILING_CLOSED);
		assertThat(bucket.failedReservations()).isGreaterThanOrEqualTo(20);
		assertLogged(0, 1);
		assertThat(errors()).singleElement()
			.asString()
			.contains("longer than the max-unavailable-wait of 1s")
			.contains("executor 'down'");

		this.redis.restart();
		await().atMost(Duration.ofSeconds(20)).until(() -> bucket.mode() == RedisTokenBucket.Mode.REDIS);
		assertThat(run(executor, 5)).allSatisfy(this::completed);
		assertThat(measured()).hasSize(10);
		assertLogged(1, 1);
	}

	private void assertAllCompletedWithinTheBound(List<NetworkRequestEvent> events, RedisTokenBucket bucket) {
		assertThat(events).allSatisfy(this::completed);
		assertThat(bucket.failedReservations()).isZero();
		assertThat(bucket.waitingReservations()).isZero();
		List<Arrival> arrivals = measured();
		assertThat(arrivals).hasSize(events.size());
		for (Duration window : WINDOWS) {
			assertThat(SlidingWindows.busiest(arrivals, Arrival::nanos, (arrival) -> 1, window))
				.as("arrivals at the server in any %s window", window)
				.isLessThanOrEqualTo((long) Math.floor(SHAPE.maxTokensIn(window)));
		}
	}

	/**
	 * Pairs of calls that arrived in the opposite order of their queueing, by more than
	 * half a token's interval (calls whose tokens exist at the same instant may arrive in
	 * either order).
	 */
	private List<Arrival> measured() {
		List<Arrival> arrivals = this.upstream.arrivals("/call");
		return arrivals.subList(Math.min(this.measuredFrom, arrivals.size()), arrivals.size());
	}

	private static long inversions(List<Arrival> arrivals) {
		long slack = Duration.ofSeconds(1).toNanos() / 40;
		long inverted = 0;
		for (Arrival earlier : arrivals) {
			for (Arrival later : arrivals) {
				if (index(later) > index(earlier) && later.nanos() + slack < earlier.nanos()) {
					inverted++;
				}
			}
		}
		return inverted;
	}

	private static int index(Arrival arrival) {
		return Integer.parseInt(String.valueOf(arrival.call()));
	}

	private Executor executor(String name, Duration maxUnavailableWait) {
		RedisBucketStore store = RedisBucketStore.builder(RedisConnector.of(() -> this.client)).build();
		store.addAvailabilityListener((availability) -> this.changes.add(availability.status()));
		this.stores.add(store);
		Executor executor = Executor.builder()
			.settings(ExecutorSettings.builder()
				.name(name)
				.requestsRate(SHAPE.rate())
				.requestsBucketCapacity(SHAPE.capacity())
				.concurrencyLimit(10)
				.build())
			.bucketFactory(store.bucketFactory(RedisBucketOptions.of(this.prefix)
				.withTimeout(REDIS_TIMEOUT)
				.withMaxUnavailableWait(maxUnavailableWait)))
			.build();
		executor.start();
		this.executors.add(executor);
		// A first burst, so that the measured calls find Redis, the executor and the
		// HTTP client running (a cold start is not what these tests are about), then a
		// full bucket again.
		assertThat(run(executor, (int) SHAPE.capacity())).allSatisfy(this::completed);
		RedisTokenBucket bucket = requestsBucket(executor);
		await().atMost(Duration.ofSeconds(10))
			.until(() -> bucket.readAvailableTokens().toCompletableFuture().join() == SHAPE.capacity());
		this.measuredFrom = this.upstream.arrivals("/call").size();
		return executor;
	}

	/**
	 * The Redis bucket behind an executor's request bucket view, found by its key.
	 */
	private RedisTokenBucket requestsBucket(Executor executor) {
		String key = executor.requestsBucket().sharedState().key();
		return this.stores.stream()
			.flatMap((store) -> store.buckets().stream())
			.filter((bucket) -> bucket.key().equals(key))
			.findFirst()
			.orElseThrow();
	}

	private List<NetworkRequestEvent> submit(Executor executor, int count) {
		int first = this.upstream.arrivals("/call").size();
		List<NetworkRequestEvent> events = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			int call = first + i;
			events.add(executor.submitTask(TaskRequest.ofStage(() -> get("/call", call)).build()));
		}
		return events;
	}

	private List<NetworkRequestEvent> run(Executor executor, int count) {
		List<NetworkRequestEvent> events = submit(executor, count);
		await().atMost(Duration.ofSeconds(30)).until(() -> events.stream().allMatch(NetworkRequestEvent::isTerminal));
		return events;
	}

	private CompletableFuture<CallResult> get(String path, int call) {
		HttpRequest request = HttpRequest.newBuilder(URI.create(this.upstream.baseUrl() + path))
			.header(ArrivalsServer.CALL, String.valueOf(call))
			.timeout(Duration.ofSeconds(10))
			.build();
		return this.http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
			.thenApply((response) -> new CallResult(response.statusCode(), Map.of(), response.body()));
	}

	/**
	 * Opens the HTTP client's connections and runs its code once, so that the first calls
	 * of a test are not late for the client's own start (a single process's cold start).
	 */
	private void warmUpHttpClient() throws Exception {
		List<CompletableFuture<CallResult>> warming = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			warming.add(get("/warm-up", i));
		}
		CompletableFuture.allOf(warming.toArray(CompletableFuture[]::new)).get();
	}

	private void completed(NetworkRequestEvent event) {
		assertThat(event.getStatus()).as(String.valueOf(event.getErrorMessage())).isEqualTo(RequestStatus.COMPLETED);
	}

	private void assertLogged(int returns, int failures) {
		List<String> messages = this.logs.list.stream()
			.filter((event) -> event.getLevel().isGreaterOrEqual(Level.INFO))
			.map(ILoggingEvent::getFormattedMessage)
			.toList();
		assertThat(messages).filteredOn((message) -> message.contains("is unavailable")).hasSize(1);
		assertThat(messages).filteredOn((message) -> message.contains("available again")).hasSize(returns);
		assertThat(errors()).hasSize(failures);
	}

	private List<String> errors() {
		return this.logs.list.stream()
			.filter((event) -> event.getLevel() == Level.ERROR)
			.map(ILoggingEvent::getFormattedMessage)
			.toList();
	}

	private static Logger storeLogger() {
		return (Logger) LoggerFactory.getLogger(RedisBucketStore.class);
	}

}
