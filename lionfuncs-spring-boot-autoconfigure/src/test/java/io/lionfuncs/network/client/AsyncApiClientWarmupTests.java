package io.lionfuncs.network.client;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import io.netty.channel.Channel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link AsyncApiClient#warmup()}: it prepares the transport of the client's
 * own connector and, when asked, opens one pooled connection to the base URL that the
 * first request then uses.
 */
class AsyncApiClientWarmupTests {

	private static final Duration BLOCK = Duration.ofSeconds(10);

	private final Set<Channel> connections = ConcurrentHashMap.newKeySet();

	private final List<String> requests = new CopyOnWriteArrayList<>();

	private DisposableServer server;

	@BeforeEach
	void start() {
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.doOnConnection((connection) -> this.connections.add(connection.channel()))
			.handle((request, response) -> {
				this.requests.add(request.method() + " " + request.uri() + " authorization="
						+ request.requestHeaders().get("Authorization"));
				return request.receive()
					.then(Mono.delay(Duration.ZERO))
					.then(response.header("Content-Type", "text/plain").sendString(Mono.just("ok")).then());
			})
			.bindNow();
	}

	@AfterEach
	void stop() {
		this.server.disposeNow();
	}

	private AsyncApiClient.Builder client() {
		return AsyncApiClient.builder()
			.baseUrl("http://127.0.0.1:" + this.server.port() + "/v1")
			.auth(ApiAuth.bearer("secret-token"));
	}

	@Test
	void warmupPreparesTheTransportWithoutConnecting() {
		try (AsyncApiClient client = client().build()) {
			client.warmup().block(BLOCK);

			assertThat(this.connections).isEmpty();
			assertThat(client.request("GET", "/items").block(BLOCK)).isEqualTo("ok");
		}
	}

	@Test
	void warmupCanOpenOnePooledConnectionThatTheFirstRequestUses() {
		try (AsyncApiClient client = client().build()) {
			client.warmup(true).block(BLOCK);

			assertThat(this.connections).hasSize(1);
			assertThat(this.requests).containsExactly("HEAD /v1 authorization=null");

			assertThat(client.request("GET", "/items").block(BLOCK)).isEqualTo("ok");
			assertThat(this.connections).as("the first request used the warm connection").hasSize(1);
			assertThat(this.requests).last().isEqualTo("GET /v1/items authorization=Bearer secret-token");
		}
	}

	@Test
	void aGivenWebClientIsLeftAlone() {
		try (AsyncApiClient client = AsyncApiClient.builder()
			.webClient(WebClient.create("http://127.0.0.1:" + this.server.port()))
			.build()) {
			client.warmup(true).block(BLOCK);

			assertThat(this.connections).isEmpty();
		}
	}

	@Test
	void aClosedClientCannotWarmUp() {
		AsyncApiClient client = client().build();
		client.close();

		assertThatIllegalStateException().isThrownBy(() -> client.warmup().block(BLOCK))
			.withMessageContaining("closed");
	}

}
