package io.lionfuncs.intercept;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.lionfuncs.autoconfigure.LionfuncsClients;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.RequestStatusListener;
import io.lionfuncs.network.client.ApiRequest;
import io.lionfuncs.testsupport.LocalWebTestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A WebFlux service whose handlers call a provider through a {@link WebClient} built from
 * Boot's builder: each call waits for its lease without blocking, arrivals obey the
 * executor's limits, a streamed body holds its slot until it ends (and shows in the
 * endpoint's in-flight list meanwhile), and the starter's own client, built from a clone
 * of the same builder, is governed once, not twice.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.main.web-application-type=reactive", "spring.ai.openai.api-key=unused",
				"spring.ai.anthropic.api-key=unused", "management.endpoints.web.exposure.include=lionfuncs",
				"lionfuncs.clients.provider.executor.concurrency-limit=2",
				"lionfuncs.clients.provider.executor.requests-rate=2",
				"lionfuncs.clients.provider.executor.requests-bucket-capacity=2",
				"lionfuncs.clients.provider.executor.api-tokens-rate=10000",
				"lionfuncs.clients.provider.executor.shutdown-timeout=0s",
				"lionfuncs.clients.provider.retry.enabled=false" })
class WebClientWebFluxInterceptTests {

	private static final Logger logger = LoggerFactory.getLogger(WebClientWebFluxInterceptTests.class);

	private static final Duration WAIT = Duration.ofSeconds(30);

	static final FakeProvider provider = new FakeProvider();

	static final List<NetworkRequestEvent> created = new CopyOnWriteArrayList<>();

	@LocalServerPort
	private int port;

	@Autowired
	private LionfuncsClients clients;

	@DynamicPropertySource
	static void providerUrl(DynamicPropertyRegistry registry) {
		registry.add("lionfuncs.clients.provider.base-url", () -> provider.url() + "/v1");
	}

	@AfterAll
	static void stopProvider() {
		provider.close();
	}

	private WebTestClient web() {
		return LocalWebTestClient.create(this.port).mutate().responseTimeout(WAIT).build();
	}

