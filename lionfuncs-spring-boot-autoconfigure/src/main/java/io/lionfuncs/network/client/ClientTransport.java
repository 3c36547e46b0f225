package io.lionfuncs.network.client;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import io.lionfuncs.network.connection.ConnectionTracker;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The WebClient a client sends through, and what it owns under it: a given WebClient
 * (its connector shared, never closed), or one built from a given builder or a new one,
 * with a given connector or a Reactor Netty connector and pool of the client's own. Every
 * WebClient the client builds or changes checks, after all other filters, that a request
 * stays on the client's origin ({@link RequestOrigin}); on its own connector it also
 * resends an exchange lost to a connection the server had closed
 * ({@link StaleConnectionRetry}), and on a connector it builds or is given it paces the
 * writes of executor tasks ({@link WritePacer}).
 * <p>
 * The settings are checked and the pool is built with the client; the WebClient (with
 * the connector, the builder it starts from and the customizers) when the client first
 * needs it: its warm-up, its first request or an accessor. It is built once, on the first
 * thread that needs it; a request meanwhile waits for it without blocking.
 */
final class ClientTransport {

	private static final Logger logger = LoggerFactory.getLogger(ClientTransport.class);

	private final String name;

	private final @Nullable URI baseUrl;

	private final @Nullable ConnectionTracker connectionTracker;

	private final @Nullable Duration maxIdleTime;

	private final @Nullable ConnectionProvider pool;

	private final boolean ownsPool;

	private final Supplier<Built> factory;

	private final AtomicReference<@Nullable CompletableFuture<Built>> building = new AtomicReference<>();

	private volatile @Nullable Built built;

	private final Mono<Void> disposal;

	private ClientTransport(DefaultAsyncApiClientBuilder settings, @Nullable ConnectionTracker connectionTracker,
			@Nullable ConnectionProvider pool, boolean ownsPool, Supplier<Built> factory) {
		this.name = settings.name;
		this.baseUrl = (settings.baseUrl != null) ? URI.create(settings.baseUrl) : null;
		this.connectionTracker = connectionTracker;
		this.maxIdleTime = settings.maxIdleTime;
		this.pool = pool;
		this.ownsPool = ownsPool;
		this.factory = factory;
		this.disposal = (pool != null && ownsPool) ? Mono.defer(() -> disposeOwnPool(pool)).cache() : Mono.empty();
	}

	/**
	 * Checks a builder's settings, builds the pool they describe and prepares the rest.
	 * @param settings the client's builder
	 * @param origin where its requests may go
	 * @return the transport
	 * @throws IllegalArgumentException if settings contradict each other
	 */
	static ClientTransport create(DefaultAsyncApiClientBuilder settings, RequestOrigin origin) {
		WebClient given = settings.webClient;
		boolean givenBuilder = settings.webClientBuilder != null || settings.webClientBuilderSupplier != null;
		boolean nettyCustomized = settings.connectionProvider != null
				|| !settings.connectionProviderCustomizers.isEmpty() || !settings.httpClientCustomizers.isEmpty();
		if (given != null && (givenBuilder || settings.connector != null || nettyCustomized)) {
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
			return new ClientTransport(settings, null, null, false, () -> new Built(given, null));
		}
		WritePacer pacer = (settings.writePacing != null && given == null) ? new WritePacer(settings.writePacing)
				: null;
		if (given != null || settings.connector != null) {
			return new ClientTransport(settings, null, null, false, builder(settings, origin, null, null, pacer));
		}
		ServerKeepAlive keepAlive = new ServerKeepAlive(settings.name, settings.maxIdleTime);
		ConnectionProvider pool = settings.connectionProvider;
		boolean ownsPool = pool == null;
		if (pool == null) {
			pool = ReactorNettyConnector.pool(settings.instanceName(), settings.timeout, keepAlive, tracker,
					settings.connectionProviderCustomizers, settings.maxIdleTime);
		}
		ConnectionProvider connectionPool = pool;
		ConnectionTracker connectionTracker = tracker;
		Duration timeout = settings.timeout;
		List<UnaryOperator<HttpClient>> httpClientCustomizers = List.copyOf(settings.httpClientCustomizers);
		Supplier<ReactorNettyConnector> connector = () -> ReactorNettyConnector.create(connectionPool, timeout,
				keepAlive, connectionTracker, httpClientCustomizers, pacer);
		return new ClientTransport(settings, tracker, pool, ownsPool,
				builder(settings, origin, connector, new StaleConnectionRetry(settings.name), pacer));
	}

