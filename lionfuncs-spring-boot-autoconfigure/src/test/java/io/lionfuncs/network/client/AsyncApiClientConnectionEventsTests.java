package io.lionfuncs.network.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.lionfuncs.network.connection.ConnectionEvent;
import io.lionfuncs.network.connection.ConnectionEvent.Closed;
import io.lionfuncs.network.connection.ConnectionEvent.RawData;
import io.lionfuncs.network.connection.ConnectionEvent.Updated;
import io.lionfuncs.network.connection.ConnectionEventRecorder;
import io.lionfuncs.network.connection.ConnectionStats;
import io.lionfuncs.network.connection.ConnectionTracker;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;

import static io.lionfuncs.network.client.AsyncApiClientTests.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for the connection events of an {@link AsyncApiClient} given a
 * {@link ConnectionTracker}, against real servers on loopback: a Reactor Netty server
 * (with a keep-alive timeout when needed) and, for misbehaviour, {@link RawHttpServer}.
 */
class AsyncApiClientConnectionEventsTests {

	private static final Logger logger = LoggerFactory.getLogger(AsyncApiClientConnectionEventsTests.class);

	private static final Duration BLOCK = Duration.ofSeconds(10);

	private static final Duration AWAIT = Duration.ofSeconds(10);

	private final ConnectionEventRecorder recorder = new ConnectionEventRecorder();

	private final Sinks.Empty<Void> gate = Sinks.empty();

	private final AtomicInteger slowArrived = new AtomicInteger();

	private final List<AutoCloseable> resources = new ArrayList<>();

	@AfterEach
	void close() throws Exception {
		for (AutoCloseable resource : this.resources) {
			resource.close();
		}
	}

	@Test
	void oneRequestOnAFreshConnectionIsBusyThenRawDataThenIdle() {
		DisposableServer server = server(null);
		AsyncApiClient client = client(server, tracker().build(), null);

		assertThat(client.request("GET", "/items").block(BLOCK)).isEqualTo("ok");

		awaitIdle(client, 1);
		List<ConnectionEvent> events = this.recorder.events();
		assertThat(this.recorder.connectionIds()).hasSize(1);
		assertThat(events).allSatisfy((event) -> assertThat(event.clientName()).isEqualTo("events"));
		assertThat(events.get(0)).isInstanceOfSatisfying(Updated.class, (updated) -> assertThat(updated.idle()).isFalse());
		assertThat(events.get(events.size() - 1))
			.isInstanceOfSatisfying(Updated.class, (updated) -> assertThat(updated.idle()).isTrue());
		List<ConnectionEvent> middle = events.subList(1, events.size() - 1);
		assertThat(middle).isNotEmpty().allSatisfy((event) -> assertThat(event).isInstanceOf(RawData.class));
		List<RawData.Direction> directions = middle.stream().map((event) -> ((RawData) event).direction()).toList();
		assertThat(directions.get(0)).as("the request is written before the response is read")
			.isEqualTo(RawData.Direction.WRITTEN);
		assertThat(directions).contains(RawData.Direction.READ);
		assertThat(middle).allSatisfy((event) -> {
			RawData data = (RawData) event;
			assertThat(data.bytes()).isPositive();
			assertThat(data.data()).as("no buffers unless asked for").isNull();
			assertThat(((InetSocketAddress) data.remoteAddress()).getPort()).isEqualTo(server.port());
		});
		assertThat(client.getConnectionTracker().stats().bytesWritten()).isGreaterThan("GET /items HTTP/1.1\r\n".length());
		assertStatsMatchEvents(client);
	}

