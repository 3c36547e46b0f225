package io.lionfuncs.network.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.ExecutorStats;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.client.StreamingUpstream.Ending;
import io.lionfuncs.network.client.StreamingUpstream.Manual;
import io.lionfuncs.network.client.StreamingUpstream.Reply;
import io.lionfuncs.network.connection.ConnectionTracker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for streamed requests through an {@link Executor}, against a real server that
 * streams chunk by chunk: the lease holds its slot and reservations until the stream
 * ends (measured at the server), the usage the stream reports trues up the API-token
 * bucket for each provider's format, and a cancelled, broken or idle stream ends its
 * event with the usage seen so far. The buckets never refill (a frozen nanosecond
 * clock), so their levels are exact.
 */
class AsyncApiClientStreamExecutorTests {

	private static final Duration BLOCK = Duration.ofSeconds(30);

	private static final Duration PACE = Duration.ofMillis(5);

	private static final List<String> WORDS = List.of("The", " answer", " is", " 42");

	private final List<Executor> executors = new ArrayList<>();

	private StreamingUpstream upstream;

	private AsyncApiClient client;

	@AfterEach
	void stop() {
		this.executors.forEach((executor) -> executor.stop(false));
		if (this.client != null) {
			this.client.close();
		}
		if (this.upstream != null) {
			this.upstream.close();
		}
	}

	private Executor executor(int concurrency) {
		Executor executor = Executor.builder()
			.settings(ExecutorSettings.builder()
				.concurrencyLimit(concurrency)
				.requestsRate(1000)
				.apiTokensRate(100_000.0)
				.apiTokensPeriod(Duration.ofMinutes(1))
				.build())
			.nanoClock(() -> 0L)
			.build();
		executor.start();
		this.executors.add(executor);
		return executor;
	}

	private AsyncApiClient client(AsyncApiClient.Builder builder) {
		this.client = builder.baseUrl(this.upstream.baseUrl())
			.connectionTracker(ConnectionTracker.builder("default").build())
			.build();
		return this.client;
	}

	private AsyncApiClient client() {
		return client(AsyncApiClient.builder());
	}

	private static ApiRequest chat() {
		return ApiRequest.post("/v1/chat/completions").json(Map.of("model", "m", "stream", true)).build();
	}

	private static NetworkRequestEvent terminal(NetworkRequestEvent event) throws Exception {
		return event.completion().get(BLOCK.toSeconds(), TimeUnit.SECONDS);
	}

	private static long apiTokens(Executor executor) {
		return executor.apiTokensBucket().availableTokens();
	}

	@Test
	void aStreamHoldsItsSlotUntilItEnds() throws Exception {
		List<Manual> replies = List.of(StreamingUpstream.manual(), StreamingUpstream.manual(),
				StreamingUpstream.manual());
		this.upstream = new StreamingUpstream((n) -> replies.get(n - 1).reply());
		AsyncApiClient client = client();
		Executor executor = executor(2);

		List<CompletableFuture<List<ServerSentEvent>>> streams = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			streams.add(client.stream(executor, chat(), 100).flatMapMany(ApiStream::events).collectList().toFuture());
		}
		replies.get(0).started().block(BLOCK);
		replies.get(1).started().block(BLOCK);
		replies.get(0).send("data: one\n\n");
		replies.get(1).send("data: one\n\n");
		await().atMost(BLOCK).until(() -> executor.inFlight().stream().allMatch((e) -> e.getFirstByteAt() != null));

		assertThat(this.upstream.arrivals()).as("the third stream waits for a slot").isEqualTo(2);
		assertThat(executor.stats().queueDepth()).isEqualTo(1);
		assertThat(executor.stats().concurrencyInUse()).isEqualTo(2);

		replies.get(1).end();
		replies.get(2).started().block(BLOCK);
		replies.get(2).end();
		replies.get(0).end();

