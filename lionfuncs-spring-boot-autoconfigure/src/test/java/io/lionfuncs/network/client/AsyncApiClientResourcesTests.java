package io.lionfuncs.network.client;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for what an {@link AsyncApiClient} owns: the connection pool it builds is
 * released by {@code close()}; a pool, connector, WebClient or builder it is given is
 * left alone.
 */
class AsyncApiClientResourcesTests {

	private static final Duration BLOCK = Duration.ofSeconds(10);

	private RawHttpServer server;

	@BeforeEach
	void start() throws IOException {
		this.server = new RawHttpServer((socket, out) -> {
			RawHttpServer.write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok");
			return true;
		});
	}

	@AfterEach
	void stop() throws IOException {
		this.server.close();
	}

	@Test
	void closeDisposesTheOwnedPoolAndItsConnections() {
		// One connection at most, so that the second request waits for the first's to come back to the pool.
		AsyncApiClient client = AsyncApiClient.builder()
			.baseUrl(this.server.baseUrl())
			.connectionProviderCustomizer((pool) -> pool.maxConnections(1))
			.build();
		assertThat(client.request("GET", "/a").block(BLOCK)).isEqualTo("ok");
		assertThat(client.request("GET", "/b").block(BLOCK)).isEqualTo("ok");
		assertThat(this.server.connections()).as("keep-alive connection reused").isEqualTo(1);
		ConnectionProvider pool = client.ownedConnectionProvider();

		client.closeAsync().block(BLOCK);
		client.close();

		assertThat(pool.isDisposed()).isTrue();
		await().atMost(Duration.ofSeconds(10)).until(() -> this.server.closedByClient() == 1);
	}

	@Test
	void closeLeavesAGivenPoolAlone() {
		ConnectionProvider given = ConnectionProvider.builder("given").maxConnections(1).build();
		try {
			AsyncApiClient first = AsyncApiClient.builder().baseUrl(this.server.baseUrl()).connectionProvider(given).build();
			first.request("GET", "/a").block(BLOCK);
			assertThat(first.ownedConnectionProvider()).isNull();
			first.closeAsync().block(BLOCK);

			try (AsyncApiClient second = AsyncApiClient.builder()
				.baseUrl(this.server.baseUrl())
				.connectionProvider(given)
				.build()) {
				assertThat(second.request("GET", "/b").block(BLOCK)).isEqualTo("ok");
			}

			assertThat(this.server.requests()).isEqualTo(2);
			assertThat(this.server.connections()).as("the pooled connection survived the first client").isEqualTo(1);
			assertThat(this.server.closedByClient()).isZero();
		}
		finally {
			given.dispose();
		}
	}

	@Test
	void givenWebClientIsUsedAndNeverClosed() {
		ConnectionProvider pool = ConnectionProvider.builder("web-client").maxConnections(1).build();
		WebClient webClient = WebClient.builder()
			.clientConnector(new ReactorClientHttpConnector(HttpClient.create(pool)))
			.defaultHeader("X-From", "given")
			.build();
		try {
			AsyncApiClient client = AsyncApiClient.builder().baseUrl(this.server.baseUrl()).webClient(webClient).build();
			assertThat(client.request("GET", "/a").block(BLOCK)).isEqualTo("ok");
			client.closeAsync().block(BLOCK);

			assertThat(webClient.get().uri(this.server.baseUrl() + "/b").retrieve().bodyToMono(String.class).block(BLOCK))
				.isEqualTo("ok");
			assertThat(this.server.connections()).isEqualTo(1);
			assertThat(this.server.closedByClient()).isZero();
		}
		finally {
			pool.dispose();
		}
	}

	@Test
	void givenWebClientWithoutChangesIsUsedAsItIs() {
		WebClient webClient = WebClient.create(this.server.baseUrl());

		try (AsyncApiClient client = AsyncApiClient.builder().webClient(webClient).build()) {
			assertThat(client.getWebClient()).isSameAs(webClient);
			assertThat(client.request("GET", "/a").block(BLOCK)).isEqualTo("ok");
		}
	}

	@Test
	void givenWebClientBuilderIsClonedNotChanged() throws IOException {
		WebClient.Builder shared = WebClient.builder().defaultHeader("X-Shared", "yes");
		AtomicInteger authorized = new AtomicInteger();
		try (AsyncApiClient client = AsyncApiClient.builder()
			.baseUrl(this.server.baseUrl())
			.webClientBuilder(shared)
			.auth(ApiAuth.bearer("t"))
			.webClientCustomizer((builder) -> builder.filter((request, next) -> {
				if (request.headers().containsHeader("X-Shared")) {
					authorized.incrementAndGet();
				}
				return next.exchange(request);
			}))
			.build()) {
			client.request("GET", "/a").block(BLOCK);
		}
		assertThat(authorized).hasValue(1);

		WebClient plain = shared.build();
		assertThat(plain.get().uri(this.server.baseUrl() + "/b").exchangeToMono((response) -> response.releaseBody()
			.thenReturn(response.request().getHeaders().containsHeader("Authorization")))
			.block(BLOCK)).as("the shared builder got no auth filter").isFalse();
	}

	@Test
	void reactorNettyHooksCustomizeTheOwnedPoolAndClient() {
		AtomicInteger connected = new AtomicInteger();
		try (AsyncApiClient client = AsyncApiClient.builder()
			.name("hooks")
			.baseUrl(this.server.baseUrl())
			.connectionProviderCustomizer((pool) -> pool.maxConnections(3).maxIdleTime(Duration.ofSeconds(4)))
			.httpClientCustomizer((http) -> http.doOnConnected((connection) -> connected.incrementAndGet()))
			.build()) {

			client.request("GET", "/a").block(BLOCK);

			assertThat(connected).hasValue(1);
			assertThat(client.ownedConnectionProvider().maxConnections()).isEqualTo(3);
			assertThat(client.ownedConnectionProvider().name()).isEqualTo("lionfuncs-hooks");
		}
	}

	@Test
	void contradictorySettingsAreRefused() {
		WebClient webClient = WebClient.create();
		ConnectionProvider pool = ConnectionProvider.newConnection();
		ReactorClientHttpConnector connector = new ReactorClientHttpConnector();

		assertThatIllegalArgumentException()
			.isThrownBy(() -> AsyncApiClient.builder().webClient(webClient).connectionProvider(pool).build());
		assertThatIllegalArgumentException()
			.isThrownBy(() -> AsyncApiClient.builder().webClient(webClient).webClientBuilder(WebClient.builder()).build());
		assertThatIllegalArgumentException().isThrownBy(
				() -> AsyncApiClient.builder().connector(connector).httpClientCustomizer((http) -> http).build());
		assertThatIllegalArgumentException().isThrownBy(() -> AsyncApiClient.builder()
			.connectionProvider(pool)
			.connectionProviderCustomizer((builder) -> builder.maxConnections(1))
			.build());
		assertThatIllegalArgumentException().isThrownBy(() -> AsyncApiClient.builder().timeout(Duration.ZERO));
	}

}
