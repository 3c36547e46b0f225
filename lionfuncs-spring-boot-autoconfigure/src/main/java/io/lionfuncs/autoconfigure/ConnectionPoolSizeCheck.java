package io.lionfuncs.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.client.AsyncApiClient;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Warns at start-up when an executor lets more calls be in flight
 * ({@code concurrency-limit}) than its client's pool has connections, as when
 * {@code lionfuncs.connections.max-connections} is set below it or the executor is not
 * the one the properties describe: the extra calls hold a concurrency slot while they
 * wait for a connection (the pool's pending acquires, shown in the {@code connections}
 * section of the {@code lionfuncs} endpoint), up to the client's timeout.
 *
 * @since 0.1.0
 */
class ConnectionPoolSizeCheck implements SmartInitializingSingleton {

	private static final Logger logger = LoggerFactory.getLogger(ConnectionPoolSizeCheck.class);

	private final ObjectProvider<AsyncApiClient> clients;

	private final ObjectProvider<Executor> executors;

	ConnectionPoolSizeCheck(ObjectProvider<AsyncApiClient> clients, ObjectProvider<Executor> executors) {
		this.clients = clients;
		this.executors = executors;
	}

	@Override
	public void afterSingletonsInstantiated() {
		Map<String, Executor> executors = new LinkedHashMap<>();
		this.executors.orderedStream().forEach((executor) -> executors.putIfAbsent(executor.getName(), executor));
		this.clients.orderedStream().forEach((client) -> check(client, executors.get(client.getName())));
	}

	private void check(AsyncApiClient client, @Nullable Executor executor) {
		ConnectionProvider pool = client.getConnectionProvider();
		if (executor == null || pool == null || pool.maxConnections() < 1) {
			return;
		}
		int concurrencyLimit = executor.getSettings().concurrencyLimit();
		if (concurrencyLimit > pool.maxConnections()) {
			logger.warn("Executor '{}' lets {} calls be in flight but client '{}' has {} connections per host: "
					+ "the other calls wait for a connection, up to the client's timeout, while holding a "
					+ "concurrency slot. Raise lionfuncs.connections.max-connections (or leave it unset: the pool "
					+ "then has one connection per call in flight) or lower the executor's concurrency-limit.",
					executor.getName(), concurrencyLimit, client.getName(), pool.maxConnections());
		}
	}

}