	@Test
	void aSecondRequestReusesTheConnectionAndClosingTheClientClosesIt() {
		DisposableServer server = server(null);
		AsyncApiClient client = client(server, tracker().build(), null);

		assertThat(client.request("GET", "/items").block(BLOCK)).isEqualTo("ok");
		awaitIdle(client, 1);
		assertThat(client.request("GET", "/items").block(BLOCK)).isEqualTo("ok");
		awaitUpdates(1, 4);

		String connection = this.recorder.connectionIds().get(0);
		assertThat(this.recorder.connectionIds()).containsExactly(connection);
		assertThat(this.recorder.updates(connection)).containsExactly(false, true, false, true);
		assertThat(this.recorder.closed()).isEmpty();
		assertStatsMatchEvents(client);

		client.closeAsync().block(BLOCK);

		Closed closed = awaitClosed(connection);
		assertThat(closed.reason()).isEqualTo(Closed.Reason.POOL_DISPOSED);
		assertThat(closed.requestsServed()).isEqualTo(2);
		assertThat(this.recorder.events(connection)).last().isEqualTo(closed);
		assertStatsMatchEvents(client);
		assertThat(client.getConnectionTracker().stats().open()).isZero();
	}

	@Test
	void anIdleConnectionIsEvictedAfterTheMaxIdleTime() {
		Duration maxIdleTime = Duration.ofMillis(200);
		DisposableServer server = server(null);
		AsyncApiClient client = client(server, tracker().build(),
				(builder) -> builder.maxIdleTime(maxIdleTime));
		assertThat(client.getMaxIdleTime()).isEqualTo(maxIdleTime);

		assertThat(client.request("GET", "/items").block(BLOCK)).isEqualTo("ok");
		String first = this.recorder.connectionIds().get(0);

		Closed closed = awaitClosed(first);
		assertThat(closed.reason()).isEqualTo(Closed.Reason.IDLE_EVICTED);
		assertThat(closed.lifetime()).isGreaterThanOrEqualTo(maxIdleTime);
		assertThat(closed.requestsServed()).isEqualTo(1);
		assertThat(this.recorder.updates(first)).containsExactly(false, true);

		assertThat(client.request("GET", "/items").block(BLOCK)).isEqualTo("ok");
		assertThat(this.recorder.connectionIds()).hasSize(2).doesNotHaveDuplicates();
		assertStatsMatchEvents(client);
	}

	@Test
	void aServerWithAOneSecondKeepAliveClosesIdleConnectionsAndNoRequestFails() {
		// The client keeps connections longer than the server, so the server closes them.
		DisposableServer server = server(Duration.ofSeconds(1));
		AsyncApiClient client = client(server, tracker().build(),
				(builder) -> builder.maxIdleTime(Duration.ofSeconds(30)).retry(quickRetries()));
		List<Duration> gaps = List.of(Duration.ZERO, Duration.ofMillis(400), Duration.ofMillis(1500),
				Duration.ofMillis(990), Duration.ofMillis(1010), Duration.ofMillis(200));

		List<Object> bodies = Flux.fromIterable(gaps)
			.concatMap((gap) -> Mono.delay(gap).then(client.request("GET", "/items")))
			.collectList()
			.block(Duration.ofSeconds(30));

		assertThat(bodies).hasSize(gaps.size()).containsOnly("ok");
		// The close after the 1.5 s pause is the server's for sure; a request racing the
		// server's timer may end its connection with a reset instead.
		assertThat(this.recorder.closed()).isNotEmpty()
			.anySatisfy((closed) -> assertThat(closed.reason()).isEqualTo(Closed.Reason.SERVER_CLOSED))
			.allSatisfy((closed) -> assertThat(closed.reason()).isIn(Closed.Reason.SERVER_CLOSED,
					Closed.Reason.ERROR));
		assertThat(this.recorder.connectionIds()).hasSizeGreaterThanOrEqualTo(2);
		awaitQuiet(client);
		assertStatsMatchEvents(client);
		logger.info("Events against a server with a 1 s keep-alive timeout:{}", this.recorder.describe());
	}

