package io.lionfuncs.benchmarks.report;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.client.ApiRequest;
import io.lionfuncs.network.client.AsyncApiClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;

import org.springframework.web.reactive.function.client.WebClient;

/**
 * HTTP overhead: the same {@value #REQUESTS} requests at the same concurrency
 * ({@value #CONCURRENCY} in flight) against a {@link LocalUpstream}, through an
 * {@link Executor} and an {@link AsyncApiClient} against a raw {@link WebClient}, in
 * alternating rounds of the same run after a warm-up of both.
 * <p>
 * Both paths have a Reactor Netty connection pool of the same settings (as many
 * connections as requests in flight, the client's default idle time) and read the JSON
 * body into a Jackson tree along with status and headers. The client is configured as
 * the starter configures its default one (circuit breaker and retry with their
 * defaults, 10 s timeout per attempt); the executor's limits are effectively off (a
 * concurrency limit equal to the requests in flight, a request bucket that never makes
 * a call wait), tracking on. The load is a closed loop: a request is submitted as soon
 * as one completes, so each path runs as fast as it can at that concurrency.
 * <p>
 * A request's latency runs from its submission (for the executor: the
 * {@link AsyncApiClient#submit} subscription) to its completion (the event's terminal
 * status; the response entity). Figures: the medians of the rounds' throughputs and
 * percentiles, the median of each round's ratio of throughputs, and the median of each
 * round's difference of percentiles.
 */
final class HttpScenario implements Scenario {

	static final int REQUESTS = 20_000;

	static final int CONCURRENCY = 64;

	private static final int WARMUP_ROUNDS = 6;

	private static final long WARMUP_NANOS = TimeUnit.SECONDS.toNanos(20);

	private static final int ROUNDS = 9;

	private static final ApiRequest REQUEST = ApiRequest.get(LocalUpstream.PATH).build();

	@Override
	public String name() {
		return "http";
	}

	@Override
	public Map<String, Object> run() throws Exception {
		ConnectionProvider clientPool = ClientOverhead.pool("lionfuncs", CONCURRENCY);
		ConnectionProvider rawPool = ClientOverhead.pool("raw", CONCURRENCY);
		try (LocalUpstream upstream = LocalUpstream.start();
				AsyncApiClient client = ClientOverhead.defaultClient("bench", upstream.baseUrl(), clientPool);
				Executor executor = new Executor(executorSettings())) {
			executor.start();
			WebClient raw = ClientOverhead.rawWebClient(upstream.baseUrl(), rawPool);
			Supplier<Mono<?>> throughExecutor = () -> client.submit(executor, REQUEST)
				.flatMap(NetworkRequestEvent::toMono)
				.map(HttpScenario::requireCompleted);
			Supplier<Mono<?>> direct = () -> raw.get().uri(LocalUpstream.PATH).retrieve().toEntity(JsonNode.class);
			return measure(throughExecutor, direct);
		}
		finally {
			ClientOverhead.dispose(clientPool, rawPool);
		}
	}

	private static Map<String, Object> measure(Supplier<Mono<?>> throughExecutor, Supplier<Mono<?>> direct) {
		List<List<Round>> rounds = ClientOverhead.rotatingRounds(
				List.of(() -> round(throughExecutor), () -> round(direct)), WARMUP_ROUNDS, WARMUP_NANOS, ROUNDS);
		List<Round> executor = rounds.get(0);
		List<Round> raw = rounds.get(1);
		double[] ratio = new double[ROUNDS];
		double[] addedP50 = new double[ROUNDS];
		double[] addedP99 = new double[ROUNDS];
		for (int i = 0; i < ROUNDS; i++) {
			ratio[i] = executor.get(i).requestsPerSecond() / raw.get(i).requestsPerSecond();
			addedP50[i] = executor.get(i).p50Millis() - raw.get(i).p50Millis();
			addedP99[i] = executor.get(i).p99Millis() - raw.get(i).p99Millis();
		}
		Map<String, Object> figures = new LinkedHashMap<>();
		figures.put("http.requests", REQUESTS);
		figures.put("http.concurrency", CONCURRENCY);
		figures.put("http.requestsPerSecond", Math.round(Stats.median(Stats.values(executor, Round::requestsPerSecond))));
		figures.put("http.baselineRequestsPerSecond", Math.round(Stats.median(Stats.values(raw, Round::requestsPerSecond))));
		figures.put("http.throughputRatio", Stats.round(Stats.median(ratio), 3));
		figures.put("http.p50Millis", Stats.round(Stats.median(Stats.values(executor, Round::p50Millis)), 3));
		figures.put("http.baselineP50Millis", Stats.round(Stats.median(Stats.values(raw, Round::p50Millis)), 3));
		figures.put("http.addedP50Millis", Stats.round(Stats.median(addedP50), 3));
		figures.put("http.p99Millis", Stats.round(Stats.median(Stats.values(executor, Round::p99Millis)), 3));
		figures.put("http.baselineP99Millis", Stats.round(Stats.median(Stats.values(raw, Round::p99Millis)), 3));
		figures.put("http.addedP99Millis", Stats.round(Stats.median(addedP99), 3));
		Map<String, Object> perRound = new LinkedHashMap<>();
		perRound.put("requestsPerSecond", Stats.rounded(Stats.values(executor, Round::requestsPerSecond)));
		perRound.put("baselineRequestsPerSecond", Stats.rounded(Stats.values(raw, Round::requestsPerSecond)));
		perRound.put("p99Millis", Stats.rounded(Stats.values(executor, Round::p99Millis), 3));
		perRound.put("baselineP99Millis", Stats.rounded(Stats.values(raw, Round::p99Millis), 3));
		figures.put("http.rounds", perRound);
		return figures;
	}

	private static ExecutorSettings executorSettings() {
		return ExecutorSettings.builder()
			.name("http")
			.concurrencyLimit(CONCURRENCY)
			.queueCapacity(REQUESTS)
			.requestsRate(1_000_000_000)
			.build();
	}

	private static NetworkRequestEvent requireCompleted(NetworkRequestEvent event) {
		if (event.getStatus() != RequestStatus.COMPLETED || !Integer.valueOf(200).equals(event.getResponseStatusCode())) {
			throw new IllegalStateException("Request did not complete with 200: " + event);
		}
		return event;
	}

	/**
	 * Sends every request, {@value #CONCURRENCY} at a time: each completion subscribes
	 * the next one, on the thread that completed it.
	 */
	private static Round round(Supplier<Mono<?>> send) {
		long[] latencies = new long[REQUESTS];
		long started = System.nanoTime();
		Flux.range(0, REQUESTS).flatMap((i) -> Mono.defer(() -> {
			long submitted = System.nanoTime();
			return send.get().doOnNext((result) -> latencies[i] = System.nanoTime() - submitted);
		}), CONCURRENCY, 1).then().block(Duration.ofMinutes(2));
		long elapsed = System.nanoTime() - started;
		Arrays.sort(latencies);
		if (latencies[0] <= 0) {
			throw new IllegalStateException("A request completed without a response");
		}
		return new Round(REQUESTS * 1e9 / elapsed, Stats.percentile(latencies, 0.50) / 1e6, Stats.percentile(latencies, 0.99) / 1e6);
	}

	private record Round(double requestsPerSecond, double p50Millis, double p99Millis) {

	}

}
