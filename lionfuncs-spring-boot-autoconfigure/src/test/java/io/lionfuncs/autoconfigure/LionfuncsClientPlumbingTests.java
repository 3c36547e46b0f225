package io.lionfuncs.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.client.ApiRequest;
import io.lionfuncs.network.client.AsyncApiClient;
import io.lionfuncs.testsupport.KeepAliveServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * The auto-configured client and executor, with default settings, lose no call to their
 * own plumbing against real servers: not to the connection pool at a concurrency limit
 * of 64, not to a server that closes connections idle for a second.
 */
@Timeout(120)
class LionfuncsClientPlumbingTests {

	private static final Logger logger = LoggerFactory.getLogger(LionfuncsClientPlumbingTests.class);

	private static final Duration KEEP_ALIVE = Duration.ofSeconds(1);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ClientAutoConfigurations.ALL)
		.withPropertyValues("lionfuncs.executor.shutdown-timeout=0s");

	@Test
	void anExecutorAtConcurrency64LosesNoCallToTheConnectionPool() {
		AtomicInteger inFlight = new AtomicInteger();
		AtomicInteger mostInFlight = new AtomicInteger();
		LoopResources loops = LoopResources.create("plumbing-server", 1, true);
		DisposableServer server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.runOn(loops)
			.handle((request, response) -> {
				mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
				return request.receive()
					.then(Mono.delay(Duration.ofMillis(50)))
					.then(Mono.fromRunnable(inFlight::decrementAndGet))
					.then(response.sendString(Mono.just("ok")).then());
			})
			.bindNow();
		try {
			this.contextRunner
				.withPropertyValues("lionfuncs.client.base-url=http://127.0.0.1:" + server.port(),
						"lionfuncs.executor.concurrency-limit=64", "lionfuncs.executor.requests-rate=100000",
						"lionfuncs.executor.queue-capacity=1000")
				.run((context) -> {
					Executor executor = context.getBean(Executor.class);
					AsyncApiClient client = context.getBean(AsyncApiClient.class);
					List<NetworkRequestEvent> events = Flux.range(0, 640)
						.map((i) -> client.submitTask(executor, ApiRequest.post("/items/{i}", i).json("{}").build()))
						.collectList()
						.block(Duration.ofSeconds(30));
					Map<String, Integer> outcomes = new TreeMap<>();
					for (NetworkRequestEvent event : events) {
						event.completion().get(60, TimeUnit.SECONDS);
						outcomes.merge((event.getStatus() == RequestStatus.COMPLETED) ? "ok"
								: event.getErrorType() + ": " + event.getErrorMessage(), 1, Integer::sum);
					}
					assertThat(outcomes).containsExactly(entry("ok", 640));
					assertThat(mostInFlight.get()).as("the executor's 64 calls ran at once").isGreaterThan(16);
				});
		}
		finally {
			server.disposeNow();
			loops.disposeLater().block(Duration.ofSeconds(10));
		}
	}

	@Test
	void theAutoConfiguredClientLosesNoRequestToAOneSecondKeepAlive() {
		try (KeepAliveServer announcing = KeepAliveServer.start(KEEP_ALIVE, true);
				KeepAliveServer silent = KeepAliveServer.start(KEEP_ALIVE, false)) {
			this.contextRunner
				.withPropertyValues("lionfuncs.client.base-url=" + announcing.baseUrl(),
						"lionfuncs.clients.silent.base-url=" + silent.baseUrl())
				.run((context) -> {
					LionfuncsClients clients = context.getBean(LionfuncsClients.class);
					AsyncApiClient toAnnouncing = clients.client("default");
					AsyncApiClient toSilent = clients.client("silent");
					Map<String, Integer> outcomes = KeepAliveServer.spacedAround(KEEP_ALIVE, 24, 10,
							(loop, round, post) -> {
								// Half the loops call each server; the silent one gets GETs
								// only until it has been seen to close connections.
								boolean silentServer = loop % 2 == 0;
								AsyncApiClient client = silentServer ? toSilent : toAnnouncing;
								boolean sendPost = post && (!silentServer || round >= 3);
								return sendPost ? client.request(ApiRequest.post("/items").json(Map.of("n", 1)).build())
										: client.request("GET", "/items");
							});
					logger.info("Auto-configured client: {} and {} requests, outcomes {}", announcing.requests(),
							silent.requests(), outcomes);
					assertThat(outcomes).containsExactly(entry("ok", 240));
				});
		}
	}

}