	@Test
	void aConnectionIdlePastTheServersAnnouncedKeepAliveIsClosedAheadOfTheServerAsServerClosed() throws IOException {
		RawHttpServer raw = rawServer((socket, out) -> {
			RawHttpServer.write(out, "HTTP/1.1 200 OK\r\nKeep-Alive: timeout=1\r\nContent-Type: text/plain\r\n"
					+ "Content-Length: 2\r\n\r\nok");
			return true;
		});
		AsyncApiClient client = client(raw.baseUrl(), tracker().build(), null);

		assertThat(client.request("GET", "/items").block(BLOCK)).isEqualTo("ok");
		String first = this.recorder.connectionIds().get(0);
		assertThat(Mono.delay(Duration.ofMillis(850)).then(client.request("GET", "/items")).block(BLOCK))
			.isEqualTo("ok");

		assertThat(awaitClosed(first).reason()).isEqualTo(Closed.Reason.SERVER_CLOSED);
		assertThat(raw.connections()).isEqualTo(2);
		await().atMost(AWAIT).until(() -> raw.closedByClient() == 1);
		awaitQuiet(client);
		assertStatsMatchEvents(client);
	}

	@Test
	void aGetThatFailsOnAReusedConnectionTheServerClosedIsRetriedAndAPostIsNot() throws IOException {
		// The server answers the first request of each connection and closes the connection
		// on the second one without answering, as when its keep-alive timer fires just as
		// the request arrives.
		Map<Socket, AtomicInteger> requestsPerConnection = new ConcurrentHashMap<>();
		RawHttpServer raw = rawServer((socket, out) -> {
			if (requestsPerConnection.computeIfAbsent(socket, (key) -> new AtomicInteger()).incrementAndGet() > 1) {
				return false;
			}
			RawHttpServer.write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok");
			return true;
		});
		AsyncApiClient client = client(raw.baseUrl(), tracker().build(), (builder) -> builder.retry(quickRetries()));

		assertThat(client.request("GET", "/items").block(BLOCK)).isEqualTo("ok");
		awaitIdle(client, 1);
		assertThat(client.request("GET", "/items").block(BLOCK)).as("retried on a new connection").isEqualTo("ok");

		assertThat(raw.requests()).isEqualTo(3);
		assertThat(raw.connections()).isEqualTo(2);
		String first = this.recorder.connectionIds().get(0);
		assertThat(awaitClosed(first).reason()).isEqualTo(Closed.Reason.SERVER_CLOSED);

		awaitIdle(client, 1);
		ApiClientException post = failure(client.request(ApiRequest.post("/items").build()));

		assertThat(post).isInstanceOf(ApiConnectionException.class);
		assertThat(((ApiConnectionException) post).isConnectFailure()).isFalse();
		assertThat(raw.requests()).as("a POST that may have been processed is not sent again").isEqualTo(4);
		awaitQuiet(client);
		assertStatsMatchEvents(client);
	}

	@Test
	void closingTheClientClosesIdleConnectionsAtOnceAndBusyOnesAfterTheirExchange() throws Exception {
		DisposableServer server = server(null);
		AsyncApiClient client = client(server, tracker().build(), null);
		CompletableFuture<Object> slow = client.request("GET", "/slow").toFuture();
		await().atMost(AWAIT).until(() -> this.slowArrived.get() == 1);
		String busy = this.recorder.connectionIds().get(0);
		assertThat(client.request("GET", "/items").block(BLOCK)).isEqualTo("ok");
		awaitSettled(client, (stats) -> stats.idle() == 1 && stats.active() == 1);
		String idle = this.recorder.connectionIds().get(1);

		client.closeAsync().subscribe();

		assertThat(awaitClosed(idle).reason()).isEqualTo(Closed.Reason.POOL_DISPOSED);
		assertThat(slow).isNotDone();
		assertThat(this.recorder.events(busy)).noneMatch(Closed.class::isInstance);
		assertThat(client.getConnectionTracker().stats().active()).isEqualTo(1);

		this.gate.tryEmitEmpty();

		assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo("slow");
		Closed closed = awaitClosed(busy);
		assertThat(closed.reason()).isEqualTo(Closed.Reason.POOL_DISPOSED);
		assertThat(closed.requestsServed()).isEqualTo(1);
		assertStatsMatchEvents(client);
	}

