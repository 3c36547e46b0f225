package io.lionfuncs.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.client.AsyncApiClient;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.SmartLifecycle;

/**
 * Warms every client up in the background once the application has started, and holds
 * the first dispatch of the client's executor (the one of the same name) until then, so
 * that its first calls are neither slowed by the transport's set-up nor sent together
 * when it ends.
 * <p>
 * The holds are set once the singletons exist, before the executors start; the warm-ups
 * run after everything else has started (the web server included, which may be the
 * client's own upstream), off the main thread: a client builds its WebClient (from Spring
 * Boot's builder), prepares Reactor Netty's event loops, resolver and codecs and, when
 * {@code lionfuncs.connections.preconnect} is on, opens a connection to its base URL.
 * A warm-up that fails is logged and the executor goes on; one that takes longer than
 * {@link #MAX_HOLD} is not waited for.
 *
 * @since 0.1.0
 */
class ClientsWarmup implements SmartInitializingSingleton, SmartLifecycle {

	/** The longest an executor's first dispatch waits for its client's warm-up. */
	static final Duration MAX_HOLD = Duration.ofSeconds(5);

	private static final Logger logger = LoggerFactory.getLogger(ClientsWarmup.class);

	private final ObjectProvider<AsyncApiClient> clients;

	private final ObjectProvider<Executor> executors;

	private final boolean preconnect;

	private final Map<AsyncApiClient, CompletableFuture<Void>> pending = new LinkedHashMap<>();

	private final List<Disposable> running = new ArrayList<>();

	private volatile boolean started;

	ClientsWarmup(ObjectProvider<AsyncApiClient> clients, ObjectProvider<Executor> executors, boolean preconnect) {
		this.clients = clients;
		this.executors = executors;
		this.preconnect = preconnect;
	}

	@Override
	public void afterSingletonsInstantiated() {
		Map<String, Executor> executors = new LinkedHashMap<>();
		this.executors.orderedStream().forEach((executor) -> executors.putIfAbsent(executor.getName(), executor));
		synchronized (this.pending) {
			this.clients.orderedStream().forEach((client) -> {
				CompletableFuture<Void> warm = new CompletableFuture<>();
				this.pending.putIfAbsent(client, warm);
				Executor executor = executors.get(client.getName());
				if (executor != null) {
					executor.holdDispatchUntil(warm, MAX_HOLD);
				}
			});
		}
	}

	@Override
	public void start() {
		synchronized (this.pending) {
			this.started = true;
			this.pending.forEach((client, warm) -> this.running.add(warmUp(client)
				.subscribeOn(Schedulers.boundedElastic())
				.doFinally((signal) -> warm.complete(null))
				.subscribe()));
			this.pending.clear();
		}
	}

	private Mono<Void> warmUp(AsyncApiClient client) {
		long started = System.nanoTime();
		Mono<Void> transport = client.warmup()
			.doOnError((ex) -> log(client, "could not prepare its transport", ex, true))
			.onErrorComplete();
		Mono<Void> connection = Mono.defer(() -> this.preconnect && client.getBaseUrl() != null
				? client.warmup(true)
					.timeout(client.getTimeout())
					.doOnError((ex) -> log(client, "could not connect to its base URL", ex, false))
					.onErrorComplete()
				: Mono.empty());
		return transport.then(connection)
			.doOnSuccess((ignored) -> logger.debug("Client '{}' warmed up in {} ms", client.getName(),
					(System.nanoTime() - started) / 1_000_000));
	}

	private void log(AsyncApiClient client, String what, Throwable ex, boolean unexpected) {
		if (!this.started) {
			// the application is stopping: whatever the warm-up met, it no longer matters
			logger.debug("Client '{}' {} at start-up", client.getName(), what, ex);
		}
		else if (unexpected) {
			logger.warn("Client '{}' {} at start-up", client.getName(), what, ex);
		}
		else {
			logger.info("Client '{}' {} at start-up ({}); its first call connects when made", client.getName(), what,
					message(ex));
		}
	}

	private static @Nullable String message(Throwable ex) {
		Throwable cause = ex;
		while (cause.getCause() != null && cause.getCause() != cause) {
			cause = cause.getCause();
		}
		return (cause.getMessage() != null) ? cause.getMessage() : cause.getClass().getSimpleName();
	}

	@Override
	public void stop() {
		synchronized (this.pending) {
			this.started = false;
			this.running.forEach(Disposable::dispose);
			this.running.clear();
		}
	}

	@Override
	public boolean isRunning() {
		return this.started;
	}

	/**
	 * Starts after everything else, the web server included; stops first.
	 * @return {@link SmartLifecycle#DEFAULT_PHASE}
	 */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE;
	}

}
