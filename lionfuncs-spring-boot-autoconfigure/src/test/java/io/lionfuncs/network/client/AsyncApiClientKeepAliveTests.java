package io.lionfuncs.network.client;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.lionfuncs.testsupport.KeepAliveServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import static io.lionfuncs.network.client.AsyncApiClientTests.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * A plain {@link AsyncApiClient}, with default settings and no retry, against servers
 * that close connections idle for one second: requests spaced around that second, where
 * each races the server's close, never fail; the client learns the server's keep-alive
 * from its {@code Keep-Alive} header, or from the connections it saw the server close,
 * and resends an idempotent request lost to a closed connection.
 */
@Timeout(120)
class AsyncApiClientKeepAliveTests {

	private static final Logger logger = LoggerFactory.getLogger(AsyncApiClientKeepAliveTests.class);

	private static final Duration KEEP_ALIVE = Duration.ofSeconds(1);

	private static final Duration BLOCK = Duration.ofSeconds(10);

	private static final int LOOPS = 24;

	private static final int ROUNDS = 10;

	private KeepAliveServer server;

	private RawHttpServer rawServer;

	private AsyncApiClient client;

	@AfterEach
	void close() throws IOException {
		if (this.client != null) {
			this.client.close();
		}
		if (this.server != null) {
			this.server.close();
		}
		if (this.rawServer != null) {
			this.rawServer.close();
		}
	}

	@Test
	void againstAnAnnouncedOneSecondKeepAliveNoGetOrPostFails() {
		this.server = KeepAliveServer.start(KEEP_ALIVE, true);
		this.client = AsyncApiClient.builder().baseUrl(this.server.baseUrl()).build();

		Map<String, Integer> outcomes = KeepAliveServer.spacedAround(KEEP_ALIVE, LOOPS, ROUNDS,
				(loop, round, post) -> send(post));

		logger.info("Announced keep-alive: {} requests on {} connections, outcomes {}", this.server.requests(),
				this.server.connections(), outcomes);
		assertThat(outcomes).containsExactly(entry("ok", LOOPS * ROUNDS));
		assertThat(this.server.requests()).isEqualTo(LOOPS * ROUNDS);
		assertThat(this.server.connections()).as("connections are still reused within the keep-alive")
			.isLessThan(LOOPS * ROUNDS);
	}

	@Test
	void againstAnUnannouncedOneSecondKeepAliveNoGetOrPostFails() {
		this.server = KeepAliveServer.start(KEEP_ALIVE, false);
		this.client = AsyncApiClient.builder().baseUrl(this.server.baseUrl()).build();

		// GETs first: one lost to the server's close is sent again, and the closes teach
		// the client the server's keep-alive before any POST is sent.
		Map<String, Integer> outcomes = KeepAliveServer.spacedAround(KEEP_ALIVE, LOOPS, ROUNDS,
				(loop, round, post) -> send(post && round >= 3));

		logger.info("Unannounced keep-alive: {} requests on {} connections, outcomes {}", this.server.requests(),
				this.server.connections(), outcomes);
		assertThat(outcomes).containsExactly(entry("ok", LOOPS * ROUNDS));
		assertThat(this.server.requests()).isBetween(LOOPS * ROUNDS, LOOPS * ROUNDS + LOOPS * 3);
		assertThat(this.server.connections()).isLessThan(LOOPS * ROUNDS);
	}

	@Test
	void theFirstRequestsOfFreshClientsAreAsSafeAsAnyOther() {
		this.server = KeepAliveServer.start(KEEP_ALIVE, true);
		try (KeepAliveServer silent = KeepAliveServer.start(KEEP_ALIVE, false)) {
			// Each fresh client sends a first request, then a second one about a keep-alive
			// later on the same connection: POSTs to the server that announces its
			// keep-alive, GETs to the one that does not.
			List<String> outcomes = Flux.range(0, LOOPS).flatMap((i) -> {
				boolean announced = i % 2 == 0;
				AsyncApiClient fresh = AsyncApiClient.builder()
					.baseUrl(announced ? this.server.baseUrl() : silent.baseUrl())
					.build();
				Mono<Object> call = announced ? fresh.request(ApiRequest.post("/items").json(Map.of("i", i)).build())
						: fresh.request("GET", "/items");
				Duration gap = KEEP_ALIVE.multipliedBy(97 + i % 7).dividedBy(100);
				return call.then(Mono.delay(gap))
					.then(call)
					.thenReturn("ok")
					.onErrorResume((ex) -> Mono.just(ex.toString()))
					.doFinally((signal) -> fresh.close());
			}, LOOPS).collectList().block(Duration.ofSeconds(30));

			assertThat(outcomes).hasSize(LOOPS).containsOnly("ok");
			assertThat(this.server.requests() + silent.requests()).isBetween(2 * LOOPS, 3 * LOOPS);
		}
	}