	@Test
	void aServerAskingToCloseIsServerClosed() throws IOException {
		RawHttpServer raw = rawServer((socket, out) -> {
			RawHttpServer.write(out,
					"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok");
			return false;
		});
		AsyncApiClient client = client(raw.baseUrl(), tracker().build(), null);

		assertThat(client.request("GET", "/items").block(BLOCK)).isEqualTo("ok");

		Closed closed = awaitClosed(this.recorder.connectionIds().get(0));
		assertThat(closed.reason()).isEqualTo(Closed.Reason.SERVER_CLOSED);
		assertThat(closed.requestsServed()).isEqualTo(1);
		assertStatsMatchEvents(client);
	}

	@Test
	void aResetConnectionIsAnError() throws IOException {
		RawHttpServer raw = rawServer((socket, out) -> {
			RawHttpServer.reset(socket);
			return false;
		});
		AsyncApiClient client = client(raw.baseUrl(), tracker().build(), null);

		assertThat(failure(client.request("GET", "/items"))).isInstanceOf(ApiConnectionException.class);

		Closed closed = awaitClosed(this.recorder.connectionIds().get(0));
		assertThat(closed.reason()).isEqualTo(Closed.Reason.ERROR);
		assertThat(closed.requestsServed()).isZero();
		assertStatsMatchEvents(client);
	}

	@Test
	void anExchangeAbandonedAfterTheTimeoutIsAnError() throws IOException {
		RawHttpServer raw = rawServer((socket, out) -> {
			awaitEndOfStream(socket.getInputStream());
			return false;
		});
		AsyncApiClient client = client(raw.baseUrl(), tracker().build(),
				(builder) -> builder.timeout(Duration.ofMillis(300)));

		assertThat(failure(client.request("GET", "/items"))).isInstanceOf(ApiTimeoutException.class);

		Closed closed = awaitClosed(this.recorder.connectionIds().get(0));
		assertThat(closed.reason()).isEqualTo(Closed.Reason.ERROR);
		assertStatsMatchEvents(client);
	}

	@Test
	void dataIsCapturedOnlyWhenAskedForAndNeverPrinted() {
		DisposableServer server = server(null);
		AsyncApiClient client = client(server, tracker().captureData(true).build(),
				(builder) -> builder.defaultHeader("Authorization", "Bearer secret-token"));

		assertThat(client.request("GET", "/items").block(BLOCK)).isEqualTo("ok");
		awaitIdle(client, 1);

		List<RawData> data = this.recorder.ofType(RawData.class);
		String written = text(data, RawData.Direction.WRITTEN);
		assertThat(written).startsWith("GET /items HTTP/1.1\r\n").contains("Bearer secret-token");
		assertThat(text(data, RawData.Direction.READ)).startsWith("HTTP/1.1 200 OK").contains("\r\n\r\n");
		assertThat(data).allSatisfy((event) -> assertThat(event.toString()).doesNotContain("GET")
			.doesNotContain("secret")
			.contains(event.bytes() + " bytes"));
	}

	@Test
	void aFailingListenerDoesNotHurtTheRequestOrTheOtherListeners() {
		DisposableServer server = server(null);
		ConnectionTracker tracker = tracker().build();
		tracker.addListener((event) -> {
			throw new IllegalStateException("listener bug");
		});
		ConnectionEventRecorder second = new ConnectionEventRecorder();
		tracker.addListener(second);
		AsyncApiClient client = client(server, tracker, null);

		assertThat(client.request("GET", "/items").block(BLOCK)).isEqualTo("ok");

		awaitIdle(client, 1);
		assertThat(second.events()).isEqualTo(this.recorder.events());
	}

