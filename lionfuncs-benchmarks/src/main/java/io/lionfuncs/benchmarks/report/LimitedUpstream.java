package io.lionfuncs.benchmarks.report;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * An API as a provider runs it, for the wire scenario: a Reactor Netty server on
 * loopback that judges every request by its arrival, with a strict token bucket of its
 * own (independent of the starter's), answering {@code 429} when the bucket is empty and
 * a small JSON object otherwise. It records when each request arrived (as
 * {@link System#nanoTime()}, which is the same clock in every process of the machine)
 * and whether it was let through.
 * <p>
 * Answers are emitted from a scheduler of their own, as {@link LocalUpstream}'s are.
 */
final class LimitedUpstream implements AutoCloseable {

	static final String PATH = "/v1/item";

	private static final byte[] BODY = "{\"id\":42,\"name\":\"item\",\"ok\":true}".getBytes(StandardCharsets.UTF_8);

	private final Scheduler responder;

	private final DisposableServer server;

	private final Object monitor = new Object();

	private final List<Arrival> arrivals = new ArrayList<>();

	private double capacity = 1;

	private double tokensPerNano = 1;

	private double tokens;

	private long updatedNanos;

	private LimitedUpstream(Scheduler responder) {
		this.responder = responder;
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle((request, response) -> {
				boolean allowed = admit(System.nanoTime());
				Mono<Void> drained = request.receive().then();
				if (!allowed) {
					return drained.then(response.status(HttpResponseStatus.TOO_MANY_REQUESTS)
						.header(HttpHeaderNames.CONTENT_LENGTH, "0")
						.send()
						.then()
						.subscribeOn(this.responder));
				}
				if (request.method() != HttpMethod.GET || !request.uri().startsWith(PATH)) {
					return drained.then(response.header(HttpHeaderNames.CONTENT_LENGTH, "0").send().then()
						.subscribeOn(this.responder));
				}
				return drained.then(response.header(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
					.header(HttpHeaderNames.CONTENT_LENGTH, Integer.toString(BODY.length))
					.sendByteArray(Mono.fromSupplier(() -> BODY).subscribeOn(this.responder))
					.then());
			})
			.bindNow(Duration.ofSeconds(10));
	}

	/**
	 * Starts the server on a free port; its bucket is set by {@link #reset}.
	 * @return the running server
	 */
	static LimitedUpstream start() {
		return new LimitedUpstream(Schedulers.newParallel("limited-upstream", 2, true));
	}

	String baseUrl() {
		return "http://127.0.0.1:" + this.server.port();
	}

	/**
	 * Forgets the arrivals and fills a bucket of the given shape.
	 * @param bucketCapacity the bucket's capacity
	 * @param perSecond its refill per second
	 */
	void reset(double bucketCapacity, double perSecond) {
		synchronized (this.monitor) {
			this.arrivals.clear();
			this.capacity = bucketCapacity;
			this.tokensPerNano = perSecond / 1e9;
			this.tokens = bucketCapacity;
			this.updatedNanos = System.nanoTime();
		}
	}

	/**
	 * The arrivals since the last {@link #reset}, in order.
	 * @return the arrivals
	 */
	List<Arrival> arrivals() {
		synchronized (this.monitor) {
			return List.copyOf(this.arrivals);
		}
	}

	private boolean admit(long nowNanos) {
		synchronized (this.monitor) {
			long elapsed = Math.max(0, nowNanos - this.updatedNanos);
			this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.tokensPerNano);
			this.updatedNanos = Math.max(this.updatedNanos, nowNanos);
			boolean allowed = this.tokens >= 1;
			if (allowed) {
				this.tokens -= 1;
			}
			this.arrivals.add(new Arrival(nowNanos, allowed));
			return allowed;
		}
	}

	@Override
	public void close() {
		this.server.disposeNow(Duration.ofSeconds(10));
		this.responder.dispose();
	}

	/**
	 * One request as the server saw it.
	 * @param nanos when it arrived, as {@link System#nanoTime()}
	 * @param allowed whether the bucket let it through
	 */
	record Arrival(long nanos, boolean allowed) {

	}

}