	/**
	 * What builds the WebClient later, from what the settings hold now (a builder given
	 * is cloned at once, so that later changes to it do not reach the client).
	 */
	private static Supplier<Built> builder(DefaultAsyncApiClientBuilder settings, RequestOrigin origin,
			@Nullable Supplier<ReactorNettyConnector> ownConnector, @Nullable ExchangeFilterFunction staleRetry,
			@Nullable WritePacer pacer) {
		WebClient given = settings.webClient;
		WebClient.Builder givenBuilder = (settings.webClientBuilder != null) ? settings.webClientBuilder.clone() : null;
		Supplier<WebClient.@Nullable Builder> builderSupplier = settings.webClientBuilderSupplier;
		ClientHttpConnector givenConnector = settings.connector;
		String baseUrl = settings.baseUrl;
		ExchangeFilterFunction auth = settings.auth;
		List<Consumer<WebClient.Builder>> customizers = List.copyOf(settings.webClientCustomizers);
		return () -> {
			WebClient.Builder builder;
			ReactorNettyConnector own = null;
			if (given != null) {
				builder = given.mutate();
			}
			else {
				builder = start(givenBuilder, builderSupplier);
				if (givenConnector != null) {
					builder.clientConnector(
							(pacer != null) ? new PacedConnector(givenConnector, pacer) : givenConnector);
				}
				else if (ownConnector != null) {
					own = ownConnector.get();
					builder.clientConnector(own.connector());
				}
			}
			if (baseUrl != null) {
				builder.baseUrl(baseUrl);
			}
			if (auth != null) {
				builder.filter(auth);
			}
			customizers.forEach((customizer) -> customizer.accept(builder));
			if (staleRetry != null) {
				builder.filter(staleRetry);
			}
			builder.filter(origin.asFilter());
			return new Built(builder.build(), own);
		};
	}

	private static WebClient.Builder start(WebClient.@Nullable Builder given,
			@Nullable Supplier<WebClient.@Nullable Builder> supplier) {
		if (given != null) {
			return given;
		}
		WebClient.Builder supplied = (supplier != null) ? supplier.get() : null;
		return (supplied != null) ? supplied.clone() : WebClient.builder();
	}

	/**
	 * The WebClient, built on this thread if no other thread is building it; waits for
	 * one that is.
	 * @return the WebClient
	 */
	WebClient webClient() {
		Built ready = this.built;
		if (ready != null) {
			return ready.webClient();
		}
		try {
			return build().join().webClient();
		}
		catch (CompletionException ex) {
			// the build's own failure, as building on this thread would have thrown it
			if (ex.getCause() instanceof RuntimeException cause) {
				throw cause;
			}
			throw ex;
		}
	}

	/**
	 * Sends with the WebClient: at once when it is built, else once it is, without
	 * blocking on another thread's build.
	 * @param <T> the result
	 * @param send sends with the WebClient
	 * @return the result
	 */
	<T> Mono<T> withWebClient(Function<WebClient, Mono<T>> send) {
		Built ready = this.built;
		if (ready != null) {
			return send.apply(ready.webClient());
		}
		return Mono.fromFuture(build(), true).flatMap((built) -> send.apply(built.webClient()));
	}

	private CompletableFuture<Built> build() {
		CompletableFuture<Built> started = this.building.get();
		if (started != null) {
			return started;
		}
		CompletableFuture<Built> mine = new CompletableFuture<>();
		if (!this.building.compareAndSet(null, mine)) {
			return this.building.get();
		}
		try {
			Built result = this.factory.get();
			this.built = result;
			mine.complete(result);
		}
		catch (RuntimeException | Error ex) {
			mine.completeExceptionally(ex);
		}
		return mine;
	}

	/**
	 * Builds the WebClient, then warms the client's own connector up; a given WebClient
	 * or connector is left alone.
	 * @param preconnect whether to also open one pooled connection to the base URL
	 * @return completes when done
	 */
	Mono<Void> warmup(boolean preconnect) {
		return Mono.fromFuture(this::build, true).flatMap((ready) -> {
			ReactorNettyConnector connector = ready.connector();
			if (connector == null) {
				logger.debug("Client '{}': nothing to warm up, its connector was given", this.name);
				return Mono.empty();
			}
			return connector.warmup(preconnect ? this.baseUrl : null);
		});
	}

	/**
	 * Disposes the pool the client built, once.
	 * @return completes when it is disposed
	 */
	Mono<Void> disposeLater() {
		return this.disposal;
	}

	private Mono<Void> disposeOwnPool(ConnectionProvider pool) {
		if (this.connectionTracker != null) {
			this.connectionTracker.poolDisposing();
		}
		return pool.disposeLater();
	}

	@Nullable ConnectionTracker connectionTracker() {
		return this.connectionTracker;
	}

	@Nullable ConnectionProvider connectionProvider() {
		return this.pool;
	}

	@Nullable ConnectionProvider ownedConnectionProvider() {
		return this.ownsPool ? this.pool : null;
	}

	@Nullable Duration maxIdleTime() {
		return (ownedConnectionProvider() != null) ? this.maxIdleTime : null;
	}

	/**
	 * The WebClient and the connector the client built for it, if it did.
	 */
	private record Built(WebClient webClient, @Nullable ReactorNettyConnector connector) {

	}

}
