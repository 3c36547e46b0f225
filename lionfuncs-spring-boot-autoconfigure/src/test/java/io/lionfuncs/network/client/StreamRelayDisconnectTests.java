package io.lionfuncs.network.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.client.StreamingUpstream.Manual;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.server.reactive.ReactorHttpHandlerAdapter;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A WebFlux endpoint that relays a stream made through an executor: when its own client
 * disconnects midway, WebFlux cancels the relayed stream, which ends the call
 * {@code CANCELLED}, gives back its unused reservation and closes the upstream
 * connection, as the upstream server sees.
 */
class StreamRelayDisconnectTests {

	private static final Duration BLOCK = Duration.ofSeconds(30);

	private final Manual reply = StreamingUpstream.manual();

	private StreamingUpstream upstream;

	private AsyncApiClient client;

	private Executor executor;

	private DisposableServer relay;

	@BeforeEach
	void start() {
		this.upstream = new StreamingUpstream((n) -> this.reply.reply());
		this.client = AsyncApiClient.builder().baseUrl(this.upstream.baseUrl()).build();
		this.executor = Executor.builder()
			.settings(ExecutorSettings.builder().concurrencyLimit(1).apiTokensRate(10_000.0).build())
			.nanoClock(() -> 0L)
			.build();
		this.executor.start();
		ApiRequest chat = ApiRequest.post("/v1/chat/completions").json(Map.of("stream", true)).build();
		RouterFunction<ServerResponse> routes = RouterFunctions.route()
			.GET("/relay", (request) -> ServerResponse.ok()
				.contentType(MediaType.TEXT_EVENT_STREAM)
				.body(this.client.stream(this.executor, chat, 500)
					.flatMapMany(ApiStream::events)
					.map((event) -> org.springframework.http.codec.ServerSentEvent.builder(event.data()).build()),
						new ParameterizedTypeReference<org.springframework.http.codec.ServerSentEvent<String>>() {
						}))
			.build();
		this.relay = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle(new ReactorHttpHandlerAdapter(RouterFunctions.toHttpHandler(routes)))
			.bindNow();
	}

	@AfterEach
	void stop() {
		this.relay.disposeNow(BLOCK);
		this.executor.stop(false);
		this.client.close();
		this.upstream.close();
	}

	@Test
	void aClientDisconnectingFromTheRelayCancelsTheUpstreamStream() throws Exception {
		try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.relay.port())) {
			socket.setSoTimeout((int) BLOCK.toMillis());
			OutputStream out = socket.getOutputStream();
			out.write(("GET /relay HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
				.getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			this.reply.started().block(BLOCK);
			this.reply.send(StreamingUpstream.anthropicStart(40));
			readUntil(socket.getInputStream(), "message_start");
			NetworkRequestEvent event = this.executor.inFlight().get(0);
			assertThat(event.getStatus()).isEqualTo(RequestStatus.CALLING);
		}

		await().atMost(BLOCK).until(() -> this.upstream.log().contains("cancelled 1"));
		NetworkRequestEvent event = this.executor.recent().get(0);
		assertThat(event.completion()).succeedsWithin(BLOCK);
		assertThat(event.getStatus()).isEqualTo(RequestStatus.CANCELLED);
		assertThat(event.getApiTokensUsed()).as("input 40 + output 1 so far").isEqualTo(41);
		assertThat(this.executor.apiTokensBucket().availableTokens()).isEqualTo(10_000 - 41);
		assertThat(this.executor.stats().concurrencyInUse()).isZero();
	}

	private static void readUntil(InputStream in, String text) throws IOException {
		StringBuilder seen = new StringBuilder();
		byte[] buffer = new byte[1024];
		while (seen.indexOf(text) < 0) {
			int read = in.read(buffer);
			if (read < 0) {
				throw new IOException("The relay closed the connection before sending '" + text + "': " + seen);
			}
			seen.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
		}
	}

}
