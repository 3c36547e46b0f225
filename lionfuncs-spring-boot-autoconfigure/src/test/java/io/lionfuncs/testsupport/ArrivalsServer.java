package io.lionfuncs.testsupport;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * A loopback HTTP server, on an event loop of its own, that notes when each request
 * arrived, the way a rate-limited provider judges its clients: by arrival time. It
 * answers every request with 200 {@code ok}, from a timer rather than on the read
 * (reactor/reactor-netty#4361).
 */
public final class ArrivalsServer implements AutoCloseable {

	/** The header naming the call, noted with its arrival. */
	public static final String CALL = "X-Call";

	/** The header naming the caller (a replica), noted with its arrival. */
	public static final String CALLER = "X-Caller";

	private final LoopResources loops;

	private final DisposableServer server;

	private final ConcurrentLinkedQueue<Arrival> arrivals = new ConcurrentLinkedQueue<>();

	private ArrivalsServer() {
		this.loops = LoopResources.create("arrivals-server", 1, true);
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.runOn(this.loops)
			.handle((request, response) -> {
				this.arrivals.add(new Arrival(System.nanoTime(), request.method().name(), "/" + request.path(),
						request.requestHeaders().get(CALLER), request.requestHeaders().get(CALL)));
				return request.receive()
					.then(Mono.delay(Duration.ZERO))
					.then(response.header("Content-Type", "text/plain").sendString(Mono.just("ok")).then());
			})
			.bindNow();
	}

	/**
	 * Starts a server on a free port.
	 * @return the server
	 */
	public static ArrivalsServer start() {
		return new ArrivalsServer();
	}

	/**
	 * The server's base URL.
	 * @return {@code http://127.0.0.1:<port>}
	 */
	public String baseUrl() {
		return "http://127.0.0.1:" + this.server.port();
	}

	/**
	 * Every request received so far, in arrival order.
	 * @return the arrivals
	 */
	public List<Arrival> arrivals() {
		return List.copyOf(this.arrivals);
	}

	/**
	 * The requests received so far to a path, in arrival order.
	 * @param path the path, such as {@code /call}
	 * @return the arrivals
	 */
	public List<Arrival> arrivals(String path) {
		return this.arrivals.stream().filter((arrival) -> arrival.path().equals(path)).toList();
	}

	/**
	 * How many requests arrived so far.
	 * @return the count
	 */
	public int count() {
		return this.arrivals.size();
	}

	@Override
	public void close() {
		this.server.disposeNow(Duration.ofSeconds(10));
		this.loops.disposeLater(Duration.ZERO, Duration.ofSeconds(5)).block(Duration.ofSeconds(10));
	}

	/**
	 * One request the server received.
	 *
	 * @param nanos when it arrived, as {@link System#nanoTime()}
	 * @param method its method
	 * @param path its path, such as {@code /call}
	 * @param caller its {@value #CALLER} header
	 * @param call its {@value #CALL} header
	 */
	public record Arrival(long nanos, String method, String path, @Nullable String caller, @Nullable String call) {
	}

}
