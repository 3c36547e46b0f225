package io.lionfuncs.reliability;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.client.ApiRequest;
import io.lionfuncs.network.client.AsyncApiClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The WebFlux application of the shutdown tests: {@code POST /burst?count=N} queues
 * {@code N} calls to the upstream through the default executor and client, waits until
 * every one is terminal and answers with how many ended in each status, the way a
 * service waiting on its calls does. Without Redis: the test class path has it, these
 * tests do not need it.
 */
@Configuration(proxyBeanMethods = false)
@EnableAutoConfiguration(excludeName = { "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration",
		"org.springframework.boot.data.redis.autoconfigure.DataRedisRepositoriesAutoConfiguration" })
@Import(ShutdownWebApplication.BurstController.class)
class ShutdownWebApplication {

	private static final JsonMapper json = JsonMapper.builder().build();

	/**
	 * Fires a burst from a client of its own (a connection of its own).
	 * @param port the application's port
	 * @param count the calls to queue
	 * @return the answer, once it came
	 */
	static CompletableFuture<Answer> burst(int port, int count) {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/burst?count=" + count))
			.POST(HttpRequest.BodyPublishers.noBody())
			.timeout(Duration.ofSeconds(60))
			.build();
		return HttpClient.newHttpClient()
			.sendAsync(request, HttpResponse.BodyHandlers.ofString())
			.thenApply((response) -> new Answer(response.statusCode(),
					(response.statusCode() == 200) ? json.readValue(response.body(), new TypeReference<>() {
					}) : Map.of(), System.nanoTime()));
	}

	/**
	 * Whether the port refuses connections: the web server no longer listens.
	 * @param port the application's port
	 * @return {@code true} once a connection attempt is refused
	 */
	static boolean refusesConnections(int port) {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
			return false;
		}
		catch (ConnectException ex) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	/**
	 * The answer to a burst.
	 * @param status the HTTP status
	 * @param statuses how many calls ended in each status (empty unless 200)
	 * @param answeredNanos when it came ({@link System#nanoTime()})
	 */
	record Answer(int status, Map<String, Long> statuses, long answeredNanos) {

		long count(RequestStatus status) {
			return this.statuses.getOrDefault(status.name(), 0L);
		}

	}

	@RestController
	static class BurstController {

		private final Executor executor;

		private final AsyncApiClient client;

		/** Every event a burst submitted. */
		final List<NetworkRequestEvent> events = new CopyOnWriteArrayList<>();

		BurstController(Executor executor, AsyncApiClient client) {
			this.executor = executor;
			this.client = client;
		}

		@PostMapping("/burst")
		Mono<Map<String, Long>> burst(@RequestParam int count) {
			List<NetworkRequestEvent> submitted = IntStream.range(0, count)
				.mapToObj((index) -> this.client.submitTask(this.executor, ApiRequest.get("/items/{id}", index).build()))
				.toList();
			this.events.addAll(submitted);
			return Flux.fromIterable(submitted)
				.flatMap(NetworkRequestEvent::toMono, count)
				.then(Mono.fromSupplier(() -> statuses(submitted)));
		}

		private static Map<String, Long> statuses(List<NetworkRequestEvent> events) {
			Map<String, Long> statuses = new TreeMap<>();
			events.forEach((event) -> statuses.merge(event.getStatus().name(), 1L, Long::sum));
			return statuses;
		}

	}

}
