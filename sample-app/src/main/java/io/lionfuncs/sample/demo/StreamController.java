package io.lionfuncs.sample.demo;

import java.util.List;
import java.util.Map;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.client.ApiRequest;
import io.lionfuncs.network.client.ApiStream;
import io.lionfuncs.network.client.AsyncApiClient;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * {@code GET /demo/stream}: relays a streamed chat completion from the upstream to the
 * caller as server-sent events, through the default executor and client. The call waits
 * for its turn like any other, holds its concurrency slot while the answer streams (it
 * shows in the dashboard as an open stream), and its usage chunk trues up the tokens it
 * reserved. A caller that goes away cancels it: the upstream connection is closed and
 * the unused tokens go back to the bucket.
 */
@RestController
public class StreamController {

	private final Executor executor;

	private final AsyncApiClient client;

	private final DemoProperties properties;

	public StreamController(@Qualifier("default") Executor executor, @Qualifier("default") AsyncApiClient client,
			DemoProperties properties) {
		this.executor = executor;
		this.client = client;
		this.properties = properties;
	}

	/**
	 * Streams a completion.
	 * @param tokens API tokens the call reserves; the call asks for half as many
	 * completion tokens
	 * @param prompt what to ask
	 * @return the upstream's events, relayed as they arrive
	 */
	@GetMapping(path = "/demo/stream", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
	public Flux<ServerSentEvent<String>> stream(@RequestParam(defaultValue = "400") long tokens,
			@RequestParam(defaultValue = "Tell me a short story.") String prompt) {
		if (tokens < 0) {
			throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "tokens must be 0 or more but was " + tokens);
		}
		ApiRequest request = ApiRequest.post("/v1/chat/completions")
			.json(Map.of("model", this.properties.getModel(), "stream", true, "max_tokens", Math.max(1, tokens / 2),
					"messages", List.of(Map.of("role", "user", "content", prompt))))
			.build();
		return this.client.stream(this.executor, request, tokens)
			.flatMapMany(ApiStream::events)
			.map(StreamController::relayed);
	}

	private static ServerSentEvent<String> relayed(io.lionfuncs.network.client.ServerSentEvent event) {
		ServerSentEvent.Builder<String> relayed = ServerSentEvent.builder(event.data());
		if (event.event() != null) {
			relayed.event(event.event());
		}
		if (event.id() != null) {
			relayed.id(event.id());
		}
		return relayed.build();
	}

}