	@Test
	void handlersWaitForLeasesWithoutBlockingAndArrivalsObeyTheLimits() {
		// The client's first request sets up its connection pool and resolver: an
		// ungoverned one, so that the measured calls leave when granted.
		web().get().uri("/other").exchange().expectStatus().isOk();
		Executor executor = this.clients.executor("provider");
		await().atMost(WAIT).until(() -> executor.requestsBucket().availableTokens() == 2);
		int before = provider.arrivals("/v1/").size();
		List<String> answers = Flux.range(0, 6)
			.flatMap((i) -> Mono.fromCallable(() -> web().get()
				.uri("/ask")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody(String.class)
				.returnResult()
				.getResponseBody()).subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()))
			.collectList()
			.block(WAIT);
		assertThat(answers).hasSize(6).allSatisfy((answer) -> assertThat(answer).contains("fake provider"));
		List<FakeProvider.Arrival> arrivals = provider.arrivals("/v1/", before);
		assertThat(arrivals).hasSize(6);
		String measured = Windows.assertWithinBucket(arrivals, 2, 2, Duration.ofMillis(500), Duration.ofSeconds(1),
				Duration.ofSeconds(2));
		logger.info("WebClient in WebFlux: 6 calls, capacity 2, 2/s: {}arrivals at {} ms", measured,
				Windows.offsets(arrivals));
		NetworkRequestEvent last = this.clients.executor("provider").recent().get(0);
		assertThat(last.getMetadata()).containsEntry("intercepted", "WebClient");
		assertThat(last.getNumApiTokensNeeded()).as("estimated from the body encoded ahead")
			.isEqualTo(40 + (10 + 3) / 4);
		assertThat(last.getApiTokensUsed()).isEqualTo(FakeProvider.OPENAI_TOTAL_TOKENS);
	}

	@Test
	void aStreamedBodyHoldsItsSlotUntilItEndsAndShowsInFlight() {
		Executor executor = this.clients.executor("provider");
		int before = provider.arrivals("/v1/").size();
		provider.holdStreams();
		List<Mono<String>> streams = new ArrayList<>();
		try {
			for (int i = 0; i < 3; i++) {
				Mono<String> stream = WebClient.create("http://127.0.0.1:" + this.port)
					.get()
					.uri("/stream")
					.retrieve()
					.bodyToMono(String.class)
					.cache();
				stream.subscribe();
				streams.add(stream);
			}
			await().atMost(WAIT).until(() -> provider.openStreams() == 2);
			await().during(Duration.ofMillis(1500))
				.atMost(WAIT)
				.until(() -> provider.arrivals("/v1/").size() - before == 2);
			JsonNode endpoint = web().get()
				.uri("/actuator/lionfuncs")
				.exchange()
				.expectBody(JsonNode.class)
				.returnResult()
				.getResponseBody();
			JsonNode inFlight = endpoint.at("/executors/provider/inFlight");
			assertThat(inFlight.size()).isEqualTo(2);
			assertThat(inFlight.get(0).get("endpointUrl").asString()).isEqualTo(provider.url() + "/v1/chat/completions");
			assertThat(inFlight.get(0).get("status").asString()).isEqualTo("CALLING");
			provider.releaseStream();
			await().atMost(WAIT).until(() -> provider.arrivals("/v1/").size() - before == 3);
		}
		finally {
			provider.releaseAllStreams();
		}
		for (Mono<String> stream : streams) {
			assertThat(stream.block(WAIT)).contains("[DONE]");
		}
		await().atMost(WAIT).until(() -> executor.inFlight().isEmpty());
		assertThat(executor.recent().subList(0, 3)).allSatisfy((event) -> {
			assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED);
			assertThat(event.getApiTokensUsed()).isEqualTo(FakeProvider.OPENAI_TOTAL_TOKENS);
		});
	}

	@Test
	void theStartersOwnClientIsGovernedOnceNotTwice() {
		int arrivalsBefore = provider.arrivals("/v1/").size();
		int eventsBefore = created.size();

		Object body = this.clients.request("provider",
				ApiRequest.post("/chat/completions").json("{\"messages\":[]}").build(), 10)
			.block(WAIT);

		assertThat(body.toString()).contains("fake provider");
		assertThat(provider.arrivals("/v1/")).hasSize(arrivalsBefore + 1);
		await().atMost(WAIT).until(() -> created.size() == eventsBefore + 1);
		NetworkRequestEvent only = created.get(created.size() - 1);
		assertThat(only.getMetadata()).doesNotContainKey("intercepted");
		assertThat(only.getApiTokensUsed()).isEqualTo(FakeProvider.OPENAI_TOTAL_TOKENS);
	}

	@Test
	void aRequestThatCannotGetALeaseFailsWithAWebClientRequestException() {
		String failure = web().get().uri("/too-large").exchange().expectBody(String.class).returnResult().getResponseBody();

		assertThat(failure).startsWith("WebClientRequestException")
			.contains("IOException")
			.contains("granted no lease (TOO_LARGE)");
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@Import(CallingController.class)
	static class TestApplication {

		@Bean
		RequestStatusListener createdRequests() {
			return (event, previous, current) -> {
				if (current == RequestStatus.QUEUED && "provider".equals(event.getExecutorName())) {
					created.add(event);
				}
			};
		}

	}

	@RestController
	static class CallingController {

		private final WebClient webClient;

		CallingController(WebClient.Builder builder) {
			this.webClient = builder.baseUrl(provider.url()).build();
		}

		@GetMapping("/ask")
		Mono<String> ask() {
			return this.webClient.post()
				.uri("/v1/chat/completions")
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(new Chat("gpt-4o-mini", 40, "Say hello!", false))
				.retrieve()
				.bodyToMono(String.class);
		}

		@GetMapping("/other")
		Mono<String> other() {
			return this.webClient.get().uri("/other/ping").retrieve().bodyToMono(String.class);
		}

		@GetMapping("/too-large")
		Mono<String> tooLarge() {
			return this.webClient.post()
				.uri("/v1/chat/completions")
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(new Chat("gpt-4o-mini", 1_000_000, "Say hello!", false))
				.retrieve()
				.bodyToMono(String.class)
				.onErrorResume(WebClientRequestException.class, (ex) -> Mono.just(ex.getClass().getSimpleName() + ": "
						+ ex.getCause().getClass().getSimpleName() + ": " + ex.getCause().getMessage()));
		}

		@GetMapping("/stream")
		Mono<String> stream() {
			return this.webClient.post()
				.uri("/v1/chat/completions")
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(new Chat("gpt-4o-mini", 40, "Say hello!", true))
				.retrieve()
				.bodyToFlux(String.class)
				.collectList()
				.map((parts) -> String.join("\n", parts));
		}

	}

	record Chat(String model, int max_tokens, String prompt, boolean stream) {

	}

}
