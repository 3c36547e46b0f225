package io.lionfuncs.intercept;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.lionfuncs.autoconfigure.LionfuncsClients;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An MVC service whose controllers call a provider through a {@link RestClient} built
 * from Boot's builder: each call waits on the servlet thread for its lease, arrivals obey
 * the executor's limits, the endpoint and meters count them, and requests to other
 * origins, or to a client with {@code intercept: false}, are untouched. A request that
 * cannot get a lease fails with an I/O error that says why.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
		properties = { "spring.main.web-application-type=servlet", "spring.ai.openai.api-key=unused",
				"spring.ai.anthropic.api-key=unused", "management.endpoints.web.exposure.include=lionfuncs,metrics",
				"lionfuncs.clients.provider.executor.concurrency-limit=2",
				"lionfuncs.clients.provider.executor.requests-rate=2",
				"lionfuncs.clients.provider.executor.requests-bucket-capacity=2",
				"lionfuncs.clients.provider.executor.api-tokens-rate=10000",
				"lionfuncs.clients.provider.executor.shutdown-timeout=0s", "lionfuncs.clients.quiet.intercept=false",
				"lionfuncs.clients.quiet.executor.shutdown-timeout=0s" })
class RestClientMvcInterceptTests {

	private static final Logger logger = LoggerFactory.getLogger(RestClientMvcInterceptTests.class);

	static final FakeProvider provider = new FakeProvider();

	private static final String CHAT = "{\"model\":\"gpt-4o-mini\",\"max_tokens\":50,"
			+ "\"messages\":[{\"role\":\"user\",\"content\":\"Say hello, please\"}]}";

	private final HttpClient http = HttpClient.newHttpClient();

	@LocalServerPort
	private int port;

	@Autowired
	private LionfuncsClients clients;

	@DynamicPropertySource
	static void providerUrl(DynamicPropertyRegistry registry) {
		registry.add("lionfuncs.clients.provider.base-url", () -> provider.url() + "/v1");
		registry.add("lionfuncs.clients.quiet.base-url", () -> provider.url() + "/quiet");
	}

	@AfterAll
	static void stopProvider() {
		provider.close();
	}

	private String get(String path) {
		try {
			return this.http
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path)).build(),
						HttpResponse.BodyHandlers.ofString())
				.body();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Test
	void servletThreadsWaitForTheirLeasesAndArrivalsObeyTheLimits() throws Exception {
		Executor executor = this.clients.executor("provider");
		// The client's first request sets up its connection pool and resolver (Reactor
		// Netty's, here): an ungoverned one, so that the measured calls leave when granted.
		assertThat(get("/other")).contains("ok");
		await().atMost(Duration.ofSeconds(10)).until(() -> executor.requestsBucket().availableTokens() == 2);
		int before = provider.arrivals("/v1/").size();
		List<CompletableFuture<String>> answers = new ArrayList<>();
		for (int i = 0; i < 6; i++) {
			answers.add(CompletableFuture.supplyAsync(() -> get("/ask")));
		}
		for (CompletableFuture<String> answer : answers) {
			assertThat(answer.get()).contains("Hello from the fake provider");
		}
		List<FakeProvider.Arrival> arrivals = provider.arrivals("/v1/", before);
		assertThat(arrivals).hasSize(6);
		String measured = Windows.assertWithinBucket(arrivals, 2, 2, Duration.ofMillis(500), Duration.ofSeconds(1),
				Duration.ofSeconds(2));
		logger.info("RestClient in MVC: 6 calls, capacity 2, 2/s: {}arrivals at {} ms", measured, Windows.offsets(arrivals));
		NetworkRequestEvent last = executor.recent().get(0);
		assertThat(last.getStatus()).isEqualTo(RequestStatus.COMPLETED);
		assertThat(last.getMetadata()).containsEntry("intercepted", "RestClient");
		// 50 for the output cap, and the input at four characters per token.
		assertThat(last.getNumApiTokensNeeded()).isEqualTo(50 + (4 + 17 + 3) / 4);
		assertThat(last.getApiTokensUsed()).isEqualTo(FakeProvider.OPENAI_TOTAL_TOKENS);

		JsonNode endpoint = JsonMapper.shared().readTree(get("/actuator/lionfuncs"));
		assertThat(endpoint.at("/executors/provider/counts/COMPLETED").asLong()).isGreaterThanOrEqualTo(6);
		JsonNode meter = JsonMapper.shared().readTree(get("/actuator/metrics/lionfuncs.requests?tag=executor:provider"));
		assertThat(meter.at("/measurements/0/value").asDouble()).isGreaterThanOrEqualTo(6);
	}

	@Test
	void requestsToOtherOriginsAndToClientsWithInterceptOffAreUntouched() {
		long governedBefore = ended(this.clients.executor("provider"));
		assertThat(get("/other")).contains("ok");
		assertThat(get("/quiet")).contains("ok");
		assertThat(provider.arrivals("/other")).isNotEmpty();
		assertThat(provider.arrivals("/quiet")).isNotEmpty();
		assertThat(this.clients.executor("quiet").recent()).isEmpty();
		assertThat(this.clients.executor("provider").recent())
			.noneMatch((event) -> String.valueOf(event.getEndpointUrl()).contains("/other"));
		assertThat(ended(this.clients.executor("provider"))).isEqualTo(governedBefore);
	}

	private static long ended(Executor executor) {
		return executor.stats().completed() + executor.stats().failed() + executor.stats().cancelled();
	}

	@Test
	void aRequestThatCannotGetALeaseFailsWithAnIoErrorThatSaysWhy() {
		assertThat(get("/too-large")).contains("IOException")
			.contains("granted no lease (TOO_LARGE)")
			.contains("executor 'provider'");
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	@Import(CallingController.class)
	static class TestApplication {

	}

	@RestController
	static class CallingController {

		private final RestClient restClient;

		CallingController(RestClient.Builder builder) {
			this.restClient = builder.build();
		}

		@GetMapping("/ask")
		String ask() {
			return this.restClient.post()
				.uri(provider.url() + "/v1/chat/completions")
				.contentType(MediaType.APPLICATION_JSON)
				.body(CHAT)
				.retrieve()
				.body(String.class);
		}

		@GetMapping("/other")
		String other() {
			return this.restClient.get().uri(provider.url() + "/other/ping").retrieve().body(String.class);
		}

		@GetMapping("/quiet")
		String quiet() {
			return this.restClient.get().uri(provider.url() + "/quiet/ping").retrieve().body(String.class);
		}

		@GetMapping("/too-large")
		String tooLarge() {
			try {
				return this.restClient.post()
					.uri(provider.url() + "/v1/chat/completions")
					.contentType(MediaType.APPLICATION_JSON)
					.body("{\"max_tokens\":1000000}")
					.retrieve()
					.body(String.class);
			}
			catch (ResourceAccessException ex) {
				return ex.getCause().getClass().getSimpleName() + ": " + ex.getCause().getMessage();
			}
		}

	}

}
