package io.lionfuncs.sample.demo;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.TaskRejectedException;
import io.lionfuncs.network.client.ApiRequest;
import io.lionfuncs.network.client.AsyncApiClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code POST /demo/burst}: submits a burst of chat calls through the default executor
 * and client, waits until every call is terminal and reports what happened. All calls
 * are queued at once, so the executor's limits (not this controller) decide when each
 * one leaves.
 */
@RestController
public class BurstController {

	/** The most calls one burst may submit. */
	static final int MAX_COUNT = 1000;

	/**
	 * The paths a burst may call: the upstream's API under {@code /v1/}, segments of
	 * unreserved characters only. No query, fragment, percent-encoding, template variable,
	 * backslash or dot segment, so nothing else of the upstream (such as its admin
	 * resource) can be reached through the demo.
	 */
	private static final Pattern API_PATH = Pattern.compile("/v1(/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+");

	private final Executor executor;

	private final AsyncApiClient client;

	private final DemoProperties properties;

	public BurstController(@Qualifier("default") Executor executor, @Qualifier("default") AsyncApiClient client,
			DemoProperties properties) {
		this.executor = executor;
		this.client = client;
		this.properties = properties;
	}

	/**
	 * Fires a burst.
	 * @param count calls to submit, 1 to {@value #MAX_COUNT}
	 * @param tokens API tokens each call reserves; the call asks for half as many
	 * completion tokens
	 * @param path the path called, relative to {@code lionfuncs.client.base-url}: an API
	 * path under {@code /v1/}
	 * @return what happened to the calls
	 */
	@PostMapping("/demo/burst")
	public Mono<BurstResult> burst(@RequestParam(defaultValue = "50") int count,
			@RequestParam(defaultValue = "400") long tokens,
			@RequestParam(defaultValue = "/v1/chat/completions") String path) {
		if (count < 1 || count > MAX_COUNT) {
			throw badRequest("count must be between 1 and " + MAX_COUNT + " but was " + count);
		}
		if (tokens < 0) {
			throw badRequest("tokens must be 0 or more but was " + tokens);
		}
		if (!path.startsWith("/") || path.contains("://")) {
			// Only paths below the configured base URL: the demo is not a proxy.
			throw badRequest("path must be a path starting with '/' below lionfuncs.client.base-url");
		}
		if (!API_PATH.matcher(path).matches()) {
			throw badRequest("path must be an API path under /v1/ such as /v1/chat/completions: segments of "
					+ "letters, digits, '-', '_', '~' and '.', none starting with '.'");
		}
		long started = System.nanoTime();
		return Flux.range(0, count)
			.concatMap((index) -> submit(index, tokens, path))
			.collectList()
			.flatMap((events) -> Flux.fromIterable(events)
				.flatMap(NetworkRequestEvent::toMono, events.size())
				.then(Mono.fromSupplier(() -> result(events, Duration.ofNanos(System.nanoTime() - started)))));
	}

	private Mono<NetworkRequestEvent> submit(int index, long tokens, String path) {
		ApiRequest request = ApiRequest.post(path)
			.json(Map.of("model", this.properties.getModel(), "max_tokens", Math.max(1, tokens / 2), "messages",
					List.of(Map.of("role", "user", "content", "Burst call " + index + ": say something short."))))
			.build();
		// A rejected submission still has an event (CANCELLED): report it, do not drop it.
		return this.executor.submit(this.client.task(request).numApiTokensNeeded(tokens).build())
			.onErrorResume(TaskRejectedException.class,
					(ex) -> (ex.getEvent() != null) ? Mono.just(ex.getEvent()) : Mono.error(ex));
	}

	private static BurstResult result(List<NetworkRequestEvent> events, Duration elapsed) {
		Map<String, Long> statuses = new TreeMap<>();
		for (RequestStatus status : List.of(RequestStatus.COMPLETED, RequestStatus.FAILED, RequestStatus.CANCELLED)) {
			statuses.put(status.name(), 0L);
		}
		Map<String, Long> httpStatus = new TreeMap<>();
		for (NetworkRequestEvent event : events) {
			statuses.merge(event.getStatus().name(), 1L, Long::sum);
			Integer code = event.getResponseStatusCode();
			httpStatus.merge((code != null) ? code.toString() : "none", 1L, Long::sum);
		}
		return new BurstResult(events.size(), statuses, httpStatus, elapsed.toMillis());
	}

	private static ResponseStatusException badRequest(String reason) {
		return new ResponseStatusException(HttpStatus.BAD_REQUEST, reason);
	}

}
