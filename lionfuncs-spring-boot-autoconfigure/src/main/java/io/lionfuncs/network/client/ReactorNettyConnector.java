package io.lionfuncs.network.client;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import io.netty.channel.ChannelOption;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;

/**
 * The Reactor Netty connector a client builds for itself, with the connection pool it
 * owns (or was given). Kept apart so that Reactor Netty is only touched when the client
 * builds its own connector.
 */
final class ReactorNettyConnector {

	private final ClientHttpConnector connector;

	private final ConnectionProvider connectionProvider;

	private final boolean ownsConnectionProvider;

	private ReactorNettyConnector(ClientHttpConnector connector, ConnectionProvider connectionProvider,
			boolean ownsConnectionProvider) {
		this.connector = connector;
		this.connectionProvider = connectionProvider;
		this.ownsConnectionProvider = ownsConnectionProvider;
	}

	/**
	 * Builds a connector.
	 * @param name the pool's name
	 * @param connectTimeout the longest time to establish a connection
	 * @param givenProvider a pool to use and leave alone, or {@code null} to build one
	 * @param providerCustomizers customise the pool this connector builds
	 * @param httpClientCustomizers customise the Reactor Netty client, in order
	 * @return the connector
	 */
	static ReactorNettyConnector create(String name, Duration connectTimeout,
			@Nullable ConnectionProvider givenProvider, List<Consumer<ConnectionProvider.Builder>> providerCustomizers,
			List<UnaryOperator<HttpClient>> httpClientCustomizers) {
		ConnectionProvider provider = givenProvider;
		if (provider == null) {
			ConnectionProvider.Builder builder = ConnectionProvider.builder(name);
			providerCustomizers.forEach((customizer) -> customizer.accept(builder));
			provider = builder.build();
		}
		HttpClient httpClient = HttpClient.create(provider)
			.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(connectTimeout.toMillis(), Integer.MAX_VALUE));
		for (UnaryOperator<HttpClient> customizer : httpClientCustomizers) {
			httpClient = customizer.apply(httpClient);
		}
		return new ReactorNettyConnector(new ReactorClientHttpConnector(httpClient), provider, givenProvider == null);
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
