package io.lionfuncs.benchmarks.report;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.client.ApiRequest;
import io.lionfuncs.network.client.AsyncApiClient;
import io.lionfuncs.network.client.CircuitBreakerSettings;
import io.lionfuncs.network.client.RetrySettings;
import io.netty.channel.ChannelOption;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;
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

	private static final Duration MAX_IDLE_TIME = AsyncApiClient.DEFAULT_MAX_IDLE_TIME;

	private static final ApiRequest REQUEST = ApiRequest.get(LocalUpstream.PATH).build();

	@Override
	public String name() {
		return "http";
	}

	@Override
	public Map<String, Object> run() throws Exception {
		ConnectionProvider clientPool = pool("lionfuncs");
		ConnectionProvider rawPool = pool("raw");
		try (LocalUpstream upstream = LocalUpstream.start();
				AsyncApiClient client = AsyncApiClient.builder()
					.name("bench")
					.baseUrl(upstream.baseUrl())
					.connectionProvider(clientPool)
					.circuitBreaker(CircuitBreakerSettings.defaults())
					.retry(RetrySettings.defaults())
					.build();
				Executor executor = new Executor(executorSettings())) {
			executor.start();
			WebClient raw = WebClient.builder()
				.baseUrl(upstream.baseUrl())
				.clientConnector(new ReactorClientHttpConnector(HttpClient.create(rawPool)
					.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) AsyncApiClient.DEFAULT_TIMEOUT.toMillis())))
				.build();
			Supplier<Mono<?>> throughExecutor = () -> client.submit(executor, REQUEST)
				.flatMap(NetworkRequestEvent::toMono)
				.map(HttpScenario::requireCompleted);
			Supplier<Mono<?>> direct = () -> raw.get().uri(LocalUpstream.PATH).retrieve().toEntity(JsonNode.class);
			return measure(throughExecutor, direct);
		}
		finally {
			clientPool.disposeLater().block(Duration.ofSeconds(10));
			rawPool.disposeLater().block(Duration.ofSeconds(10));
		}
	}

	private static Map<String, Object> measure(Supplier<Mono<?>> throughExecutor, Supplier<Mono<?>> direct) {
		// Until both are compiled and the heap has grown to the load: some rounds, some time.
		long warmupStarted = System.nanoTime();
		for (int i = 0; i < WARMUP_ROUNDS || System.nanoTime() - warmupStarted < WARMUP_NANOS; i++) {
			round(throughExecutor);
			round(direct);
		}
		Round[] executor = new Round[ROUNDS];
		Round[] raw = new Round[ROUNDS];
		for (int i = 0; i < ROUNDS; i++) {
			// Alternate which side goes first so neither always inherits the other's garbage.
			if (i % 2 == 0) {
				executor[i] = round(throughExecutor);
				raw[i] = round(direct);
			}
			else {
				raw[i] = round(direct);
				executor[i] = round(throughExecutor);
			}
		}
		double[] ratio = new double[ROUNDS];
		double[] addedP50 = new double[ROUNDS];
		double[] addedP99 = new double[ROUNDS];
		for (int i = 0; i < ROUNDS; i++) {
			ratio[i] = executor[i].requestsPerSecond() / raw[i].requestsPerSecond();
			addedP50[i] = executor[i].p50Millis() - raw[i].p50Millis();
			addedP99[i] = executor[i].p99Millis() - raw[i].p99Millis();
		}
		Map<String, Object> figures = new LinkedHashMap<>();
		figures.put("http.requests", REQUESTS);
		figures.put("http.concurrency", CONCURRENCY);
		figures.put("http.requestsPerSecond", Math.round(Stats.median(values(executor, Round::requestsPerSecond))));
		figures.put("http.baselineRequestsPerSecond", Math.round(Stats.median(values(raw, Round::requestsPerSecond))));
		figures.put("http.throughputRatio", Stats.round(Stats.median(ratio), 3));
		figures.put("http.p50Millis", Stats.round(Stats.median(values(executor, Round::p50Millis)), 3));
		figures.put("http.baselineP50Millis", Stats.round(Stats.median(values(raw, Round::p50Millis)), 3));
		figures.put("http.addedP50Millis", Stats.round(Stats.median(addedP50), 3));
		figures.put("http.p99Millis", Stats.round(Stats.median(values(executor, Round::p99Millis)), 3));
		figures.put("http.baselineP99Millis", Stats.round(Stats.median(values(raw, Round::p99Millis)), 3));
		figures.put("http.addedP99Millis", Stats.round(Stats.median(addedP99), 3));
		Map<String, Object> rounds = new LinkedHashMap<>();
		rounds.put("requestsPerSecond", Stats.rounded(values(executor, Round::requestsPerSecond)));
		rounds.put("baselineRequestsPerSecond", Stats.rounded(values(raw, Round::requestsPerSecond)));
		rounds.put("p99Millis", rounded(values(executor, Round::p99Millis)));
		rounds.put("baselineP99Millis", rounded(values(raw, Round::p99Millis)));
		figures.put("http.rounds", rounds);
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

	/**
	 * A pool like the one the client builds by default, sized for the load.
	 */
	private static ConnectionProvider pool(String name) {
		return ConnectionProvider.builder(name)
			.maxConnections(CONCURRENCY)
			.maxIdleTime(MAX_IDLE_TIME)
			.evictInBackground(MAX_IDLE_TIME.dividedBy(4))
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
		return new Round(REQUESTS * 1e9 / elapsed, percentile(latencies, 0.50) / 1e6, percentile(latencies, 0.99) / 1e6);
	}

	private static long percentile(long[] sorted, double quantile) {
		return sorted[(int) Math.ceil(quantile * sorted.length) - 1];
	}

	private static double[] values(Round[] rounds, ToDoubleFunction<Round> value) {
		return Arrays.stream(rounds).mapToDouble(value).toArray();
	}

	private static List<Double> rounded(double[] values) {
		return Arrays.stream(values).mapToObj((value) -> Stats.round(value, 3)).toList();
	}

	private record Round(double requestsPerSecond, double p50Millis, double p99Millis) {

	}

}
