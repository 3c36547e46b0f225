package io.lionfuncs.network.client;

import java.net.URI;
import java.time.Duration;

import io.lionfuncs.network.connection.ConnectionTracker;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.web.reactive.function.client.WebClient;

/**
 * The WebClient a client sends through, and what it owns under it: a given WebClient
 * (its connector shared, never closed), or one built from a given builder or a new one,
 * with a given connector or a Reactor Netty connector and pool of the client's own. Every
 * WebClient the client builds or changes checks, after all other filters, that a request
 * stays on the client's origin ({@link RequestOrigin}); on its own connector it also
 * resends an exchange lost to a connection the server had closed
 * ({@link StaleConnectionRetry}).
 */
final class ClientTransport {

	private static final Logger logger = LoggerFactory.getLogger(ClientTransport.class);

	private final String name;

	private final WebClient webClient;

	private final @Nullable ReactorNettyConnector ownConnector;

	private final @Nullable ConnectionTracker connectionTracker;

	private final @Nullable Duration maxIdleTime;

	private final @Nullable URI baseUrl;

	private final Mono<Void> disposal;

	private ClientTransport(DefaultAsyncApiClientBuilder settings, WebClient webClient,
			@Nullable ReactorNettyConnector ownConnector, @Nullable ConnectionTracker connectionTracker) {
		this.name = settings.name;
		this.webClient = webClient;
		this.ownConnector = ownConnector;
		this.connectionTracker = connectionTracker;
		this.maxIdleTime = settings.maxIdleTime;
		this.baseUrl = (settings.baseUrl != null) ? URI.create(settings.baseUrl) : null;
		this.disposal = (ownConnector != null) ? Mono.defer(() -> disposeOwnPool(ownConnector)).cache() : Mono.empty();
	}

	/**
	 * Builds the transport a builder describes.
	 * @param settings the client's builder
	 * @param origin where its requests may go
	 * @return the transport
	 * @throws IllegalArgumentException if settings contradict each other
	 */
	static ClientTransport create(DefaultAsyncApiClientBuilder settings, RequestOrigin origin) {
		WebClient given = settings.webClient;
		boolean nettyCustomized = settings.connectionProvider != null
				|| !settings.connectionProviderCustomizers.isEmpty() || !settings.httpClientCustomizers.isEmpty();
		if (given != null && (settings.webClientBuilder != null || settings.connector != null || nettyCustomized)) {
			throw new IllegalArgumentException("A given WebClient keeps its own connector: do not also set "
					+ "webClientBuilder, connector, connectionProvider or Reactor Netty customizers");
		}
		if (settings.connector != null && nettyCustomized) {
			throw new IllegalArgumentException("A given connector is used as it is: do not also set "
					+ "connectionProvider or Reactor Netty customizers");
		}
		if (settings.connectionProvider != null && !settings.connectionProviderCustomizers.isEmpty()) {
			throw new IllegalArgumentException(
					"connectionProviderCustomizer applies to a pool the client builds, not to a given connectionProvider");
		}
		ConnectionTracker tracker = settings.connectionTracker;
		if (tracker != null && !tracker.getClientName().equals(settings.name)) {
			throw new IllegalArgumentException("connectionTracker is named '" + tracker.getClientName()
					+ "' but the client '" + settings.name + "': build it with ConnectionTracker.builder(\""
					+ settings.name + "\")");
		}
		if (tracker != null && (given != null || settings.connector != null)) {
			logger.warn("Client '{}': no connection events, the client uses a given {} whose connections it "
					+ "cannot see", settings.name, (given != null) ? "WebClient" : "connector");
			tracker = null;
		}
		if (given != null && settings.baseUrl == null && settings.auth == null
				&& settings.webClientCustomizers.isEmpty()) {
			return new ClientTransport(settings, given, null, null);
		}
		WebClient.Builder builder;
		ReactorNettyConnector own = null;
		if (given != null) {
			builder = given.mutate();
		}
		else {
			builder = (settings.webClientBuilder != null) ? settings.webClientBuilder.clone() : WebClient.builder();
			if (settings.connector != null) {
				builder.clientConnector(settings.connector);
			}
			else {
				ServerKeepAlive keepAlive = new ServerKeepAlive(settings.name, settings.maxIdleTime);
				own = ReactorNettyConnector.create(settings.instanceName(), settings.timeout, keepAlive, tracker,
						settings.connectionProvider, settings.connectionProviderCustomizers,
						settings.httpClientCustomizers, settings.maxIdleTime);
				builder.clientConnector(own.connector());
			}
		}
		if (settings.baseUrl != null) {
			builder.baseUrl(settings.baseUrl);
		}
		if (settings.auth != null) {
			builder.filter(settings.auth);
		}
		settings.webClientCustomizers.forEach((customizer) -> customizer.accept(builder));
		if (own != null) {
			builder.filter(new StaleConnectionRetry(settings.name));
		}
		builder.filter(origin.asFilter());
		return new ClientTransport(settings, builder.build(), own, (own != null) ? tracker : null);
	}

	WebClient webClient() {
		return this.webClient;
	}

	/**
	 * Warms the client's own connector up; a given WebClient or connector is left alone.
	 * @param preconnect whether to also open one pooled connection to the base URL
	 * @return completes when done
	 */
	Mono<Void> warmup(boolean preconnect) {
		ReactorNettyConnector connector = this.ownConnector;
		if (connector == null) {
			logger.debug("Client '{}': nothing to warm up, its connector was given", this.name);
			return Mono.empty();
		}
		return connector.warmup(preconnect ? this.baseUrl : null);
	}

	/**
	 * Disposes the pool the client built, once.
	 * @return completes when it is disposed
	 */
	Mono<Void> disposeLater() {
		return this.disposal;
	}

	private Mono<Void> disposeOwnPool(ReactorNettyConnector connector) {
		if (this.connectionTracker != null && connector.ownsConnectionProvider()) {
			this.connectionTracker.poolDisposing();
		}
		return connector.disposeLater();
	}

	@Nullable ConnectionTracker connectionTracker() {
		return this.connectionTracker;
	}

	@Nullable ConnectionProvider connectionProvider() {
		ReactorNettyConnector connector = this.ownConnector;
		return (connector != null) ? connector.connectionProvider() : null;
	}

	@Nullable ConnectionProvider ownedConnectionProvider() {
		ReactorNettyConnector connector = this.ownConnector;
		return (connector != null && connector.ownsConnectionProvider()) ? connector.connectionProvider() : null;
	}

	@Nullable Duration maxIdleTime() {
		return (ownedConnectionProvider() != null) ? this.maxIdleTime : null;
	}

}
