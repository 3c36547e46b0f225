package io.lionfuncs.autoconfigure;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.lionfuncs.autoconfigure.event.RequestStatusChangedEvent;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.client.ApiRequest;
import io.lionfuncs.testsupport.LocalWebTestClient;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The starter in a running WebFlux application calling a real local upstream: the
 * {@code lionfuncs} endpoint, meters, health and ApplicationEvents follow the work.
 */
// No Redis health check: it would try a Redis nobody runs, and the connection attempt's
// 60 s handshake timeout would later start a Lettuce thread in whatever test runs then.
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "management.endpoints.web.exposure.include=lionfuncs,health,metrics",
				"management.endpoint.health.show-details=always", "management.health.redis.enabled=false",
				"lionfuncs.executor.concurrency-limit=2",
				"lionfuncs.executor.requests-rate=5", "lionfuncs.executor.shutdown-timeout=0s" })
class LionfuncsWebIntegrationTests {

	private static final MockWebServer upstream = startUpstream();

	@LocalServerPort
	private int port;

	private WebTestClient client;

	@Autowired
	private LionfuncsClients clients;

	@Autowired
	private StatusEvents statusEvents;

	@DynamicPropertySource
	static void upstreamUrl(DynamicPropertyRegistry registry) {
		registry.add("lionfuncs.client.base-url", () -> upstream.url("/v1").toString());
	}

	private static MockWebServer startUpstream() {
		MockWebServer server = new MockWebServer();
		server.setDispatcher(new Dispatcher() {

			@Override
			public MockResponse dispatch(RecordedRequest request) {
				return new MockResponse.Builder().code(200)
					.headersDelay(400, TimeUnit.MILLISECONDS)
					.addHeader("Content-Type", "application/json")
					.body("{\"ok\":true}")
					.build();
			}

		});
		try {
			server.start();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		return server;
	}

	@BeforeEach
	void createClient() {
		this.client = LocalWebTestClient.create(this.port);
	}

	@AfterAll
	static void stopUpstream() {
		upstream.close();
	}

	@Test
	void endpointMetersHealthAndEventsFollowTheWork() {
		JsonNode idle = lionfuncs();
		JsonNode executor = idle.get("executors").get("default");
		assertThat(executor.get("running").asBoolean()).isTrue();
		assertThat(executor.get("queue").get("capacity").asInt()).isEqualTo(1000);
		assertThat(executor.get("concurrency").get("limit").asInt()).isEqualTo(2);
		assertThat(executor.get("workers").asInt()).isEqualTo(5);
		assertThat(executor.get("buckets").get("requests").get("capacity").asDouble()).isEqualTo(5.0);
		assertThat(executor.get("buckets").get("requests").get("period").asString()).isEqualTo("PT1S");
		assertThat(executor.get("buckets").has("apiTokens")).isTrue();
		assertThat(executor.get("buckets").get("apiTokens").isNull()).isTrue();
		assertThat(idle.get("clients").get("default").get("circuitBreaker").asString()).isEqualTo("CLOSED");
		assertThat(idle.get("eventHandlers").isObject()).isTrue();
		assertThat(idle.get("clients").get("default").get("baseUrl").asString()).endsWith("/v1");

		List<NetworkRequestEvent> events = Flux.range(0, 8)
			.flatMap((i) -> this.clients.submit("default", ApiRequest.get("/items/{id}", i).build()))
			.collectList()
			.block(Duration.ofSeconds(10));

		JsonNode busy = await().atMost(Duration.ofSeconds(10)).until(this::lionfuncs,
				(json) -> json.get("executors").get("default").get("inFlight").size() == 2);
		JsonNode busyExecutor = busy.get("executors").get("default");
		assertThat(busyExecutor.get("queue").get("depth").asInt()).isPositive();
		assertThat(busyExecutor.get("concurrency").get("inUse").asInt()).isEqualTo(2);
		assertThat(busyExecutor.get("buckets").get("requests").get("available").asDouble()).isLessThan(5.0);
		JsonNode inFlight = busyExecutor.get("inFlight").get(0);
		assertThat(inFlight.get("requestId").asString()).isNotEmpty();
		assertThat(inFlight.get("status").asString()).isIn("PROCESSING", "CALLING");
		assertThat(inFlight.get("method").asString()).isEqualTo("GET");
		assertThat(inFlight.get("endpointUrl").asString()).contains("/v1/items/{id}");
		assertThat(inFlight.has("apiTokens")).isTrue();
		assertThat(inFlight.has("ageMillis")).isTrue();

		events.forEach((event) -> event.completion().join());
		JsonNode done = await().atMost(Duration.ofSeconds(10)).until(this::lionfuncs,
				(json) -> json.get("executors").get("default").get("buckets").get("requests").get("available")
					.asDouble() == 5.0);
		JsonNode doneExecutor = done.get("executors").get("default");
		assertThat(doneExecutor.get("queue").get("depth").asInt()).isZero();
		assertThat(doneExecutor.get("inFlight").size()).isZero();
		assertThat(doneExecutor.get("counts").get("COMPLETED").asLong()).isEqualTo(8);
		for (String key : List.of("QUEUED", "CALLING", "FAILED", "CANCELLED", "rejected")) {
			assertThat(doneExecutor.get("counts").has(key)).as(key).isTrue();
		}

		for (NetworkRequestEvent event : events) {
			assertThat(this.statusEvents.of(event.getRequestId())).containsExactly(RequestStatus.QUEUED,
					RequestStatus.PROCESSING, RequestStatus.CALLING, RequestStatus.COMPLETED);
		}
		this.client.get()
			.uri("/actuator/lionfuncs/{id}", events.get(0).getRequestId())
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("COMPLETED");
		this.client.get().uri("/actuator/lionfuncs/{id}", "unknown").exchange().expectStatus().isNotFound();
		this.client.get()
			.uri("/actuator/metrics/lionfuncs.executor.queued")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.availableTags[0].tag")
			.isEqualTo("executor");
		this.client.get()
			.uri("/actuator/metrics/lionfuncs.requests?tag=status:COMPLETED")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.measurements[?(@.statistic == 'COUNT')].value")
			.isEqualTo(8.0);
		this.client.get()
			.uri("/actuator/health")
			.exchange()
			.expectBody()
			.jsonPath("$.components.lionfuncs.status")
			.isEqualTo("UP")
			.jsonPath("$.components.lionfuncs.details.executors.default.running")
			.isEqualTo(true)
			.jsonPath("$.components.lionfuncs.details.circuitBreakers.default")
			.isEqualTo("CLOSED");
	}

	private JsonNode lionfuncs() {
		return this.client.get()
			.uri("/actuator/lionfuncs")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(JsonNode.class)
			.returnResult()
			.getResponseBody();
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class TestApplication {

		@Bean
		StatusEvents statusEvents() {
			return new StatusEvents();
		}

	}

	static class StatusEvents implements ApplicationListener<RequestStatusChangedEvent> {

		private final Map<String, List<RequestStatus>> byRequest = new ConcurrentHashMap<>();

		@Override
		public void onApplicationEvent(RequestStatusChangedEvent event) {
			this.byRequest.computeIfAbsent(event.getRequest().requestId(), (id) -> new CopyOnWriteArrayList<>())
				.add(event.getStatus());
		}

		List<RequestStatus> of(String requestId) {
			return new ArrayList<>(this.byRequest.getOrDefault(requestId, List.of()));
		}

	}

}
