package io.lionfuncs.reliability;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.client.ApiRequest;
import io.lionfuncs.network.client.AsyncApiClient;
import io.lionfuncs.network.limit.redis.RedisBucketOptions;
import io.lionfuncs.network.limit.redis.RedisBucketStore;
import io.lionfuncs.network.limit.redis.RedisConnector;
import io.lionfuncs.testsupport.ArrivalsServer;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One replica of a service that shares its request budget in Redis, as a process of its
 * own: an {@link Executor} on Redis buckets whose calls go through an
 * {@link AsyncApiClient} to an upstream. Run as
 * {@code RedisReplicaChild <redis uri> <key prefix> <base url> <replica> <calls> <rate> <burst> <concurrency> <warm|cold>}.
 * With {@code warm}, it first runs its client against the upstream's {@code /warm-up},
 * which is not judged, so that the client's code and connection set-up do not run for
 * the first time in the calls it makes for the budget. It prints
 * {@code READY} once its executor runs (its Redis buckets connected), then waits for a
 * line {@code GO} on its standard input, submits every call at once, prints
 * {@code DONE <completed> <failed>} when all are terminal, and exits.
 */
public final class RedisReplicaChild {

	private RedisReplicaChild() {
	}

	public static void main(String[] args) throws Exception {
		String replica = args[3];
		int calls = Integer.parseInt(args[4]);
		int concurrency = Integer.parseInt(args[7]);
		RedisClient redis = RedisClient.create(args[0]);
		RedisBucketStore store = RedisBucketStore.builder(RedisConnector.of(() -> redis)).build();
		AsyncApiClient client = client(args[2]);
		if (args[8].equals("warm")) {
			warmUp(client, concurrency);
		}
		Executor executor = Executor.builder()
			.settings(ExecutorSettings.builder()
				.name("shared")
				.requestsRate(Double.parseDouble(args[5]))
				.requestsBucketCapacity(Long.parseLong(args[6]))
				.concurrencyLimit(concurrency)
				.queueCapacity(calls)
				.build())
			.bucketFactory(store.bucketFactory(RedisBucketOptions.of(args[1]).withTimeout(Duration.ofSeconds(5))))
			.build();
		executor.start();
		announce("READY");
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		for (String line = in.readLine(); !"GO".equals(line); line = in.readLine()) {
			if (line == null) {
				System.exit(2);
			}
		}
		List<NetworkRequestEvent> events = new ArrayList<>();
		for (int i = 0; i < calls; i++) {
			events.add(client.submitTask(executor, ApiRequest.get("/call")
				.header(ArrivalsServer.CALLER, replica)
				.header(ArrivalsServer.CALL, String.valueOf(i))
				.build()));
		}
		int completed = 0;
		for (NetworkRequestEvent event : events) {
			event.completion().get(120, TimeUnit.SECONDS);
			if (event.getStatus() == RequestStatus.COMPLETED) {
				completed++;
			}
			else {
				announce("FAILED " + event.getErrorMessage());
			}
		}
		announce("DONE " + completed + " " + (calls - completed));
		executor.stop(false);
		client.close();
		store.close();
		redis.shutdown();
		System.exit(0);
	}

	private static AsyncApiClient client(String baseUrl) {
		return AsyncApiClient.builder().name("replica").baseUrl(baseUrl).build();
	}

	/**
	 * Runs the client, with as many calls at once as the replica makes, against the
	 * upstream's {@code /warm-up}, which the test does not count as calls: its code runs
	 * and its connections are open before the replica takes part.
	 */
	private static void warmUp(AsyncApiClient client, int concurrency) {
		client.warmup().block(Duration.ofSeconds(30));
		for (int round = 0; round < 20; round++) {
			List<Mono<Object>> requests = new ArrayList<>();
			for (int i = 0; i < concurrency; i++) {
				requests.add(client.request(ApiRequest.get("/warm-up").header(ArrivalsServer.CALL, i).build()));
			}
			Flux.merge(requests).blockLast(Duration.ofSeconds(30));
		}
	}

	private static synchronized void announce(String fact) {
		System.out.println(fact);
		System.out.flush();
	}

}
