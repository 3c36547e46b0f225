package io.lionfuncs.network.limit.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntToLongFunction;
import java.util.function.ToLongFunction;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.TaskRequest;
import io.lionfuncs.network.limit.BucketSettings;
import io.lionfuncs.testsupport.RedisTestServer;
import org.assertj.core.data.Percentage;
import io.lionfuncs.testsupport.SlidingWindows;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Executors with the same name on the same Redis, in separate stores (as separate
 * replicas would be), driven at once: together they stay within one budget. Real time,
 * because Redis buckets refill by the wall clock. A call never starts before its tokens
 * exist, but a loaded machine may start it late, which bunches it with the calls after
 * it; the window bounds therefore allow {@link #LATENESS} of such lateness:
 * {@code capacity + rate * (T + LATENESS) / period}. Replicas that did not share one
 * budget would exceed that by far (each would send the whole rate).
 */
class RedisSharedRateLimitTests {

	private static final Duration LATENESS = Duration.ofMillis(50);

	private static final List<Duration> WINDOWS = List.of(Duration.ofMillis(100), Duration.ofMillis(250),
			Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));

	private static RedisTestServer redis;

	private static RedisClient client;

	private final List<RedisBucketStore> stores = new ArrayList<>();

	private final List<Executor> executors = new ArrayList<>();

	private final String prefix = "shared-" + UUID.randomUUID();

	@BeforeAll
	static void startRedis() {
		redis = RedisTestServer.start();
		client = RedisClient.create(RedisURI.builder()
			.withHost(redis.host())
			.withPort(redis.port())
			.withTimeout(Duration.ofSeconds(2))
			.build());
	}

	@AfterAll
	static void stopRedis() {
		client.shutdown();
		redis.close();
	}

	@AfterEach
	void stop() {
		this.executors.forEach((executor) -> executor.stop(false));
		this.stores.forEach(RedisBucketStore::close);
	}

	@Test
	void threeReplicasTogetherStayWithinOneRequestBudget() throws Exception {
		ExecutorSettings settings = ExecutorSettings.builder()
			.name("shared")
			.requestsRate(100)
			.requestsBucketCapacity(20L)
			.concurrencyLimit(10)
			.queueCapacity(1000)
			.build();
		Run run = drive(3, 200, settings, (index) -> 0);

		BucketSettings shape = settings.requestsBucket();
		assertThat(run.starts).hasSize(600);
		assertThat(run.replicasUsed()).as("every replica made calls").isEqualTo(3);
		for (Duration window : WINDOWS) {
			assertThat(run.maxInWindow(window, (start) -> 1)).as("calls of all replicas in any %s window", window)
				.isLessThanOrEqualTo((long) Math.floor(shape.maxTokensIn(window.plus(LATENESS))));
		}
		double rate = run.rate(shape.capacity(), Start::weightOne);
		long excess = WINDOWS.stream()
			.mapToLong((window) -> run.maxInWindow(window, (start) -> 1) - (long) Math.floor(shape.maxTokensIn(window)))
			.max()
			.orElseThrow();
		System.out.printf(Locale.ROOT,
				"[redis-precision] 3 replicas, %d calls, configured %.1f/s, measured %.2f/s, error %+.2f%%, "
						+ "largest window excess over capacity + rate * T: %d calls (%s)%n",
				run.starts.size(), shape.tokensPerSecond(), rate, (rate / shape.tokensPerSecond() - 1) * 100, excess,
				redis.description());
		assertThat(rate).as("long-run aggregate rate of the replicas").isCloseTo(shape.tokensPerSecond(),
				Percentage.withPercentage(2));
		assertThat(run.threads).as("calls run on the executors' threads, never on Redis client threads")
			.allMatch((thread) -> thread.startsWith("lionfuncs-shared"));
	}

	@Test
	void twoReplicasTogetherStayWithinOneApiTokenBudget() throws Exception {
		ExecutorSettings settings = ExecutorSettings.builder()
			.name("tokens")
			.requestsRate(10_000)
			.apiTokensRate(2000.0)
			.apiTokensPeriod(Duration.ofSeconds(1))
			.apiTokensBucketCapacity(200L)
			.concurrencyLimit(10)
			.queueCapacity(1000)
			.build();
		Run run = drive(2, 100, settings, (index) -> 1 + (index * 37L) % 50);

		BucketSettings shape = settings.apiTokensBucket();
		assertThat(run.starts).hasSize(200);
		for (Duration window : WINDOWS) {
			assertThat(run.maxInWindow(window, Start::tokens)).as("API tokens of all replicas in any %s window", window)
				.isLessThanOrEqualTo((long) Math.floor(shape.maxTokensIn(window.plus(LATENESS))));
		}
		assertThat(run.rate(shape.capacity(), Start::tokens)).as("long-run aggregate API-token rate")
			.isCloseTo(shape.tokensPerSecond(), Percentage.withPercentage(2));
	}

	/**
	 * Starts one executor per replica, each in its own store, submits every call from one
	 * thread per replica at once, and waits until all are done.
	 */
	private Run drive(int replicas, int callsPerReplica, ExecutorSettings settings, IntToLongFunction tokens)
			throws Exception {
		Run run = new Run();
		for (int r = 0; r < replicas; r++) {
			RedisBucketStore store = RedisBucketStore.builder(RedisConnector.of(() -> client)).build();
			this.stores.add(store);
			Executor executor = Executor.builder()
				.settings(settings)
				.bucketFactory(store.bucketFactory(RedisBucketOptions.of(this.prefix).withTimeout(Duration.ofSeconds(10))))
				.build();
			executor.start();
			this.executors.add(executor);
		}
		CountDownLatch go = new CountDownLatch(1);
		ExecutorService submitters = Executors.newFixedThreadPool(replicas);
		List<Future<List<NetworkRequestEvent>>> submitted = new ArrayList<>();
		for (int r = 0; r < replicas; r++) {
			Executor executor = this.executors.get(r);
			int replica = r;
			submitted.add(submitters.submit(() -> {
				go.await();
				List<NetworkRequestEvent> events = new ArrayList<>();
				for (int c = 0; c < callsPerReplica; c++) {
					long needed = tokens.applyAsLong(replica * callsPerReplica + c);
					events.add(executor.submitTask(TaskRequest.ofStage(() -> {
						run.starts.add(new Start(System.nanoTime(), needed, replica));
						run.threads.add(Thread.currentThread().getName());
						return CompletableFuture.completedFuture(CallResult.of(200, null));
					}).numApiTokensNeeded(needed).build()));
				}
				return events;
			}));
		}
		go.countDown();
		List<NetworkRequestEvent> events = new ArrayList<>();
		for (Future<List<NetworkRequestEvent>> future : submitted) {
			events.addAll(future.get(30, TimeUnit.SECONDS));
		}
		submitters.shutdown();
		await().atMost(Duration.ofSeconds(60)).until(() -> events.stream().allMatch(NetworkRequestEvent::isTerminal));
		assertThat(events).allSatisfy((event) -> assertThat(event.getStatus()).as(event.getErrorMessage())
			.isEqualTo(RequestStatus.COMPLETED));
		return run;
	}

	record Start(long nanos, long tokens, int replica) {

		long weightOne() {
			return 1;
		}

	}

	static final class Run {

		final ConcurrentLinkedQueue<Start> starts = new ConcurrentLinkedQueue<>();

		final ConcurrentLinkedQueue<String> threads = new ConcurrentLinkedQueue<>();

		long replicasUsed() {
			return this.starts.stream().mapToInt(Start::replica).distinct().count();
		}

		/**
		 * The long-run rate: the least-squares slope of tokens sent against time, over
		 * the calls after the initial burst (which is not refill). A fit, rather than the
		 * first and last call alone, so that one late start does not skew the figure.
		 */
		double rate(long burst, ToLongFunction<Start> weight) {
			List<Start> sorted = sorted();
			long sent = 0;
			int n = 0;
			double sumT = 0;
			double sumX = 0;
			double sumTT = 0;
			double sumTX = 0;
			long origin = sorted.get(0).nanos();
			for (Start start : sorted) {
				sent += weight.applyAsLong(start);
				if (sent <= burst) {
					continue;
				}
				double t = (start.nanos() - origin) / 1e9;
				n++;
				sumT += t;
				sumX += sent;
				sumTT += t * t;
				sumTX += t * sent;
			}
			return (n * sumTX - sumT * sumX) / (n * sumTT - sumT * sumT);
		}

		/**
		 * The largest total over any closed window {@code [s, s + window]} starting at a
		 * call: the busiest window always starts at one.
		 */
		long maxInWindow(Duration window, ToLongFunction<Start> weight) {
			return SlidingWindows.busiest(this.starts, Start::nanos, weight, window);
		}

		private List<Start> sorted() {
			return this.starts.stream().sorted(Comparator.comparingLong(Start::nanos)).toList();
		}

	}

}
