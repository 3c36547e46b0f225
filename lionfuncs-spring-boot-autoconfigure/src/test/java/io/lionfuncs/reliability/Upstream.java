package io.lionfuncs.reliability;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.HttpServerRequest;
import reactor.netty.http.server.HttpServerResponse;
import reactor.netty.resources.LoopResources;

/**
 * A local HTTP upstream on Reactor Netty, on event loops of its own, that answers each
 * request as a plan says: a status after an optional delay, a connection reset (RST),
 * or a response closed in the middle of its body. It logs every request it received
 * (with the {@code X-Call-Id} and {@code X-Attempt} headers the tests send) and counts
 * the connections open on its side.
 */
final class Upstream implements AutoCloseable {

	static final String CALL_ID = "X-Call-Id";

	static final String ATTEMPT = "X-Attempt";

	private final LoopResources loops;

	private final DisposableServer server;

	private final Function<HttpServerRequest, Reply> plan;

	private final Queue<Received> log = new ConcurrentLinkedQueue<>();

	private final Set<Channel> openChannels = ConcurrentHashMap.newKeySet();

	private final AtomicInteger connections = new AtomicInteger();

	Upstream(String name, Function<HttpServerRequest, Reply> plan) {
		this(name, 0, plan);
	}

	Upstream(String name, int port, Function<HttpServerRequest, Reply> plan) {
		this.plan = plan;
		this.loops = LoopResources.create(name, 1, true);
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(port)
			.runOn(this.loops)
			// called for every request of a keep-alive connection: count channels, not calls
			.doOnConnection((connection) -> {
				Channel channel = connection.channel();
				if (this.openChannels.add(channel)) {
					this.connections.incrementAndGet();
					channel.closeFuture().addListener((future) -> this.openChannels.remove(channel));
				}
			})
			.handle(this::handle)
			.bindNow();
	}

	String baseUrl() {
		return "http://127.0.0.1:" + this.server.port();
	}

	/** Every request received, in arrival order. */
	List<Received> received() {
		return new ArrayList<>(this.log);
	}

	int requests() {
		return this.log.size();
	}

	/** Connections open on the server's side now. */
	int openConnections() {
		return this.openChannels.size();
	}

	/** Connections accepted so far. */
	int connections() {
		return this.connections.get();
	}

	private Mono<Void> handle(HttpServerRequest request, HttpServerResponse response) {
		Reply reply = this.plan.apply(request);
		String attempt = request.requestHeaders().get(ATTEMPT);
		String[] channel = new String[1];
		request.withConnection((connection) -> channel[0] = connection.channel().id().asShortText());
		Map<String, String> headers = new LinkedHashMap<>();
		request.requestHeaders()
			.forEach((header) -> headers.merge(header.getKey(), header.getValue(), (a, b) -> a + ", " + b));
		long arrival = System.nanoTime();
		Mono<Void> answer = switch (reply.kind()) {
			case RESPOND -> respond(response, reply);
			case RESET -> Mono.fromRunnable(() -> request.withConnection((connection) -> reset(connection.channel())));
			case MID_BODY -> midBody(request, response, reply);
		};
		Mono<Void> received = request.receive()
			.aggregate()
			.asByteArray()
			.defaultIfEmpty(new byte[0])
			.doOnNext((body) -> this.log.add(new Received(request.method().name(), request.uri(),
					request.requestHeaders().get(CALL_ID), (attempt != null) ? Integer.parseInt(attempt) : 0, reply,
					arrival, channel[0], headers, body)))
			.then();
		return reply.delay().isZero() ? received.then(answer) : received.then(Mono.delay(reply.delay()).then(answer));
	}

	private static Mono<Void> respond(HttpServerResponse response, Reply reply) {
		response.status(reply.status());
		reply.headers().forEach(response::header);
		if (reply.contentType() != null) {
			response.header("Content-Type", reply.contentType());
		}
		return response.sendByteArray(Mono.just(reply.body())).then();
	}

	/**
	 * Sends the head and part of a body announced longer, then closes the connection.
	 */
	private static Mono<Void> midBody(HttpServerRequest request, HttpServerResponse response, Reply reply) {
		byte[] part = reply.body();
		response.status(reply.status())
			.header("Content-Type", "application/json")
			.header("Content-Length", String.valueOf(part.length * 4L));
		return response.sendObject(Mono.just(Unpooled.wrappedBuffer(part)))
			.then()
			.then(Mono.fromRunnable(() -> request.withConnection((connection) -> connection.channel().close())));
	}

	private static void reset(Channel channel) {
		channel.config().setOption(ChannelOption.SO_LINGER, 0);
		channel.close();
	}

	@Override
	public void close() {
		this.server.disposeNow(Duration.ofSeconds(10));
		this.loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
	}

	/**
	 * One request the upstream received.
	 * @param method the HTTP method
	 * @param uri the request URI
	 * @param callId the {@value #CALL_ID} header
	 * @param attempt the {@value #ATTEMPT} header, {@code 0} when absent
	 * @param reply what the upstream did
	 * @param arrivalNanos when it arrived ({@link System#nanoTime()})
	 * @param channel the id of the connection it came on
	 * @param headers the request headers
	 * @param body the request body
	 */
	record Received(String method, String uri, @Nullable String callId, int attempt, Reply reply,
			long arrivalNanos, @Nullable String channel, Map<String, String> headers, byte[] body) {
	}

	/**
	 * What the upstream does with one request.
	 * @param kind respond, reset or close in the middle of the body
	 * @param status the status sent
	 * @param delay how long to wait before answering
	 * @param contentType the content type, or {@code null} for none
	 * @param body the body (for a mid-body close: the part sent)
	 * @param headers more response headers
	 */
	record Reply(Kind kind, int status, Duration delay, @Nullable String contentType, byte[] body,
			Map<String, String> headers) {

		private static final byte[] OK_BODY = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);

		static Reply ok() {
			return json(200, OK_BODY);
		}

		static Reply status(int status) {
			return json(status, ("{\"error\":\"injected " + status + "\"}").getBytes(StandardCharsets.UTF_8));
		}

		static Reply json(int status, byte[] body) {
			return new Reply(Kind.RESPOND, status, Duration.ZERO, "application/json", body, Map.of());
		}

		static Reply body(int status, @Nullable String contentType, byte[] body) {
			return new Reply(Kind.RESPOND, status, Duration.ZERO, contentType, body, Map.of());
		}

		static Reply reset() {
			return new Reply(Kind.RESET, 0, Duration.ZERO, null, new byte[0], Map.of());
		}

		static Reply midBody() {
			return new Reply(Kind.MID_BODY, 200, Duration.ZERO, "application/json",
					"{\"items\":[1,2,3,".getBytes(StandardCharsets.UTF_8), Map.of());
		}

		Reply after(Duration delay) {
			return new Reply(this.kind, this.status, delay, this.contentType, this.body, this.headers);
		}

		Reply withHeaders(Map<String, String> headers) {
			return new Reply(this.kind, this.status, this.delay, this.contentType, this.body, headers);
		}

		enum Kind {

			RESPOND, RESET, MID_BODY

		}

	}

}
