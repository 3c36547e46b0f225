package io.lionfuncs.testsupport;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.netty.channel.Channel;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

/**
 * A loopback HTTP server that closes a connection idle for its keep-alive timeout, as
 * servers and proxies do (Reactor Netty's idle timeout, on event loops of its own), and
 * may announce it in a {@code Keep-Alive: timeout=N} header. It answers every request
 * with 200 {@code ok} and counts requests and accepted connections.
 */
public final class KeepAliveServer implements AutoCloseable {

	private final LoopResources loops;

	private final DisposableServer server;

	private final AtomicInteger requests = new AtomicInteger();

	private final AtomicInteger connections = new AtomicInteger();

	private final Set<Channel> channels = ConcurrentHashMap.newKeySet();

	private KeepAliveServer(Duration keepAlive, boolean announce) {
		this.loops = LoopResources.create("keep-alive-server", 1, true);
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.runOn(this.loops)
			.idleTimeout(keepAlive)
			.doOnConnection((connection) -> {
				if (this.channels.add(connection.channel())) {
					this.connections.incrementAndGet();
				}
			})
			.handle((request, response) -> {
				this.requests.incrementAndGet();
				if (announce) {
					response.header("Keep-Alive", "timeout=" + keepAlive.toSeconds());
				}
				// Answered from a timer, as a remote service would (reactor/reactor-netty#4361).
				return request.receive()
					.then(Mono.delay(Duration.ZERO))
					.then(response.header("Content-Type", "text/plain").sendString(Mono.just("ok")).then());
			})
			.bindNow();
	}

	/**
	 * Starts a server.
	 * @param keepAlive how long a connection may stay idle, in whole seconds when
	 * announced
	 * @param announce whether responses carry {@code Keep-Alive: timeout=N}
	 * @return the server
	 */
	public static KeepAliveServer start(Duration keepAlive, boolean announce) {
		return new KeepAliveServer(keepAlive, announce);
	}

	public String baseUrl() {
		return "http://127.0.0.1:" + this.server.port();
	}

	public int requests() {
		return this.requests.get();
	}

	public int connections() {
		return this.connections.get();
	}

	@Override
	public void close() {
		this.server.disposeNow();
		this.loops.disposeLater().block(Duration.ofSeconds(10));
	}

	/**
	 * Sends requests from several loops at once, each loop spacing its requests around a
	 * keep-alive timeout (within 3 % of it, where a request races the server's close),
	 * every third gap short instead (40 %, so that connections are reused), and tallies
	 * the outcomes: {@code "ok"} or the failure's type and message.
	 * @param keepAlive the server's keep-alive timeout
	 * @param loops the loops sending at once
	 * @param rounds the requests of each loop
	 * @param call sends one request
	 * @return the outcomes and how often each happened
	 */
	public static Map<String, Integer> spacedAround(Duration keepAlive, int loops, int rounds, Call call) {
		Map<String, Integer> outcomes = new TreeMap<>();
		Flux.range(0, loops)
			.flatMap((loop) -> {
				SplittableRandom random = new SplittableRandom(loop);
				return Flux.range(0, rounds).concatMap((round) -> {
					long millis = keepAlive.toMillis();
					long gap = (round == 0) ? 0 : (round % 3 == 2) ? millis * 2 / 5
							: millis * 97 / 100 + random.nextLong(millis * 6 / 100 + 1);
					return Mono.delay(Duration.ofMillis(gap))
						.then(Mono.defer(() -> call.send(loop, round, (loop + round) % 2 == 1)))
						.thenReturn("ok")
						.onErrorResume((ex) -> Mono.just(ex.getClass().getSimpleName() + ": " + ex.getMessage()));
				});
			}, loops)
			.doOnNext((outcome) -> {
				synchronized (outcomes) {
					outcomes.merge(outcome, 1, Integer::sum);
				}
			})
			.blockLast(keepAlive.multipliedBy(2L * rounds + 10));
		return outcomes;
	}

	/**
	 * Sends one request of a loop.
	 */
	@FunctionalInterface
	public interface Call {

		/**
		 * Sends a request.
		 * @param loop the loop
		 * @param round the request's number in its loop
		 * @param post whether it should be a {@code POST} (every other request)
		 * @return the call
		 */
		Mono<?> send(int loop, int round, boolean post);

	}

}
