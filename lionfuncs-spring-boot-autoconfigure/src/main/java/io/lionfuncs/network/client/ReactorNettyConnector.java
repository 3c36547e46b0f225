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
 * The Reactor Netty connector a client builds for itself, with the connection pool it
 * owns (or was given). Kept apart so that Reactor Netty is only touched when the client
 * builds its own connector.
 * <p>
 * A pool it builds lets requests wait for a connection, however many, up to the
 * client's timeout (a burst never fails for want of a connection), and closes a
 * connection idle for as long as the client's max idle time or the server's keep-alive
 * allows ({@link ServerKeepAlive}).
 */
final class ReactorNettyConnector {

	private static final Duration MIN_EVICTION_INTERVAL = Duration.ofMillis(10);

	private static final int UNBOUNDED = -1;

	/** How long warm-up waits for its connection to return to the pool. */
	private static final Duration RELEASE_WAIT = Duration.ofSeconds(1);

	private final HttpClient httpClient;

	private final ClientHttpConnector connector;

	private final ConnectionProvider connectionProvider;

	private final boolean ownsConnectionProvider;

	private ReactorNettyConnector(HttpClient httpClient, ConnectionProvider connectionProvider,
			boolean ownsConnectionProvider) {
		this.httpClient = httpClient;
		this.connector = new ReactorClientHttpConnector(httpClient);
		this.connectionProvider = connectionProvider;
		this.ownsConnectionProvider = ownsConnectionProvider;
	}

	/**
	 * Builds a connector.
	 * @param name the pool's name
	 * @param timeout the client's timeout: the longest time to establish a connection or
	 * to wait for one from the pool
	 * @param keepAlive what the client learns of its servers' keep-alive
	 * @param tracker follows the connections, or {@code null}
	 * @param givenProvider a pool to use and leave alone, or {@code null} to build one
	 * @param providerCustomizers customise the pool this connector builds
	 * @param httpClientCustomizers customise the Reactor Netty client, in order
	 * @param maxIdleTime how long a connection of a pool this connector builds may stay
	 * idle, or {@code null} for no limit of the client's own
	 * @return the connector
	 */
	static ReactorNettyConnector create(String name, Duration timeout, ServerKeepAlive keepAlive,
			@Nullable ConnectionTracker tracker, @Nullable ConnectionProvider givenProvider,
			List<Consumer<ConnectionProvider.Builder>> providerCustomizers,
			List<UnaryOperator<HttpClient>> httpClientCustomizers, @Nullable Duration maxIdleTime) {
		ConnectionProvider provider = givenProvider;
		if (provider == null) {
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
			providerCustomizers.forEach((customizer) -> customizer.accept(builder));
			provider = builder.build();
		}
		HttpClient httpClient = HttpClient.create(provider)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(timeout.toMillis(), Integer.MAX_VALUE));
		httpClient = ConnectionUse.instrument(httpClient, keepAlive);
		if (tracker != null) {
			httpClient = tracker.instrument(httpClient);
		}
		for (UnaryOperator<HttpClient> customizer : httpClientCustomizers) {
			httpClient = customizer.apply(httpClient);
		}
		return new ReactorNettyConnector(httpClient, provider, givenProvider == null);
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
	 * host name resolver and native libraries and, when asked, one pooled connection.
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
		// The first request must find the connection back in the pool.
		return transport.then(head)
			.then(Mono.defer(() -> ConnectionUse.released(used.get())).timeout(RELEASE_WAIT, Mono.empty()));
	}

	ClientHttpConnector connector() {
		return this.connector;
	}

	ConnectionProvider connectionProvider() {
		return this.connectionProvider;
	}

	boolean ownsConnectionProvider() {
		return this.ownsConnectionProvider;
	}

	/**
	 * Disposes the pool if this connector built it; a given pool is left alone.
	 * @return completes when the owned pool is disposed
	 */
	Mono<Void> disposeLater() {
		return this.ownsConnectionProvider ? this.connectionProvider.disposeLater() : Mono.empty();
	}

}
