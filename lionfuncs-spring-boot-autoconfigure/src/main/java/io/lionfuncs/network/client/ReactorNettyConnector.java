package io.lionfuncs.network.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import io.lionfuncs.network.connection.ConnectionTracker;
import io.netty.channel.ChannelOption;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;

/**
 * The Reactor Netty connector a client builds for itself over its connection pool (its
 * own, or one given). Kept apart so that Reactor Netty is only touched when the client
 * builds its own connector.
 * <p>
 * A pool it builds ({@link #pool}) lets requests wait for a connection, however many,
 * up to the client's timeout (a burst never fails for want of a connection), and closes a
 * connection idle for as long as the client's max idle time or the server's keep-alive
 * allows ({@link ServerKeepAlive}). The pool is built with the client; the connector,
 * whose {@link HttpClient} loads most of Reactor Netty's client, only when the client
 * first needs it.
 */
final class ReactorNettyConnector {

	private static final Duration MIN_EVICTION_INTERVAL = Duration.ofMillis(10);

	private static final int UNBOUNDED = -1;

	/** How long warm-up waits for its connection to return to the pool. */
	private static final Duration RELEASE_WAIT = Duration.ofSeconds(1);

	private final HttpClient httpClient;

	private final ClientHttpConnector connector;

	private final @Nullable WritePacer pacer;

	private ReactorNettyConnector(HttpClient httpClient, @Nullable WritePacer pacer) {
		this.httpClient = httpClient;
		ClientHttpConnector connector = new ReactorClientHttpConnector(httpClient);
		this.connector = (pacer != null) ? new PacedConnector(connector, pacer) : connector;
		this.pacer = pacer;
	}

	/**
	 * Builds a pool of the client's own.
	 * @param name the pool's name
	 * @param timeout the client's timeout: the longest time to wait for a connection
	 * @param keepAlive what the client learns of its servers' keep-alive
	 * @param tracker follows the connections, or {@code null}
	 * @param customizers customise the pool
	 * @param maxIdleTime how long a connection may stay idle, or {@code null} for no
	 * limit of the client's own
	 * @return the pool
	 */
	static ConnectionProvider pool(String name, Duration timeout, ServerKeepAlive keepAlive,
			@Nullable ConnectionTracker tracker, List<Consumer<ConnectionProvider.Builder>> customizers,
			@Nullable Duration maxIdleTime) {
		ConnectionProvider.Builder builder = ConnectionProvider.builder(name)
			.pendingAcquireMaxCount(UNBOUNDED)
			.pendingAcquireTimeout(timeout)
			.evictionPredicate(keepAlive::evict);
		if (maxIdleTime != null) {
			builder.evictInBackground(evictionInterval(maxIdleTime));
		}
		if (tracker != null) {
			tracker.instrument(builder);
		}
		customizers.forEach((customizer) -> customizer.accept(builder));
		return builder.build();
	}

	/**
	 * Builds a connector over a pool.
	 * @param pool the pool
	 * @param timeout the client's timeout: the longest time to establish a connection
	 * @param keepAlive what the client learns of its servers' keep-alive
	 * @param tracker follows the connections, or {@code null}
	 * @param httpClientCustomizers customise the Reactor Netty client, in order
	 * @param pacer paces the writes of executor tasks, or {@code null}
	 * @return the connector
	 */
	static ReactorNettyConnector create(ConnectionProvider pool, Duration timeout, ServerKeepAlive keepAlive,
			@Nullable ConnectionTracker tracker, List<UnaryOperator<HttpClient>> httpClientCustomizers,
			@Nullable WritePacer pacer) {
		HttpClient httpClient = HttpClient.create(pool)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(timeout.toMillis(), Integer.MAX_VALUE));
		httpClient = ConnectionUse.instrument(httpClient, keepAlive);
		if (tracker != null) {
			httpClient = tracker.instrument(httpClient);
		}
		for (UnaryOperator<HttpClient> customizer : httpClientCustomizers) {
			httpClient = customizer.apply(httpClient);
		}
		if (pacer != null) {
			// Last, so that it is the pipeline's head: after it comes only the socket.
			httpClient = httpClient.doOnChannelInit((observer, channel, remoteAddress) -> WriteGate.install(channel,
					pacer));
		}
		return new ReactorNettyConnector(httpClient, pacer);
	}

	/**
	 * How often the pool looks for connections idle too long: a quarter of the max idle
	 * time, so that an idle connection closes soon after it expires rather than only when
	 * the next request finds it expired.
	 */
	static Duration evictionInterval(Duration maxIdleTime) {
		Duration interval = maxIdleTime.dividedBy(4);
		return (interval.compareTo(MIN_EVICTION_INTERVAL) < 0) ? MIN_EVICTION_INTERVAL : interval;
	}

	/**
	 * Loads what the first request would otherwise wait for: Reactor Netty's event loops,
	 * host name resolver and native libraries and, when asked, one pooled connection. The
	 * {@code HEAD} request that opens it takes its turn from the pacer like any paced
	 * request: the server counts it.
	 * @param preconnect a URL whose origin to open a connection to with a {@code HEAD}
	 * request (no credentials, any status), or {@code null}
	 * @return completes when done
	 */
	Mono<Void> warmup(@Nullable URI preconnect) {
		Mono<Void> transport = this.httpClient.warmup();
		if (preconnect == null) {
			return transport;
		}
		AtomicReference<Connection> used = new AtomicReference<>();
		Mono<Void> head = this.httpClient.doOnRequest((request, connection) -> used.set(connection))
			.head()
			.uri(preconnect)
			.response((response, body) -> body)
			.then();
		WritePacer pacer = this.pacer;
		// The first request must find the connection back in the pool.
		return transport.then((pacer != null) ? Mono.defer(pacer::turn).then(head) : head)
			.then(Mono.defer(() -> ConnectionUse.released(used.get())).timeout(RELEASE_WAIT, Mono.empty()));
	}

	ClientHttpConnector connector() {
		return this.connector;
	}

}