	@Test
	void requestsWaitingForAConnectionArePendingAcquires() throws Exception {
		DisposableServer server = server(null);
		AsyncApiClient client = client(server, tracker().build(),
				(builder) -> builder.connectionProviderCustomizer((pool) -> pool.maxConnections(1)));
		CompletableFuture<Object> first = client.request("GET", "/slow").toFuture();
		await().atMost(AWAIT).until(() -> this.slowArrived.get() == 1);

		CompletableFuture<Object> second = client.request("GET", "/items").toFuture();

		await().atMost(AWAIT).until(() -> client.getConnectionTracker().stats().pendingAcquires() == 1);
		assertThat(client.getConnectionTracker().stats().active()).isEqualTo(1);
		this.gate.tryEmitEmpty();
		assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("slow");
		assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
		awaitIdle(client, 1);
		assertThat(client.getConnectionTracker().stats().pendingAcquires()).isZero();
		assertThat(this.recorder.connectionIds()).hasSize(1);
	}

	@Test
	void busyAndIdleAlternateForEveryConnectionUnderContention() {
		DisposableServer server = server(null);
		AsyncApiClient client = client(server, tracker().build(),
				(builder) -> builder
					.connectionProviderCustomizer((pool) -> pool.maxConnections(2).pendingAcquireMaxCount(100)));

		List<Object> bodies = Flux.range(0, 40)
			.flatMap((i) -> client.request("GET", "/items"), 8)
			.collectList()
			.block(Duration.ofSeconds(30));

		assertThat(bodies).hasSize(40).containsOnly("ok");
		awaitQuiet(client);
		assertThat(this.recorder.connectionIds()).hasSizeBetween(1, 2);
		long served = 0;
		for (String connection : this.recorder.connectionIds()) {
			List<Boolean> updates = this.recorder.updates(connection);
			for (int i = 0; i < updates.size(); i++) {
				assertThat(updates.get(i)).as("update %d of %s", i, connection).isEqualTo(i % 2 == 1);
			}
			served += updates.size() / 2;
		}
		assertThat(served).as("one busy-idle cycle per request").isEqualTo(40);
		assertStatsMatchEvents(client);
	}

	@Test
	void aTrackerNamedForAnotherClientIsRefused() {
		assertThatIllegalArgumentException()
			.isThrownBy(() -> AsyncApiClient.builder()
				.name("one")
				.connectionTracker(ConnectionTracker.builder("other").build())
				.build())
			.withMessageContaining("'other'")
			.withMessageContaining("'one'");
	}

	@Test
	void aTrackerCannotSeeTheConnectionsOfAGivenConnector() {
		AsyncApiClient client = AsyncApiClient.builder()
			.name("events")
			.connector(new ReactorClientHttpConnector())
			.connectionTracker(tracker().build())
			.build();
		this.resources.add(client);

		assertThat(client.getConnectionTracker()).isNull();
		assertThat(client.getConnectionProvider()).isNull();
		assertThat(client.getMaxIdleTime()).isNull();
	}

	@Test
	void aClientBuildsItsPoolWithTheDefaultMaxIdleTime() {
		AsyncApiClient client = AsyncApiClient.builder().build();
		this.resources.add(client);

		assertThat(client.getMaxIdleTime()).isEqualTo(AsyncApiClient.DEFAULT_MAX_IDLE_TIME);
		assertThat(client.getConnectionTracker()).isNull();
		assertThat(client.getConnectionProvider()).isNotNull();
		assertThatIllegalArgumentException().isThrownBy(() -> AsyncApiClient.builder().maxIdleTime(Duration.ZERO))
			.withMessage("maxIdleTime must be positive but was PT0S");
	}

	// ---------------------------------------------------------------- helpers

	private ConnectionTracker.Builder tracker() {
		return ConnectionTracker.builder("events").listener(this.recorder);
	}

	private AsyncApiClient client(DisposableServer server, ConnectionTracker tracker,
			java.util.function.@Nullable Consumer<AsyncApiClient.Builder> customizer) {
		return client("http://127.0.0.1:" + server.port(), tracker, customizer);
	}

