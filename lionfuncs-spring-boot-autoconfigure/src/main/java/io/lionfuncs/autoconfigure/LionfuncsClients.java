package io.lionfuncs.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.client.ApiRequest;
import io.lionfuncs.network.client.ApiStream;
import io.lionfuncs.network.client.AsyncApiClient;
import io.lionfuncs.network.client.ServerSentEvent;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.ObjectProvider;

/**
 * The clients and executors of the application by name: {@code default} for
 * {@code lionfuncs.client} (present when {@code lionfuncs.client.base-url} is set) and
 * {@code lionfuncs.executor}, and each name under {@code lionfuncs.clients}. A request
 * sent by name goes through the client of that name and the executor of that name, so it
 * is rate-limited and tracked.
 * <p>
 * {@link #request(String, ApiRequest)} gives the response body, or fails with the call's
 * own exception ({@code RateLimitException}, {@code ServerException},
 * {@code ApiConnectionException}, ...); {@link #submit(String, ApiRequest)} gives the
 * request's {@link NetworkRequestEvent}; {@link #stream(String, ApiRequest, long)} streams
 * a response, holding the executor's slot until it ends.
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
		Map<String, AsyncApiClient> byName = clientsByName();
		AsyncApiClient client = byName.get(name);
		if (client == null) {
			Set<String> known = new TreeSet<>(byName.keySet());
			if (AsyncApiClient.DEFAULT_NAME.equals(name)) {
				throw new IllegalArgumentException("No default lionfuncs client: set lionfuncs.client.base-url to "
						+ "configure it, or name one of the clients under lionfuncs.clients: " + known);
			}
			throw new IllegalArgumentException("No lionfuncs client named '" + name + "'; known clients: " + known);
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

	/**
	 * Sends a request through the default client and executor; see
	 * {@link #request(String, ApiRequest, long)}.
	 * @param request the request
	 * @return the response body
	 */
	public Mono<Object> request(ApiRequest request) {
		return request(AsyncApiClient.DEFAULT_NAME, request, 0);
	}

	/**
	 * Sends a request through the client and the executor of the given name; see
	 * {@link #request(String, ApiRequest, long)}.
	 * @param name the name
	 * @param request the request
	 * @return the response body
	 */
	public Mono<Object> request(String name, ApiRequest request) {
		return request(name, request, 0);
	}

	/**
	 * Sends a request through the client and the executor of the given name, reserving
	 * API tokens for it, and gives its response body: JSON as a Jackson {@code JsonNode},
	 * text as a {@code String}, nothing for a response without a body. A call that fails
	 * fails the {@link Mono} with its own exception, an
	 * {@link io.lionfuncs.network.client.ApiClientException} subtype
	 * ({@code RateLimitException}, {@code ServerException}, {@code ApiConnectionException},
	 * ...) once the client has retried what it may; a cancelled request fails it with a
	 * {@link java.util.concurrent.CancellationException}, and a request the executor
	 * refuses with a {@link io.lionfuncs.network.TaskRejectedException}. Cancelling the
	 * subscription (the caller went away) cancels the request and gives back its tokens.
	 * @param name the name of the client and executor
	 * @param request the request
	 * @param numApiTokensNeeded the API tokens to reserve, an estimate (the executor
	 * trues it up from the response's usage)
	 * @return the response body
	 * @throws IllegalArgumentException (through the mono) when there is no client or
	 * executor of that name
	 */
	public Mono<Object> request(String name, ApiRequest request, long numApiTokensNeeded) {
		return Mono.defer(() -> {
			AsyncApiClient client = client(name);
			Executor executor = executor(name);
			return executor.submit(client.task(request).numApiTokensNeeded(numApiTokensNeeded).build());
		}).flatMap((event) -> event.toBodyMono().doOnCancel(event::cancel));
	}

	/**
	 * Streams a request through the client and the executor of the given name: the call
	 * waits for its lease like any other, holds its slot until the stream ends, and its
	 * usage trues up the reservation; see
	 * {@link AsyncApiClient#stream(Executor, ApiRequest, long)}. Cancelling the
	 * subscription (the caller went away) closes the stream and gives back what it did not
	 * use.
	 * @param name the name of the client and executor
	 * @param request the request
	 * @param numApiTokensNeeded the API tokens to reserve, an estimate
	 * @return the stream's events
	 */
	public Flux<ServerSentEvent> stream(String name, ApiRequest request, long numApiTokensNeeded) {
		return Mono.defer(() -> client(name).stream(executor(name), request, numApiTokensNeeded))
			.flatMapMany(ApiStream::events);
	}

	/**
	 * Streams a request like {@link #stream(String, ApiRequest, long)}, giving the data
	 * of its events as JSON up to OpenAI's {@code [DONE]}.
	 * @param name the name of the client and executor
	 * @param request the request
	 * @param numApiTokensNeeded the API tokens to reserve, an estimate
	 * @return the JSON payloads
	 */
	public Flux<JsonNode> streamJson(String name, ApiRequest request, long numApiTokensNeeded) {
		return Mono.defer(() -> client(name).stream(executor(name), request, numApiTokensNeeded))
			.flatMapMany(ApiStream::json);
	}

	private Map<String, AsyncApiClient> clientsByName() {
		Map<String, AsyncApiClient> byName = new LinkedHashMap<>();
		this.clients.orderedStream().forEach((client) -> byName.putIfAbsent(client.getName(), client));
		return byName;
	}

}
