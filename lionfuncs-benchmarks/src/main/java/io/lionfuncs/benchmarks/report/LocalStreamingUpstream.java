package io.lionfuncs.benchmarks.report;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import io.netty.handler.codec.http.HttpHeaderNames;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * The API the streaming scenario calls: a Reactor Netty server on loopback, in this
 * process, answering {@code POST} {@value #PATH} with a server-sent event stream of
 * {@value #CHUNKS} OpenAI-style chunks, one every {@link #PACE} (each written and flushed
 * on its own, as a model emits tokens), then {@code data: [DONE]}.
 * <p>
 * The chunks are emitted from a {@link Scheduler} of its own, never on the event loop
 * that read the request (reactor/reactor-netty#4361, see {@link LocalUpstream}).
 */
final class LocalStreamingUpstream implements AutoCloseable {

	static final String PATH = "/v1/chat/completions";

	static final int CHUNKS = 20;

	static final Duration PACE = Duration.ofMillis(1);

	private final Scheduler pacer;

	private final DisposableServer server;

	private LocalStreamingUpstream(Scheduler pacer, DisposableServer server) {
		this.pacer = pacer;
		this.server = server;
	}

	/**
	 * Starts the server on a free port.
	 * @return the running server
	 */
	static LocalStreamingUpstream start() {
		Scheduler pacer = Schedulers.newParallel("stream-upstream", 2, true);
		Flux<String> chunks = Flux.range(0, CHUNKS)
			.map((index) -> "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
					+ "\"delta\":{\"content\":\"token" + index + " \"}}]}\n\n")
			.concatWith(Flux.just("data: [DONE]\n\n"))
			.delayElements(PACE, pacer);
		DisposableServer server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.route((routes) -> routes.post(PATH,
					(request, response) -> request.receive()
						.then()
						.thenMany(response.header(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
							.sendString(chunks, StandardCharsets.UTF_8))))
			.bindNow(Duration.ofSeconds(10));
		return new LocalStreamingUpstream(pacer, server);
	}

	String baseUrl() {
		return "http://127.0.0.1:" + this.server.port();
	}

	@Override
	public void close() {
		this.server.disposeNow(Duration.ofSeconds(10));
		this.pacer.dispose();
	}

}