	private AsyncApiClient client(String baseUrl, ConnectionTracker tracker,
			java.util.function.@Nullable Consumer<AsyncApiClient.Builder> customizer) {
		AsyncApiClient.Builder builder = AsyncApiClient.builder()
			.name("events")
			.baseUrl(baseUrl)
			.connectionTracker(tracker);
		if (customizer != null) {
			customizer.accept(builder);
		}
		AsyncApiClient client = builder.build();
		this.resources.add(0, client);
		return client;
	}

	private DisposableServer server(@Nullable Duration keepAliveTimeout) {
		HttpServer server = HttpServer.create().host("127.0.0.1").port(0);
		if (keepAliveTimeout != null) {
			server = server.idleTimeout(keepAliveTimeout);
		}
		DisposableServer started = server.route((routes) -> routes
			.get("/items", (request, response) -> response.header("Content-Type", "text/plain").sendString(Mono.just("ok")))
			.get("/slow", (request, response) -> {
				this.slowArrived.incrementAndGet();
				return response.header("Content-Type", "text/plain").sendString(this.gate.asMono().thenReturn("slow"));
			}))
			.bindNow();
		this.resources.add(started::disposeNow);
		return started;
	}

	private RawHttpServer rawServer(RawHttpServer.Behaviour behaviour) throws IOException {
		RawHttpServer server = new RawHttpServer(behaviour);
		this.resources.add(server);
		return server;
	}

	private static RetrySettings quickRetries() {
		return RetrySettings.builder()
			.maxRetries(2)
			.baseDelay(Duration.ofMillis(10))
			.maxDelay(Duration.ofMillis(50))
			.jitter(false)
			.build();
	}

	/**
	 * Waits until the client has the given idle connections and no busy one, and its
	 * listeners have been told.
	 */
	private void awaitIdle(AsyncApiClient client, int idle) {
		awaitSettled(client, (stats) -> stats.idle() == idle && stats.active() == 0);
	}

	private void awaitQuiet(AsyncApiClient client) {
		awaitSettled(client, (stats) -> stats.active() == 0);
	}

	/**
	 * Waits until the client's counts satisfy the condition and match its events (counts
	 * are updated just before listeners are told).
	 */
	private void awaitSettled(AsyncApiClient client, java.util.function.Predicate<ConnectionStats> condition) {
		await().atMost(AWAIT).until(() -> {
			ConnectionStats stats = client.getConnectionTracker().stats();
			return condition.test(stats)
					&& stats.equals(this.recorder.expectedStats("events", stats.pendingAcquires()));
		});
	}

	private void awaitUpdates(int connections, int updates) {
		await().atMost(AWAIT).until(() -> this.recorder.connectionIds().size() == connections
				&& this.recorder.updates(this.recorder.connectionIds().get(0)).size() == updates);
	}

	private Closed awaitClosed(String connectionId) {
		return await().atMost(AWAIT)
			.until(() -> this.recorder.closed()
				.stream()
				.filter((closed) -> closed.connectionId().equals(connectionId))
				.findFirst()
				.orElse(null), (closed) -> closed != null);
	}

	private void assertStatsMatchEvents(AsyncApiClient client) {
		await().atMost(AWAIT).untilAsserted(() -> {
			ConnectionStats stats = client.getConnectionTracker().stats();
			assertThat(stats).isEqualTo(this.recorder.expectedStats("events", stats.pendingAcquires()));
		});
	}

	private static String text(List<RawData> events, RawData.Direction direction) {
		StringBuilder text = new StringBuilder();
		for (RawData event : events) {
			if (event.direction() == direction) {
				ByteBuffer data = event.data();
				assertThat(data).isNotNull();
				text.append(StandardCharsets.ISO_8859_1.decode(data));
			}
		}
		return text.toString();
	}

	private static void awaitEndOfStream(InputStream in) {
		try {
			while (in.read() >= 0) {
				// wait for the client to give up
			}
		}
		catch (IOException ex) {
			// closed
		}
	}

}
