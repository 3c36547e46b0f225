package io.lionfuncs.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.client.ApiRequest;
import io.lionfuncs.network.client.AsyncApiClient;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;

/**
 * The clients and executors of the application by name: {@code default} for
 * {@code lionfuncs.client} and {@code lionfuncs.executor}, and each name under
 * {@code lionfuncs.clients}. A request submitted by name goes through the client of that
 * name and the executor of that name, so it is rate-limited and tracked.
 *
 * @since 0.1.0
 */
public class LionfuncsClients {

	private final ObjectProvider<AsyncApiClient> clients;

	private final ObjectProvider<Executor> executors;

	public LionfuncsClients(ObjectProvider<AsyncApiClient> clients, ObjectProvider<Executor> executors) {
		this.clients = clients;
		this.executors = executors;
	}

	/**
	 * The names of the clients.
	 * @return the names, sorted
	 */
	public Set<String> names() {
		return new TreeSet<>(clientsByName().keySet());
	}

	/**
	 * The client of the given name.
	 * @param name the name
	 * @return the client
	 * @throws IllegalArgumentException if there is none, naming the known ones
	 */
	public AsyncApiClient client(String name) {
		AsyncApiClient client = clientsByName().get(name);
		if (client == null) {
			throw new IllegalArgumentException(
					"No lionfuncs client named '" + name + "'; known clients: " + names());
		}
		return client;
	}

	/**
	 * The executor of the given name.
	 * @param name the name
	 * @return the executor
	 * @throws IllegalArgumentException if there is none, naming the known ones
	 */
	public Executor executor(String name) {
		Map<String, Executor> byName = new LinkedHashMap<>();
		this.executors.orderedStream().forEach((executor) -> byName.putIfAbsent(executor.getName(), executor));
		Executor executor = byName.get(name);
		if (executor == null) {
			throw new IllegalArgumentException(
					"No lionfuncs executor named '" + name + "'; known executors: " + new TreeSet<>(byName.keySet()));
		}
		return executor;
	}

	/**
	 * Submits a request through the client and the executor of the given name.
	 * @param name the name
	 * @param request the request
	 * @return the request's event once queued
	 */
	public Mono<NetworkRequestEvent> submit(String name, ApiRequest request) {
		return Mono.defer(() -> client(name).submit(executor(name), request));
	}

	private Map<String, AsyncApiClient> clientsByName() {
		Map<String, AsyncApiClient> byName = new LinkedHashMap<>();
		this.clients.orderedStream().forEach((client) -> byName.putIfAbsent(client.getName(), client));
		return byName;
	}

}