	@Test
	void aGetLostToAConnectionClosedWhileIdleIsSentAgainWithoutARetryPolicy() throws IOException {
		this.rawServer = closingSecondRequests();
		this.client = oneConnection(this.rawServer.baseUrl());
		assertThat(this.client.getRetry()).isNull();

		assertThat(this.client.request("GET", "/items").block(BLOCK)).isEqualTo("ok");
		Object second = Mono.delay(StaleConnectionRetry.STALE_AFTER.plusMillis(100))
			.then(this.client.request("GET", "/items"))
			.block(BLOCK);

		assertThat(second).isEqualTo("ok");
		assertThat(this.rawServer.requests()).isEqualTo(3);
		assertThat(this.rawServer.connections()).isEqualTo(2);
	}

	@Test
	void aPostLostToAConnectionClosedAfterItWasWrittenIsNotSentAgain() throws IOException {
		this.rawServer = closingSecondRequests();
		this.client = oneConnection(this.rawServer.baseUrl());

		assertThat(this.client.request("GET", "/items").block(BLOCK)).isEqualTo("ok");
		ApiClientException ex = failure(Mono.delay(StaleConnectionRetry.STALE_AFTER.plusMillis(100))
			.then(this.client.request(ApiRequest.post("/items").json("{}").build())));

		assertThat(ex).isExactlyInstanceOf(ApiConnectionException.class);
		assertThat(((ApiConnectionException) ex).isConnectFailure()).isFalse();
		assertThat(this.rawServer.requests()).as("the POST may have been read: sent once").isEqualTo(2);
	}

	@Test
	void aResetOfAConnectionBusyMomentsAgoIsTheServersAnswerAndNotSentAgain() throws IOException {
		Map<Socket, AtomicInteger> requestsPerConnection = new ConcurrentHashMap<>();
		this.rawServer = new RawHttpServer((socket, out) -> {
			if (requestsPerConnection.computeIfAbsent(socket, (key) -> new AtomicInteger()).incrementAndGet() > 1) {
				RawHttpServer.reset(socket);
				return false;
			}
			RawHttpServer.write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok");
			return true;
		});
		this.client = oneConnection(this.rawServer.baseUrl());

		assertThat(this.client.request("GET", "/items").block(BLOCK)).isEqualTo("ok");
		assertThat(failure(this.client.request("GET", "/items"))).isInstanceOf(ApiConnectionException.class);
		assertThat(this.rawServer.requests()).isEqualTo(2);
	}

	/**
	 * A client whose second request reuses the first one's connection: with one
	 * connection it waits for it to come back to the pool.
	 */
	private static AsyncApiClient oneConnection(String baseUrl) {
		return AsyncApiClient.builder()
			.baseUrl(baseUrl)
			.connectionProviderCustomizer((pool) -> pool.maxConnections(1))
			.build();
	}

	/**
	 * Answers the first request of each connection and closes the connection on the
	 * second without answering, as a server whose keep-alive timer fires as the request
	 * arrives.
	 */
	private static RawHttpServer closingSecondRequests() throws IOException {
		Map<Socket, AtomicInteger> requestsPerConnection = new ConcurrentHashMap<>();
		return new RawHttpServer((socket, out) -> {
			if (requestsPerConnection.computeIfAbsent(socket, (key) -> new AtomicInteger()).incrementAndGet() > 1) {
				return false;
			}
			RawHttpServer.write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok");
			return true;
		});
	}

	private Mono<?> send(boolean post) {
		return post ? this.client.request(ApiRequest.post("/items").json(Map.of("n", 1)).build())
				: this.client.request("GET", "/items");
	}

}
