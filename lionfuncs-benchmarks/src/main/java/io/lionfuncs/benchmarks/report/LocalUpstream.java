package io.lionfuncs.benchmarks.report;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The API the HTTP scenario calls: a Reactor Netty server on loopback, in this process,
 * answering {@code GET} {@value #PATH} with a small JSON object.
 * <p>
 * Each answer is emitted from a {@link Scheduler} of its own rather than on the event
 * loop that read the request. Reactor Netty 1.3.6's server can stop reading a keep-alive
 * connection when a request that arrived before the previous exchange had fully ended
 * is answered synchronously (reactor/reactor-netty#4361); back-to-back requests on
 * pooled connections do exactly that. An answer that is never synchronous avoids the
 * trigger, at the cost of one thread hand-over per request, the same for every client.
 */
final class LocalUpstream implements AutoCloseable {

	static final String PATH = "/v1/item";

	private static final byte[] BODY = "{\"id\":42,\"name\":\"item\",\"ok\":true}".getBytes(StandardCharsets.UTF_8);

	private final Scheduler responder;

	private final DisposableServer server;

	private LocalUpstream(Scheduler responder, DisposableServer server) {
		this.responder = responder;
		this.server = server;
	}

	/**
	 * Starts the server on a free port.
	 * @return the running server
	 */
	static LocalUpstream start() {
		Scheduler responder = Schedulers.newParallel("upstream", 2, true);
		Mono<byte[]> answer = Mono.fromSupplier(() -> BODY).subscribeOn(responder);
		DisposableServer server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.route((routes) -> routes.get(PATH,
					(request, response) -> response.header(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
						.header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(BODY.length))
						.sendByteArray(answer)))
			.bindNow(Duration.ofSeconds(10));
		return new LocalUpstream(responder, server);
	}

	String baseUrl() {
		return "http://127.0.0.1:" + this.server.port();
	}

	@Override
	public void close() {
		this.server.disposeNow(Duration.ofSeconds(10));
		this.responder.dispose();
	}

}
