package io.lionfuncs.network.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.retry.Retry;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.lionfuncs.network.client.AsyncApiClientTests.failure;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link AsyncApiClient} when the transport fails: refused and reset
 * connections, a server that closes in the middle of a response, and servers too slow
 * for the timeout.
 */
class AsyncApiClientTransportTests {

	private static final Duration BLOCK = Duration.ofSeconds(10);

	private RawHttpServer rawServer;

	private AsyncApiClient client;

	@AfterEach
	void close() throws IOException {
		if (this.client != null) {
			this.client.close();
		}
		if (this.rawServer != null) {
			this.rawServer.close();
		}
	}

	private AsyncApiClient client(String baseUrl, Duration timeout) {
		this.client = AsyncApiClient.builder().baseUrl(baseUrl).timeout(timeout).build();
		return this.client;
	}

	private static int unusedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	@Test
	void refusedConnectionIsAConnectFailure() throws IOException {
		AsyncApiClient refused = client("http://127.0.0.1:" + unusedPort(), BLOCK);

		ApiClientException ex = failure(refused.request(ApiRequest.post("/items").json("{}").build()));

		assertThat(ex).isExactlyInstanceOf(ApiConnectionException.class);
		assertThat(((ApiConnectionException) ex).isConnectFailure()).isTrue();
		assertThat(ex.statusCode()).isNull();
		assertThat(ex.getMessage()).startsWith("POST http://127.0.0.1:").contains("/items could not connect");
		assertThat(ex.getCause()).isInstanceOf(java.net.ConnectException.class);
	}

	@Test
	void resetConnectionIsAConnectionFailure() throws IOException {
		this.rawServer = new RawHttpServer((socket, out) -> {
			RawHttpServer.reset(socket);
			return false;
		});

		ApiClientException ex = failure(client(this.rawServer.baseUrl(), BLOCK).request("GET", "/items"));

		assertThat(ex).isExactlyInstanceOf(ApiConnectionException.class);
		assertThat(((ApiConnectionException) ex).isConnectFailure()).isFalse();
		assertThat(ex.getCause()).isInstanceOf(IOException.class);
		assertThat(this.rawServer.requests()).isEqualTo(1);
	}

	@Test
	void serverClosingMidResponseIsAConnectionFailureWithTheStatusSeen() throws IOException {
		this.rawServer = new RawHttpServer((socket, out) -> {
			RawHttpServer.write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\npartial");
			return false;
		});

		ApiClientException ex = failure(client(this.rawServer.baseUrl(), BLOCK).request("GET", "/items"));

		assertThat(ex).isExactlyInstanceOf(ApiConnectionException.class);
		assertThat(ex.statusCode()).isEqualTo(200);
		assertThat(ex.getMessage()).contains("(status 200)");
	}

	@Test
	void serverClosingBeforeAnyResponseIsAConnectionFailure() throws IOException {
		this.rawServer = new RawHttpServer((socket, out) -> false);

		ApiClientException ex = failure(client(this.rawServer.baseUrl(), BLOCK).request("GET", "/items"));

		assertThat(ex).isExactlyInstanceOf(ApiConnectionException.class);
		assertThat(ex.statusCode()).isNull();
	}

	@Test
	void serverThatNeverAnswersTimesOut() throws IOException {
		this.rawServer = new RawHttpServer((socket, out) -> {
			awaitClientClose(socket.getInputStream());
			return false;
		});

		ApiClientException ex = failure(client(this.rawServer.baseUrl(), Duration.ofMillis(300)).request("GET", "/slow"));

		assertThat(ex).isExactlyInstanceOf(ApiTimeoutException.class);
		assertThat(((ApiTimeoutException) ex).isConnectFailure()).isFalse();
		assertThat(ex.getMessage()).isEqualTo("GET " + this.rawServer.baseUrl() + "/slow got no response within PT0.3S");
	}

	@Test
	void bodyTooSlowForTheTimeoutTimesOut() throws IOException {
		this.rawServer = new RawHttpServer((socket, out) -> {
			RawHttpServer.write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n\r\nslo");
			awaitClientClose(socket.getInputStream());
			return false;
		});

		ApiClientException ex = failure(client(this.rawServer.baseUrl(), Duration.ofMillis(300)).request("GET", "/slow"));

		assertThat(ex).isExactlyInstanceOf(ApiTimeoutException.class);
	}

	@Test
	void requestTimeoutOverridesTheClients() throws Exception {
		try (MockWebServer slow = new MockWebServer()) {
			slow.enqueue(new MockResponse.Builder().headersDelay(5, TimeUnit.SECONDS).body("late").build());
			slow.start();

			ApiClientException ex = failure(client("http://127.0.0.1:" + slow.getPort(), BLOCK)
				.request(ApiRequest.get("/slow").timeout(Duration.ofMillis(200)).build()));

			assertThat(ex).isExactlyInstanceOf(ApiTimeoutException.class);
			assertThat(ex.getMessage()).endsWith("within PT0.2S");
		}
	}

	@Test
	void postIsRetriedAfterRefusedConnectionsAndReachesTheServerOnceItListens() throws Exception {
		int port = unusedPort();
		Retry retry = Retry.of("connect", RetrySettings.builder()
			.maxRetries(5)
			.baseDelay(Duration.ofMillis(20))
			.jitter(false)
			.build()
			.toRetryConfig());
		try (MockWebServer late = new MockWebServer()) {
			late.enqueue(new MockResponse.Builder().code(201).body("created").build());
			retry.getEventPublisher().onRetry((event) -> {
				if (event.getNumberOfRetryAttempts() == 2 && !late.getStarted()) {
					try {
						late.start(InetAddress.getByName("127.0.0.1"), port);
					}
					catch (IOException ex) {
						throw new IllegalStateException(ex);
					}
				}
			});
			this.client = AsyncApiClient.builder().baseUrl("http://127.0.0.1:" + port).retry(retry).build();

			Object body = this.client.request(ApiRequest.post("/orders").json("{\"id\":1}").build()).block(BLOCK);

			assertThat(body).isEqualTo("created");
			assertThat(late.getRequestCount()).isEqualTo(1);
			assertThat(retry.getMetrics().getNumberOfSuccessfulCallsWithRetryAttempt()).isEqualTo(1);
		}
	}

	private static void awaitClientClose(InputStream in) throws IOException {
		while (in.read() >= 0) {
			// discard until the client closes the connection
		}
	}

}
