package io.lionfuncs.benchmarks.report;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.client.ApiRequest;
import io.lionfuncs.network.client.ApiStream;
import io.lionfuncs.network.client.AsyncApiClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Streaming overhead: the same {@value #STREAMS} streams of
 * {@value LocalStreamingUpstream#CHUNKS} chunks at the same concurrency
 * ({@value #CONCURRENCY} open at once) against a {@link LocalStreamingUpstream}, through
 * an {@link Executor} and {@link AsyncApiClient#stream(Executor, ApiRequest, long)}
 * against a raw {@link WebClient} reading the same server-sent events with Spring's own
 * decoder, in rotating rounds of the same run after a warm-up of each. A third side,
 * {@link AsyncApiClient#stream(ApiRequest)} without an executor, tells the client's own
 * share of the difference from the executor's.
 * <p>
 * Both paths have a Reactor Netty pool of the same settings and read every event to the
 * end of the stream. The client is configured as the starter configures its default one
 * (circuit breaker and retry at their defaults, 10 s timeout); the executor holds each
 * stream's slot and API-token reservation until it ends and reads each event for usage,
 * its limits otherwise effectively off. The load is a closed loop: a stream starts as
 * soon as one ends.
 * <p>
 * A stream's time to first byte runs from its subscription (for the executor: before
 * the lease is asked for) to its first event; its duration to its end. Figures: the
 * medians of the rounds' throughputs and percentiles, the median of each round's ratio of
 * throughputs, and the median of each round's difference of percentiles.
 */
final class StreamingScenario implements Scenario {

	static final int STREAMS = 1000;

	static final int CONCURRENCY = 50;

	private static final int WARMUP_ROUNDS = 6;

	private static final long WARMUP_NANOS = TimeUnit.SECONDS.toNanos(15);

	private static final int ROUNDS = 9;

	private static final ApiRequest REQUEST = ApiRequest.post(LocalStreamingUpstream.PATH)
		.json(Map.of("model", "bench", "stream", true))
		.build();

	private static final ParameterizedTypeReference<ServerSentEvent<String>> EVENT = new ParameterizedTypeReference<>() {
	};

	@Override
	public String name() {
		return "streaming";
	}

	@Override
	public Map<String, Object> run() throws Exception {
		ConnectionProvider clientPool = ClientOverhead.pool("lionfuncs-stream", CONCURRENCY);
		ConnectionProvider rawPool = ClientOverhead.pool("raw-stream", CONCURRENCY);
		double loadBefore = Machine.loadAverage();
		try (LocalStreamingUpstream upstream = LocalStreamingUpstream.start();
				AsyncApiClient client = ClientOverhead.defaultClient("bench-stream", upstream.baseUrl(), clientPool);
				Executor executor = new Executor(executorSettings())) {
			executor.start();
			WebClient raw = ClientOverhead.rawWebClient(upstream.baseUrl(), rawPool);
			Function<long[], Mono<?>> throughExecutor = (firstByte) -> client.stream(executor, REQUEST, 100)
				.flatMapMany((stream) -> stream.events().doOnComplete(() -> requireCompleted(stream)))
				.doOnNext(firstEvent(firstByte))
				.then();
			Function<long[], Mono<?>> clientOnly = (firstByte) -> client.stream(REQUEST)
				.doOnNext(firstEvent(firstByte))
				.then();
			Function<long[], Mono<?>> direct = (firstByte) -> raw.post()
				.uri(LocalStreamingUpstream.PATH)
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(Map.of("model", "bench", "stream", true))
				.retrieve()
				.bodyToFlux(EVENT)
				.doOnNext(firstEvent(firstByte))
				.then();
			Map<String, Object> figures = measure(throughExecutor, clientOnly, direct);
			figures.put("streaming.loadAverage", Map.of("start", loadBefore, "end", Machine.loadAverage()));
			return figures;
		}
		finally {
			ClientOverhead.dispose(clientPool, rawPool);
		}
	}

	private static Map<String, Object> measure(Function<long[], Mono<?>> throughExecutor,
			Function<long[], Mono<?>> clientOnly, Function<long[], Mono<?>> direct) {
		List<List<Round>> rounds = ClientOverhead.rotatingRounds(
				List.of(() -> round(throughExecutor), () -> round(clientOnly), () -> round(direct)), WARMUP_ROUNDS,
				WARMUP_NANOS, ROUNDS);
		List<Round> executor = rounds.get(0);
		List<Round> plain = rounds.get(1);
		List<Round> raw = rounds.get(2);
		Map<String, Object> figures = new LinkedHashMap<>();
		figures.put("streaming.streams", STREAMS);
		figures.put("streaming.chunksPerStream", LocalStreamingUpstream.CHUNKS);
		figures.put("streaming.chunkPaceMillis", LocalStreamingUpstream.PACE.toMillis());
		figures.put("streaming.concurrency", CONCURRENCY);
		figures.put("streaming.streamsPerSecond",
				Math.round(Stats.median(Stats.values(executor, Round::streamsPerSecond))));
		figures.put("streaming.baselineStreamsPerSecond", Math.round(Stats.median(Stats.values(raw, Round::streamsPerSecond))));
		figures.put("streaming.throughputRatio", Stats.round(Stats.median(ratios(executor, raw)), 3));
		figures.put("streaming.firstByteP50Millis",
				Stats.round(Stats.median(Stats.values(executor, Round::firstByteP50Millis)), 3));
		figures.put("streaming.baselineFirstByteP50Millis",
				Stats.round(Stats.median(Stats.values(raw, Round::firstByteP50Millis)), 3));
		figures.put("streaming.addedFirstByteP50Millis",
				Stats.round(Stats.median(added(executor, raw, Round::firstByteP50Millis)), 3));
		figures.put("streaming.firstByteP99Millis",
				Stats.round(Stats.median(Stats.values(executor, Round::firstByteP99Millis)), 3));
		figures.put("streaming.baselineFirstByteP99Millis",
				Stats.round(Stats.median(Stats.values(raw, Round::firstByteP99Millis)), 3));
		figures.put("streaming.addedFirstByteP99Millis",
				Stats.round(Stats.median(added(executor, raw, Round::firstByteP99Millis)), 3));
		// The client alone, without an executor: what the stream's own reading adds.
		figures.put("streaming.clientThroughputRatio", Stats.round(Stats.median(ratios(plain, raw)), 3));
		figures.put("streaming.clientAddedFirstByteP50Millis",
				Stats.round(Stats.median(added(plain, raw, Round::firstByteP50Millis)), 3));
		figures.put("streaming.clientAddedFirstByteP99Millis",
				Stats.round(Stats.median(added(plain, raw, Round::firstByteP99Millis)), 3));
		Map<String, Object> perRound = new LinkedHashMap<>();
		perRound.put("streamsPerSecond", Stats.rounded(Stats.values(executor, Round::streamsPerSecond)));
		perRound.put("clientStreamsPerSecond", Stats.rounded(Stats.values(plain, Round::streamsPerSecond)));
		perRound.put("baselineStreamsPerSecond", Stats.rounded(Stats.values(raw, Round::streamsPerSecond)));
		perRound.put("firstByteP99Millis", Stats.rounded(Stats.values(executor, Round::firstByteP99Millis), 3));
		perRound.put("clientFirstByteP99Millis", Stats.rounded(Stats.values(plain, Round::firstByteP99Millis), 3));
		perRound.put("baselineFirstByteP99Millis", Stats.rounded(Stats.values(raw, Round::firstByteP99Millis), 3));
		figures.put("streaming.rounds", perRound);
		return figures;
	}

	private static double[] ratios(List<Round> subject, List<Round> baseline) {
		double[] ratio = new double[subject.size()];
		for (int i = 0; i < subject.size(); i++) {
			ratio[i] = subject.get(i).streamsPerSecond() / baseline.get(i).streamsPerSecond();
		}
		return ratio;
	}

	private static double[] added(List<Round> subject, List<Round> baseline, ToDoubleFunction<Round> figure) {
		double[] added = new double[subject.size()];
		for (int i = 0; i < subject.size(); i++) {
			added[i] = figure.applyAsDouble(subject.get(i)) - figure.applyAsDouble(baseline.get(i));
		}
		return added;
	}

	private static ExecutorSettings executorSettings() {
		return ExecutorSettings.builder()
			.name("streaming")
			.concurrencyLimit(CONCURRENCY)
			.queueCapacity(STREAMS)
			.requestsRate(1_000_000_000)
			.apiTokensRate(1_000_000_000.0)
			.apiTokensPeriod(Duration.ofSeconds(1))
			.build();
	}

	private static void requireCompleted(ApiStream stream) {
		if (stream.event().getStatus() != RequestStatus.COMPLETED) {
			throw new IllegalStateException("Stream did not complete: " + stream.event());
		}
	}

	/**
	 * Stamps the first event of a stream, at the slot {@code firstByte[1]} holds the start.
	 */
	private static <T> java.util.function.Consumer<T> firstEvent(long[] firstByte) {
		return (event) -> {
			if (firstByte[0] == 0) {
				firstByte[0] = System.nanoTime() - firstByte[1];
			}
		};
	}

	/**
	 * Runs every stream, {@value #CONCURRENCY} at a time: each end subscribes the next
	 * one, on the thread that ended it.
	 */
	private static Round round(Function<long[], Mono<?>> stream) {
		long[] firstByte = new long[STREAMS];
		long started = System.nanoTime();
		Flux.range(0, STREAMS).flatMap((i) -> Mono.defer(() -> {
			long[] stamps = { 0, System.nanoTime() };
			return stream.apply(stamps).doOnSuccess((done) -> firstByte[i] = stamps[0]);
		}), CONCURRENCY, 1).then().block(Duration.ofMinutes(2));
		long elapsed = System.nanoTime() - started;
		Arrays.sort(firstByte);
		if (firstByte[0] <= 0) {
			throw new IllegalStateException("A stream ended without an event");
		}
		return new Round(STREAMS * 1e9 / elapsed, Stats.percentile(firstByte, 0.50) / 1e6,
				Stats.percentile(firstByte, 0.99) / 1e6);
	}

	private record Round(double streamsPerSecond, double firstByteP50Millis, double firstByteP99Millis) {

	}

}
