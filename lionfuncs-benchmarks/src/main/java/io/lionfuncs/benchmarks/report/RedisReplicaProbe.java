package io.lionfuncs.benchmarks.report;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
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
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * One replica of the {@link RedisJoinScenario}, in a JVM of its own: an {@link Executor}
 * on Redis buckets whose calls go through an {@link AsyncApiClient}, built as the starter
 * builds them (the client's writes paced to the executor's shape; a cold client's
 * transport warmed while the executor holds its first dispatch). Run as
 * {@code RedisReplicaProbe <redis uri> <key prefix> <base url> <replica> <calls> <rate> <burst>
 * <concurrency> <warm|cold>}; with {@code warm} it first runs its client against the upstream's {@code /warm-up},
 * which the scenario does not count. It prints {@code READY} once its executor runs,
 * waits for {@code GO} on its standard input, submits every call at once, prints
 * {@code CALL <index> <epoch nanos>} for each call's start as the executor let it leave,
 * then {@code DONE <failed>}, and exits.
 */
public final class RedisReplicaProbe {

	static final String CALLER = "X-Caller";

	private RedisReplicaProbe() {
	}

	public static void main(String[] args) throws Exception {
		int calls = Integer.parseInt(args[4]);
		int concurrency = Integer.parseInt(args[7]);
		RedisClient redis = RedisClient.create(args[0]);
		RedisBucketStore store = RedisBucketStore.builder(RedisConnector.of(() -> redis)).build();
		ExecutorSettings settings = ExecutorSettings.builder()
			.name("shared")
			.requestsRate(Double.parseDouble(args[5]))
			.requestsBucketCapacity(Long.parseLong(args[6]))
			.concurrencyLimit(concurrency)
			.queueCapacity(calls)
			.build();
		// As the starter builds a client for an executor: its writes paced to the executor's shape.
		AsyncApiClient client = AsyncApiClient.builder()
			.name("replica")
			.baseUrl(args[2])
			.writePacing(settings.requestsBucket())
			.build();
		if (args[8].equals("warm")) {
			client.warmup().block(Duration.ofSeconds(30));
			for (int round = 0; round < 20; round++) {
				List<Mono<Object>> requests = new ArrayList<>();
				for (int i = 0; i < concurrency; i++) {
					requests.add(client.request(ApiRequest.get("/warm-up").build()));
				}
				Flux.merge(requests).blockLast(Duration.ofSeconds(30));
			}
		}
		Executor executor = Executor.builder()
			.settings(settings)
			.bucketFactory(store.bucketFactory(RedisBucketOptions.of(args[1]).withTimeout(Duration.ofSeconds(5))))
			.build();
		if (!args[8].equals("warm")) {
			// As the starter starts an application: the client's transport warms in the
			// background while the executor holds its first dispatch.
			executor.holdDispatchUntil(client.warmup().toFuture(), Duration.ofSeconds(5));
		}
		executor.start();
		System.out.println("READY");
		System.out.flush();
		BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
		for (String line = in.readLine(); !"GO".equals(line); line = in.readLine()) {
			if (line == null) {
				System.exit(2);
			}
		}
		List<NetworkRequestEvent> events = new ArrayList<>();
		for (int i = 0; i < calls; i++) {
			events.add(client.submitTask(executor, ApiRequest.get("/call").header(CALLER, args[3]).build()));
		}
		StringBuilder out = new StringBuilder();
		int failed = 0;
		for (int i = 0; i < events.size(); i++) {
			NetworkRequestEvent event = events.get(i).completion().get(300, TimeUnit.SECONDS);
			Instant started = event.getCallStartedAt();
			if (event.getStatus() != RequestStatus.COMPLETED || started == null) {
				failed++;
				continue;
			}
			out.append("CALL ").append(i).append(' ')
				.append(started.getEpochSecond() * 1_000_000_000L + started.getNano()).append('\n');
		}
		System.out.print(out);
		System.out.println("DONE " + failed);
		System.out.flush();
		Runtime.getRuntime().halt(0);
	}

}
