package io.lionfuncs.reliability;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import io.lionfuncs.network.limit.BucketSettings;
import io.lionfuncs.testsupport.ArrivalsServer;
import io.lionfuncs.testsupport.ArrivalsServer.Arrival;
import io.lionfuncs.testsupport.RedisTestServer;
import io.lionfuncs.testsupport.SlidingWindows;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The promise of shared limits, as processes and judged where a provider judges it:
 * replicas in JVMs of their own ({@link RedisReplicaChild}) share one budget in a real
 * Redis and call one local HTTP server that notes when each request arrives. Two
 * replicas run the budget dry; a third starts later, in a new JVM, its Redis buckets and
 * executor cold, and joins. Over any window of length {@code T}, the arrivals of all
 * replicas stay within the provider's {@code capacity + rate * T}: nothing over.
 * <p>
 * Two things are not the shared budget's and are held apart. The replicas run their HTTP
 * client against the upstream's {@code /warm-up} before they take part, which is not
 * judged: a client's first requests are late on their own account (its code and
 * connections start), with or without Redis; the benchmark report measures a join
 * without it. And a call that starts late bunches with the calls after it at the
 * server, which a host this test shares with builds does to calls by up to about
 * {@link #LATENESS}: the replicas keep a margin for it, as a service does that must
 * never exceed its provider's limit, a burst smaller than the provider's by
 * {@code rate * LATENESS} (calls later than that would have to be paced by the time they
 * reach the wire).
 */
@Tag("slow")
@ExtendWith(SuiteDuration.class)
class RedisReplicaJoinTests {

	private static final Duration FACT_TIMEOUT = Duration.ofSeconds(90);

	/** The provider's limit, which the arrivals are judged by. */
	private static final BucketSettings SHAPE = new BucketSettings(5, 10, Duration.ofSeconds(1));

	/** The lateness the replicas' margin absorbs. */
	private static final Duration LATENESS = Duration.ofMillis(200);

	/** The replicas' burst: the provider's, less the margin. */
	private static final long BURST = SHAPE.capacity() - Math.round(SHAPE.rate() * LATENESS.toMillis() / 1000.0);

	private static final int CONCURRENCY = 8;

	private static final List<Duration> WINDOWS = List.of(Duration.ofMillis(100), Duration.ofMillis(250),
			Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));

	private static RedisTestServer redis;

	@BeforeAll
	static void startRedis() {
		redis = RedisTestServer.start();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@Test
	void aReplicaJoiningLateAddsNoBurstAtTheServer() throws Exception {
		String prefix = "join-" + UUID.randomUUID();
		Figures figures = Figures.start("redis-replica-join");
		try (ArrivalsServer upstream = ArrivalsServer.start()) {
			List<ChildJvm> replicas = new ArrayList<>();
			try {
				replicas.add(ready(replica(prefix, upstream, "a", 60)));
				replicas.add(ready(replica(prefix, upstream, "b", 60)));
				replicas.forEach((replica) -> replica.send("GO"));
				await().atMost(FACT_TIMEOUT).until(() -> calls(upstream).size() >= 2 * BURST + 10);
				long joinedAfter = calls(upstream).size();

				ChildJvm late = ready(replica(prefix, upstream, "c", 30));
				replicas.add(late);
				late.send("GO");
				for (ChildJvm replica : replicas) {
					assertThat(replica.awaitLine((line) -> line.startsWith("DONE "), FACT_TIMEOUT))
						.as("every call of the replica completed; output: %s", replica.output())
						.endsWith(" 0");
				}

				List<Arrival> arrivals = calls(upstream);
				assertThat(arrivals).hasSize(150);
				assertThat(arrivals.stream().map(Arrival::caller).distinct()).containsExactlyInAnyOrder("a", "b", "c");
				int firstOfLate = indexOfFirst(arrivals, "c");
				assertThat(firstOfLate).as("the late replica joined after the others had run the bucket dry")
					.isGreaterThanOrEqualTo((int) joinedAfter);
				assertThat(arrivals.subList(firstOfLate, arrivals.size())).map(Arrival::caller)
					.as("the others still called when it joined")
					.contains("a", "b");
				figures.put("lateReplicaFirstArrival", firstOfLate);
				for (Duration window : WINDOWS) {
					long busiest = SlidingWindows.busiest(arrivals, Arrival::nanos, (arrival) -> 1, window);
					long bound = (long) Math.floor(SHAPE.maxTokensIn(window));
					figures.put("busiest" + window.toMillis() + "ms", busiest + "/" + bound);
					assertThat(busiest).as("arrivals of all replicas at the server in any %s window", window)
						.isLessThanOrEqualTo(bound);
				}
			}
			finally {
				for (ChildJvm replica : replicas) {
					replica.close();
				}
			}
		}
		figures.put("loadAverage", String.format(Locale.ROOT, "%.2f",
				ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
		figures.report();
	}

	private static ChildJvm replica(String prefix, ArrivalsServer upstream, String name, int calls) {
		return ChildJvm.start(RedisReplicaChild.class, redis.uri(), prefix, upstream.baseUrl(), name,
				String.valueOf(calls), String.valueOf(SHAPE.rate()), String.valueOf(BURST),
				String.valueOf(CONCURRENCY), "warm");
	}

	private static ChildJvm ready(ChildJvm replica) {
		replica.awaitLine("READY"::equals, FACT_TIMEOUT);
		return replica;
	}

	private static List<Arrival> calls(ArrivalsServer upstream) {
		return upstream.arrivals("/call");
	}

	private static int indexOfFirst(List<Arrival> arrivals, String caller) {
		for (int i = 0; i < arrivals.size(); i++) {
			if (caller.equals(arrivals.get(i).caller())) {
				return i;
			}
		}
		return -1;
	}

}