		for (CompletableFuture<List<ServerSentEvent>> stream : streams) {
			assertThat(stream).succeedsWithin(BLOCK);
		}
		List<String> log = this.upstream.log();
		assertThat(log).containsSubsequence("arrived 1", "arrived 2", "ending 2", "arrived 3");
		assertThat(log.indexOf("arrived 3")).as("the third request arrived once the second stream had ended")
			.isGreaterThan(log.indexOf("ending 2"));
		assertThat(this.upstream.mostOpen()).isEqualTo(2);
	}

	@Test
	void theEventRecordsTheFirstByteTheEndAndThatItIsAStream() throws Exception {
		this.upstream = new StreamingUpstream(
				(n) -> Reply.eventStream(StreamingUpstream.openAi(WORDS, 10, 4, true), PACE));
		AsyncApiClient client = client();
		Executor executor = executor(2);

		ApiStream stream = client.stream(executor, chat(), 500).block(BLOCK);
		NetworkRequestEvent event = stream.event();
		assertThat(event.getStatus()).isEqualTo(RequestStatus.CALLING);
		assertThat(executor.inFlight()).containsExactly(event);
		List<ServerSentEvent> events = stream.events().collectList().block(BLOCK);

		assertThat(events).hasSize(6).last().matches(ServerSentEvent::isDone);
		terminal(event);
		assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED);
		assertThat(event.getResponseStatusCode()).isEqualTo(200);
		assertThat(event.getMetadata()).containsEntry(ApiStream.METADATA_KEY, true).containsEntry("client", "default");
		assertThat(event.getFirstByteAt()).isNotNull().isAfterOrEqualTo(event.getCallStartedAt());
		assertThat(event.getCompletedAt()).isAfterOrEqualTo(event.getFirstByteAt());
		assertThat(event.snapshot().firstByteAt()).isEqualTo(event.getFirstByteAt());
		assertThatExceptionOfType(IllegalStateException.class).isThrownBy(() -> stream.events().blockLast(BLOCK))
			.withMessageContaining("can be read once");
	}

	@Test
	void openAiUsageChunkTruesUpTheEstimateWhenAskedFor() throws Exception {
		this.upstream = new StreamingUpstream(
				(n) -> Reply.eventStream(StreamingUpstream.openAi(WORDS, 30, 12, true), PACE));
		AsyncApiClient client = client(
				AsyncApiClient.builder().streaming(StreamSettings.defaults().withIncludeUsage(true)));
		Executor executor = executor(2);

		ApiStream stream = client.stream(executor, chat(), 1000).block(BLOCK);
		List<JsonNode> chunks = stream.json().collectList().block(BLOCK);

		assertThat(chunks).hasSize(5);
		NetworkRequestEvent event = terminal(stream.event());
		assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED);
		assertThat(event.getApiTokensUsed()).isEqualTo(42);
		assertThat(apiTokens(executor)).as("100000 - 42").isEqualTo(99_958);
		JsonNode sent = JsonMapper.shared().readTree(this.upstream.bodies().get(0));
		assertThat(sent.at("/stream_options/include_usage").asBoolean()).isTrue();
		assertThat(sent.path("model").asString()).isEqualTo("m");
	}

	@Test
	void withoutTheUsageChunkTheStreamKeepsItsEstimate() throws Exception {
		this.upstream = new StreamingUpstream(
				(n) -> Reply.eventStream(StreamingUpstream.openAi(WORDS, 30, 12, false), PACE));
		AsyncApiClient client = client();
		Executor executor = executor(2);

		ApiStream stream = client.stream(executor, chat(), 1000).block(BLOCK);
		stream.json().blockLast(BLOCK);

		NetworkRequestEvent event = terminal(stream.event());
		assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED);
		assertThat(event.getApiTokensUsed()).isNull();
		assertThat(apiTokens(executor)).isEqualTo(99_000);
		assertThat(JsonMapper.shared().readTree(this.upstream.bodies().get(0)).has("stream_options")).isFalse();
		assertThat(executor.budgetStats().callsWithoutUsage()).isEqualTo(1);
	}

	@Test
	void anthropicMessageStartAndDeltaTrueUpTheEstimate() throws Exception {
		this.upstream = new StreamingUpstream(
				(n) -> Reply.eventStream(StreamingUpstream.anthropic(WORDS, 25, 15), PACE));
		AsyncApiClient client = client();
		Executor executor = executor(2);

		ApiStream stream = client.stream(executor, ApiRequest.post("/v1/messages").json(Map.of("stream", true)).build(),
				800)
			.block(BLOCK);
		List<ServerSentEvent> events = stream.events().collectList().block(BLOCK);

		assertThat(events).extracting(ServerSentEvent::event).startsWith("message_start").endsWith("message_stop");
		NetworkRequestEvent event = terminal(stream.event());
		assertThat(event.getApiTokensUsed()).isEqualTo(40);
		assertThat(apiTokens(executor)).isEqualTo(99_960);
	}

	@Test
	void ollamaFinalObjectTruesUpTheEstimate() throws Exception {
		this.upstream = new StreamingUpstream((n) -> Reply.ndjson(StreamingUpstream.ollama(WORDS, 26, 9), PACE));
		AsyncApiClient client = client();
		Executor executor = executor(2);

		ApiStream stream = client.stream(executor, ApiRequest.post("/api/chat").json(Map.of("model", "x")).build(), 300)
			.block(BLOCK);
		List<JsonNode> lines = stream.json().collectList().block(BLOCK);

		assertThat(lines).hasSize(5);
		NetworkRequestEvent event = terminal(stream.event());
		assertThat(event.getApiTokensUsed()).isEqualTo(35);
		assertThat(apiTokens(executor)).isEqualTo(99_965);
	}

	@Test
	void cancellingMidStreamClosesTheConnectionAndGivesBackWhatWasNotUsed() throws Exception {
		Manual reply = StreamingUpstream.manual();
		this.upstream = StreamingUpstream.serving(reply);
		AsyncApiClient client = client();
		Executor executor = executor(2);

		ApiStream stream = client.stream(executor, chat(), 1000).block(BLOCK);
		reply.readAfterSending(stream.events(), StreamingUpstream.anthropicStart(120))
			.expectNextMatches((event) -> "message_start".equals(event.event()))
			.thenCancel()
			.verify(BLOCK);

		NetworkRequestEvent event = terminal(stream.event());
		assertThat(event.getStatus()).isEqualTo(RequestStatus.CANCELLED);
		assertThat(event.getApiTokensUsed()).as("input 120 + output 1 so far").isEqualTo(121);
		assertThat(apiTokens(executor)).as("estimate 1000, 121 used").isEqualTo(99_879);
		await().atMost(BLOCK).until(() -> this.upstream.log().contains("cancelled 1"));
		assertThat(this.upstream.closedConnections()).isEqualTo(1);
		assertThat(executor.stats().concurrencyInUse()).isZero();
	}

	@ParameterizedTest
	@EnumSource(value = Ending.class, names = { "RESET", "CLOSE" })
	void aStreamBrokenMidwayFailsWithTheUsageSeenSoFar(Ending ending) throws Exception {
		Manual reply = StreamingUpstream.manual();
		this.upstream = StreamingUpstream.serving(reply);
		AsyncApiClient client = client();
		Executor executor = executor(2);

		ApiStream stream = client.stream(executor, chat(), 1000).block(BLOCK);
		reply.readAfterSending(stream.events(), StreamingUpstream.anthropicStart(50) + StreamingUpstream.anthropicDelta(30))
			.expectNextCount(2)
			.then(() -> reply.kill(ending))
			.expectError(ApiConnectionException.class)
			.verify(BLOCK);

		NetworkRequestEvent event = terminal(stream.event());
		assertThat(event.getStatus()).isEqualTo(RequestStatus.FAILED);
		assertThat(event.getError()).isInstanceOf(ApiConnectionException.class);
		assertThat(event.getApiTokensUsed()).isEqualTo(80);
		assertThat(apiTokens(executor)).isEqualTo(99_920);
	}

	@Test
	void aStreamIdleLongerThanItsIdleTimeoutFailsAsATimeout() throws Exception {
		Manual reply = StreamingUpstream.manual();
		this.upstream = StreamingUpstream.serving(reply);
		AsyncApiClient client = client(AsyncApiClient.builder()
			.streaming(StreamSettings.defaults().withIdleTimeout(Duration.ofMillis(300))));
		Executor executor = executor(2);

		ApiStream stream = client.stream(executor, chat(), 1000).block(BLOCK);
		reply.readAfterSending(stream.events(), "data: one\n\n")
			.expectNext(ServerSentEvent.of("one"))
			.expectError(ApiTimeoutException.class)
			.verify(BLOCK);

		NetworkRequestEvent event = terminal(stream.event());
		assertThat(event.getStatus()).isEqualTo(RequestStatus.FAILED);
		assertThat(event.getError()).isInstanceOf(ApiTimeoutException.class);
		assertThat(apiTokens(executor)).as("no usage seen: the estimate stands").isEqualTo(99_000);
		await().atMost(BLOCK).until(() -> this.upstream.log().contains("cancelled 1"));
	}

	@Test
	void a429BeforeTheFirstBytePausesTheExecutorAndCostsNoApiTokens() throws Exception {
		this.upstream = new StreamingUpstream((n) -> Reply.status(429,
				Map.of("Retry-After", "30", "Content-Type", "application/json"), "{\"error\":\"slow down\"}"));
		AsyncApiClient client = client();
		Executor executor = executor(2);

		ApiStream stream = client.stream(executor, chat(), 1000).block(BLOCK);
		assertThatExceptionOfType(RateLimitException.class).isThrownBy(() -> stream.events().blockLast(BLOCK));

		NetworkRequestEvent event = terminal(stream.event());
		assertThat(event.getStatus()).isEqualTo(RequestStatus.FAILED);
		assertThat(event.getResponseStatusCode()).isEqualTo(429);
		assertThat(event.getApiTokensUsed()).isZero();
		assertThat(executor.budgetStats().refundedApiTokens()).isEqualTo(1000);
		assertThat(executor.pausedUntil()).isNotNull();
	}

	@Test
	void theExecutorEndingTheLeaseCutsTheStream() throws Exception {
		Manual reply = StreamingUpstream.manual();
		this.upstream = StreamingUpstream.serving(reply);
		AsyncApiClient client = client();
		Executor executor = executor(2);

		ApiStream stream = client.stream(executor, chat(), 100).block(BLOCK);
		reply.readAfterSending(stream.events(), "data: one\n\n")
			.expectNext(ServerSentEvent.of("one"))
			.then(() -> executor.cancel(stream.event().getRequestId()))
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(CancellationException.class)
				.hasMessageContaining("was ended by its executor: cancelled by caller"))
			.verify(BLOCK);

		assertThat(stream.event().getStatus()).isEqualTo(RequestStatus.CANCELLED);
		await().atMost(BLOCK).until(() -> this.upstream.log().contains("cancelled 1"));
	}

	@Test
	void aStreamClosedUnreadIsCancelledUnsent() throws Exception {
		this.upstream = new StreamingUpstream((n) -> Reply.eventStream(List.of("data: x\n\n"), PACE));
		AsyncApiClient client = client();
		Executor executor = executor(1);

		try (ApiStream stream = client.stream(executor, chat(), 100).block(BLOCK)) {
			assertThat(executor.stats().concurrencyInUse()).isEqualTo(1);
		}

		assertThat(executor.stats().concurrencyInUse()).isZero();
		assertThat(executor.recent().get(0).getStatus()).isEqualTo(RequestStatus.CANCELLED);
		assertThat(apiTokens(executor)).isEqualTo(100_000);
		assertThat(this.upstream.arrivals()).isZero();
	}

	@Test
	void manyConcurrentStreamsAllEndAndLeaveNoSlotOrConnectionBehind() {
		this.upstream = new StreamingUpstream(
				(n) -> Reply.eventStream(StreamingUpstream.openAi(WORDS, 5, 5, true), Duration.ofMillis(2)));
		AsyncApiClient client = client(AsyncApiClient.builder()
			.streaming(StreamSettings.defaults().withIncludeUsage(true)));
		Executor executor = executor(10);

		List<NetworkRequestEvent> events = Flux.range(0, 100)
			.flatMap((i) -> client.stream(executor, chat(), 50)
				.flatMap((stream) -> stream.events().count().thenReturn(stream.event())), 100)
			.collectList()
			.block(Duration.ofMinutes(2));

		assertThat(events).hasSize(100)
			.allSatisfy((event) -> assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED))
			.allSatisfy((event) -> assertThat(event.getApiTokensUsed()).isEqualTo(10));
		assertThat(this.upstream.mostOpen()).isLessThanOrEqualTo(10);
		ExecutorStats stats = executor.stats();
		assertThat(stats.concurrencyInUse()).isZero();
		assertThat(stats.queueDepth()).isZero();
		assertThat(stats.completed()).isEqualTo(100);
		assertThat(executor.inFlight()).isEmpty();
		assertThat(apiTokens(executor)).isEqualTo(100_000 - 100 * 10);
		await().atMost(BLOCK).untilAsserted(() -> {
			assertThat(client.getConnectionTracker().stats().active()).isZero();
			assertThat(client.getConnectionTracker().stats().pendingAcquires()).isZero();
		});
		assertThat(this.upstream.open()).isZero();
	}

	@Test
	void cancellingBeforeTheGrantCancelsTheRequest() {
		this.upstream = StreamingUpstream.serving(StreamingUpstream.manual());
		AsyncApiClient client = client();
		Executor executor = executor(1);
		ApiStream holding = client.stream(executor, chat(), 100).block(BLOCK);

		StepVerifier.create(client.stream(executor, chat(), 200).flatMapMany(ApiStream::events))
			.then(() -> assertThat(executor.stats().queueDepth()).isEqualTo(1))
			.thenCancel()
			.verify(BLOCK);

		assertThat(executor.stats().queueDepth()).isZero();
		assertThat(executor.recent().get(0).getStatus()).isEqualTo(RequestStatus.CANCELLED);
		assertThat(apiTokens(executor)).as("only the holding stream's 100").isEqualTo(99_900);
		holding.close();
	}

}
