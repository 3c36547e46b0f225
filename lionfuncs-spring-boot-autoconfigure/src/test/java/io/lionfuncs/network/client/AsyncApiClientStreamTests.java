package io.lionfuncs.network.client;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import io.github.resilience4j.retry.Retry;
import io.lionfuncs.network.client.StreamingUpstream.Ending;
import io.lionfuncs.network.client.StreamingUpstream.Manual;
import io.lionfuncs.network.client.StreamingUpstream.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.test.StepVerifier;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for the streamed requests of {@link AsyncApiClient} without an executor, against
 * a real server that streams chunk by chunk: events arrive as they are sent, retries
 * happen before the first byte only, the timeout bounds the time to the first byte and
 * the idle timeout the silences after it (on virtual time), and a cancelled stream closes
 * its connection.
 */
class AsyncApiClientStreamTests {

	private static final Duration BLOCK = Duration.ofSeconds(20);

	private static final ApiRequest CHAT = ApiRequest.post("/v1/chat/completions")
		.json(Map.of("model", "m", "stream", true))
		.build();

	private static final ApiRequest EVENTS = ApiRequest.get("/v1/events").build();

	private StreamingUpstream upstream;

	private AsyncApiClient client;

	@AfterEach
	void stop() {
		if (this.client != null) {
			this.client.close();
		}
		if (this.upstream != null) {
			this.upstream.close();
		}
	}

	private AsyncApiClient client(AsyncApiClient.Builder builder) {
		this.client = builder.baseUrl(this.upstream.baseUrl()).build();
		return this.client;
	}

	private AsyncApiClient client() {
		return client(AsyncApiClient.builder());
	}

	private static Retry fastRetry() {
		return Retry.of("stream", RetrySettings.builder()
			.maxRetries(3)
			.baseDelay(Duration.ofMillis(10))
			.jitter(false)
			.build()
			.toRetryConfig());
	}

	@Test
	void eventsArriveOneByOneAsTheServerSendsThem() {
		Manual reply = StreamingUpstream.manual();
		this.upstream = StreamingUpstream.serving(reply);
		AsyncApiClient client = client();

		reply.readAfterSending(client.stream(EVENTS), ": keep-alive\n\nevent: greeting\nid: 7\ndata: hello\n")
			.then(() -> reply.send("data: world\n\n"))
			.expectNext(new ServerSentEvent("greeting", "7", "hello\nworld"))
			.then(() -> reply.send("data: second\r\n\r"))
			.expectNext(ServerSentEvent.of("second"))
			.then(() -> reply.send("\ndata: [DONE]\n\n"))
			.expectNextMatches(ServerSentEvent::isDone)
			.then(reply::end)
			.expectComplete()
			.verify(BLOCK);
	}

