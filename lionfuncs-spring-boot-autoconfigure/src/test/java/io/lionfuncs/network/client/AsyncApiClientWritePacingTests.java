package io.lionfuncs.network.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.limit.BucketSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link AsyncApiClient.Builder#writePacing}: the requests of executor tasks
 * reach the server only at their turn in a bucket of the executor's shape, retries
 * included, while direct requests pass; a request that stops waiting takes no turn.
 * The bucket here holds one write and refills one a day, so a write beyond it never
 * gets its turn within a test.
 */
class AsyncApiClientWritePacingTests {

	private static final Duration BLOCK = Duration.ofSeconds(10);

	private static final BucketSettings ONE_A_DAY = new BucketSettings(1, 1, Duration.ofDays(1));

	private final List<String> received = new CopyOnWriteArrayList<>();

	private final AtomicInteger failuresLeft = new AtomicInteger();

	private DisposableServer server;

	private Executor executor;

	private final List<AsyncApiClient> clients = new ArrayList<>();

	@BeforeEach
	void start() {
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.handle((request, response) -> {
				this.received.add(request.method() + " " + request.uri());
				int status = (this.failuresLeft.getAndDecrement() > 0) ? 503 : 200;
				return request.receive()
					.then()
					.then(Mono.defer(() -> response.status(status)
						.header("Content-Type", "text/plain")
						.sendString(Mono.just("ok"))
						.then()));
			})
			.bindNow();
		// The executor lets every call leave at once: only the pacer holds them.
		this.executor = new Executor(ExecutorSettings.builder().requestsRate(1000).concurrencyLimit(10).build());
		this.executor.start();
	}

	@AfterEach
	void stop() {
		this.executor.stop(false);
		this.clients.forEach(AsyncApiClient::close);
		this.server.disposeNow();
	}

	private AsyncApiClient client(UnaryOperator<AsyncApiClient.Builder> settings) {
		AsyncApiClient client = settings.apply(AsyncApiClient.builder()
			.baseUrl("http://127.0.0.1:" + this.server.port())
			.writePacing(ONE_A_DAY)).build();
		this.clients.add(client);
		return client;
	}

	private List<NetworkRequestEvent> submit(AsyncApiClient client, int count) {
		List<NetworkRequestEvent> events = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			events.add(client.submitTask(this.executor, ApiRequest.get("/items/{id}", i).build()));
		}
		return events;
	}

	@Test
	void tasksBeyondTheBucketWaitAtTheirConnectionWhileDirectRequestsPass() {
		List<Boolean> gated = new CopyOnWriteArrayList<>();
		assertPacedAndDirect(client((builder) -> builder.httpClientCustomizer((httpClient) -> httpClient
			.doOnConnected((connection) -> gated.add(connection.channel().pipeline().get(WriteGate.HANDLER_NAME)
					== connection.channel().pipeline().first())))));
		assertThat(gated).as("a gate at the head of every connection's pipeline").isNotEmpty().containsOnly(true);
	}

	@Test
	void aGivenConnectorIsPacedToo() {
		assertPacedAndDirect(client((builder) -> builder.connector(new ReactorClientHttpConnector())));
	}

	private void assertPacedAndDirect(AsyncApiClient client) {
		List<NetworkRequestEvent> tasks = submit(client, 3);
		// Whichever is written first takes the bucket's one write.
		await().atMost(BLOCK).until(() -> count(tasks, RequestStatus.COMPLETED) == 1);

		// A direct request sent after the held ones is answered, and nothing else arrives.
		assertThat(client.request("GET", "/direct").block(BLOCK)).isEqualTo("ok");
		assertThat(this.received).hasSize(2).endsWith("GET /direct");
		assertThat(count(tasks, RequestStatus.CALLING)).isEqualTo(2);

		tasks.forEach(NetworkRequestEvent::cancel);
		await().atMost(BLOCK).until(() -> tasks.stream().allMatch(NetworkRequestEvent::isTerminal));
		assertThat(count(tasks, RequestStatus.CANCELLED)).isEqualTo(2);
		assertThat(this.received).hasSize(2);
	}

	private static long count(List<NetworkRequestEvent> events, RequestStatus status) {
		return events.stream().filter((event) -> event.getStatus() == status).count();
	}

	@Test
	void aRetryIsAWriteOfItsOwnAndWaitsForItsTurn() {
		this.failuresLeft.set(1);
		AsyncApiClient client = client((builder) -> builder
			.retry(RetrySettings.builder().maxRetries(3).baseDelay(Duration.ofMillis(1)).jitter(false).build()));

		NetworkRequestEvent event = submit(client, 1).get(0);
		await().atMost(BLOCK).until(() -> this.received.size() == 1);
		// The retry is due at once, but the bucket's one write went to the first attempt.
		assertThat(client.request("GET", "/direct").block(BLOCK)).isEqualTo("ok");
		assertThat(this.received).containsExactly("GET /items/0", "GET /direct");
		assertThat(event.getStatus()).isEqualTo(RequestStatus.CALLING);
		event.cancel();
	}

	@Test
	void aWriteThatTimesOutWaitingGivesUpItsPlace() {
		AsyncApiClient client = client((builder) -> builder.timeout(Duration.ofMillis(300)));
		List<NetworkRequestEvent> tasks = submit(client, 2);

		await().atMost(BLOCK).until(() -> tasks.stream().allMatch(NetworkRequestEvent::isTerminal));
		assertThat(count(tasks, RequestStatus.COMPLETED)).isEqualTo(1);
		assertThat(tasks).filteredOn((event) -> event.getStatus() == RequestStatus.FAILED)
			.singleElement()
			.satisfies((event) -> assertThat(event.getError()).isInstanceOf(ApiTimeoutException.class));
		assertThat(this.received).hasSize(1);
	}

	@Test
	void withoutPacingTasksAreSentAsTheExecutorLetsThemLeave() {
		AsyncApiClient client = client((builder) -> builder.writePacing(null));
		List<NetworkRequestEvent> tasks = submit(client, 3);

		await().atMost(BLOCK).until(() -> tasks.stream().allMatch(NetworkRequestEvent::isTerminal));
		assertThat(tasks).allSatisfy((event) -> assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED));
		assertThat(this.received).hasSize(3);
	}

}