	@Test
	void jsonEndsAtDoneEvenWhenTheServerKeepsTheStreamOpen() {
		Manual reply = StreamingUpstream.manual();
		this.upstream = StreamingUpstream.serving(reply);
		AsyncApiClient client = client();

		CompletableFuture<List<JsonNode>> payloads = client.streamJson(CHAT).collectList().toFuture();
		reply.started().block(BLOCK);
		StreamingUpstream.openAi(List.of("a", "b"), 3, 2, false).forEach(reply::send);

		assertThat(payloads).succeedsWithin(BLOCK).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.list(JsonNode.class)).extracting((node) -> node.at("/choices/0/delta/content").asString())
			.containsExactly("a", "b");
		await().atMost(BLOCK).until(() -> this.upstream.log().contains("cancelled 1"));
	}

	@Test
	void jsonReadToDoneKeepsItsConnectionForTheNextRequest() {
		this.upstream = new StreamingUpstream(
				(n) -> Reply.eventStream(StreamingUpstream.openAi(List.of("a", "b"), 3, 2, true), Duration.ofMillis(2)));
		AsyncApiClient client = client();

		for (int i = 0; i < 5; i++) {
			assertThat(client.streamJson(CHAT).collectList().block(BLOCK)).hasSize(3);
		}

		assertThat(this.upstream.arrivals()).isEqualTo(5);
		// Reused: at most one more, when the next request left before the last release.
		assertThat(this.upstream.connections()).isLessThanOrEqualTo(2);
		assertThat(this.upstream.closedConnections()).isZero();
	}

	@Test
	void newlineDelimitedJsonGivesOneEventPerLine() {
		this.upstream = new StreamingUpstream(
				(n) -> Reply.ndjson(StreamingUpstream.ollama(List.of("x", "y"), 11, 4), Duration.ofMillis(5)));
		AsyncApiClient client = client();

		List<JsonNode> lines = client.streamJson(ApiRequest.post("/api/chat").json(Map.of("model", "llama3")).build())
			.collectList()
			.block(BLOCK);

		assertThat(lines).hasSize(3);
		assertThat(lines.get(2).path("eval_count").asLong()).isEqualTo(4);
	}

	@Test
	void anErrorStatusFailsTheStreamWithItsDetails() {
		this.upstream = new StreamingUpstream((n) -> Reply.status(404,
				Map.of("Content-Type", "application/json", "X-Request-Id", "r1"), "{\"error\":\"no such model\"}"));
		AsyncApiClient client = client();

		assertThatExceptionOfType(ResourceNotFoundException.class)
			.isThrownBy(() -> client.stream(CHAT).blockLast(BLOCK))
			.satisfies((ex) -> {
				assertThat(ex.statusCode()).isEqualTo(404);
				assertThat(ex.responseHeaders()).containsEntry("X-Request-Id", "r1");
				assertThat(ex.responseBodyExcerpt()).contains("no such model");
			});
	}

	@Test
	void attemptsFailingBeforeTheFirstByteAreRetried() {
		AtomicInteger attempts = new AtomicInteger();
		this.upstream = new StreamingUpstream((n) -> (attempts.incrementAndGet() < 3)
				? Reply.status(503, Map.of("Content-Type", "text/plain"), "busy")
				: Reply.eventStream(List.of("data: one\n\n", "data: two\n\n"), Duration.ofMillis(5)));
		AsyncApiClient client = client(AsyncApiClient.builder().retry(fastRetry()));

		List<ServerSentEvent> events = client.stream(EVENTS).collectList().block(BLOCK);

		assertThat(events).extracting(ServerSentEvent::data).containsExactly("one", "two");
		assertThat(this.upstream.arrivals()).isEqualTo(3);
	}

	@Test
	void aStreamBrokenAfterItsFirstByteIsNeverRetried() {
		Manual reply = StreamingUpstream.manual();
		this.upstream = StreamingUpstream.serving(reply);
		AsyncApiClient client = client(AsyncApiClient.builder().retry(fastRetry()));

		reply.readAfterSending(client.stream(EVENTS), "data: one\n\n")
			.expectNext(ServerSentEvent.of("one"))
			.then(() -> reply.kill(Ending.RESET))
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(ApiConnectionException.class)
				.extracting((failure) -> ((ApiClientException) failure).statusCode())
				.isEqualTo(200))
			.verify(BLOCK);

		assertThat(this.upstream.arrivals()).isEqualTo(1);
	}

	@Test
	void aPrematureCloseFailsTheStream() {
		Manual reply = StreamingUpstream.manual();
		this.upstream = StreamingUpstream.serving(reply);
		AsyncApiClient client = client();

		reply.readAfterSending(client.stream(EVENTS), "data: one\n\n")
			.expectNext(ServerSentEvent.of("one"))
			.then(() -> reply.kill(Ending.CLOSE))
			.expectError(ApiConnectionException.class)
			.verify(BLOCK);
	}

	@Test
	void cancellingAStreamClosesItsConnection() {
		Manual reply = StreamingUpstream.manual();
		this.upstream = StreamingUpstream.serving(reply);
		AsyncApiClient client = client();

		reply.readAfterSending(client.stream(EVENTS), "data: one\n\n")
			.expectNext(ServerSentEvent.of("one"))
			.thenCancel()
			.verify(BLOCK);

		await().atMost(BLOCK).until(() -> this.upstream.log().contains("cancelled 1"));
		assertThat(this.upstream.closedConnections()).isEqualTo(1);
	}

	@Test
	void theTimeoutBoundsTheFirstByteAndTheIdleTimeoutTheSilencesAfterIt() {
		Manual reply = StreamingUpstream.manual();
		this.upstream = StreamingUpstream.serving(reply);
		AsyncApiClient client = client(AsyncApiClient.builder()
			.timeout(Duration.ofSeconds(10))
			.streaming(StreamSettings.defaults().withIdleTimeout(Duration.ofSeconds(30))));

		StepVerifier.withVirtualTime(() -> client.stream(EVENTS))
			.then(() -> reply.started().block(BLOCK))
			.thenAwait(Duration.ofSeconds(9))
			.then(() -> reply.send("data: one\n\n"))
			.expectNext(ServerSentEvent.of("one"))
			// Far longer than the timeout in all, but never silent for 30 s.
			.thenAwait(Duration.ofSeconds(29))
			.then(() -> reply.send("data: two\n\n"))
			.expectNext(ServerSentEvent.of("two"))
			.thenAwait(Duration.ofSeconds(29))
			.then(() -> reply.send("data: three\n\n"))
			.expectNext(ServerSentEvent.of("three"))
			.thenAwait(Duration.ofSeconds(30))
			.expectErrorSatisfies((ex) -> assertThat(ex).isInstanceOf(ApiTimeoutException.class)
				.hasMessageContaining("idle for longer than PT30S"))
			.verify(BLOCK);
		await().atMost(BLOCK).until(() -> this.upstream.log().contains("cancelled 1"));
	}

	@Test
	void noFirstByteWithinTheTimeoutFailsTheAttempt() {
		Manual reply = StreamingUpstream.manual();
		this.upstream = StreamingUpstream.serving(reply);
		AsyncApiClient client = client(AsyncApiClient.builder().timeout(Duration.ofSeconds(10)));

		StepVerifier.withVirtualTime(() -> client.stream(EVENTS))
			.then(() -> reply.started().block(BLOCK))
			.thenAwait(Duration.ofSeconds(10))
			.expectError(ApiTimeoutException.class)
			.verify(BLOCK);
	}

}
