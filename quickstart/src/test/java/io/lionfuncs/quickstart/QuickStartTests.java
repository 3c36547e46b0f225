package io.lionfuncs.quickstart;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.example.summaries.SummariesApplication;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.netty.http.client.HttpClient;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatRuntimeException;

/**
 * Starts the README's Quick start application with its named client pointed at a local
 * upstream, and checks that each failure of the upstream reaches the caller as the call's
 * typed exception (mapped by the Quick start to a 502 naming it), never as a
 * {@code NullPointerException}.
 */
@ExtendWith(OutputCaptureExtension.class)
class QuickStartTests {

	private final MockWebServer upstream = new MockWebServer();

	private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();

	@BeforeEach
	void startUpstream() throws IOException {
		this.upstream.start();
	}

	@AfterEach
	void stop(CapturedOutput output) {
		this.contexts.forEach(ConfigurableApplicationContext::close);
		this.upstream.close();
		assertThat(output.getAll()).doesNotContain("NullPointerException")
			.doesNotContain("Ignoring unknown configuration propert");
	}

	private WebTestClient start(String baseUrl, String... properties) {
		List<String> args = new ArrayList<>(List.of("--server.port=0", "--spring.main.register-shutdown-hook=false",
				"--lionfuncs.clients.llm.base-url=" + baseUrl, "--lionfuncs.clients.llm.executor.shutdown-timeout=0s",
				// fast retries, so that a refused connection fails after its retries in milliseconds
				"--lionfuncs.clients.llm.retry.base-delay=10ms", "--lionfuncs.clients.llm.retry.max-delay=100ms"));
		for (String property : properties) {
			args.add("--" + property);
		}
		SpringApplication application = new SpringApplication(SummariesApplication.class);
		application.setBannerMode(Banner.Mode.OFF);
		ConfigurableApplicationContext context = application.run(args.toArray(String[]::new));
		this.contexts.add(context);
		int port = context.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
		return WebTestClient.bindToServer(new ReactorClientHttpConnector(HttpClient.create().keepAlive(false)))
			.baseUrl("http://localhost:" + port)
			.responseTimeout(Duration.ofSeconds(30))
			.build();
	}

	private WebTestClient.ResponseSpec summarize(WebTestClient client) {
		return client.post()
			.uri("/summaries")
			.contentType(MediaType.TEXT_PLAIN)
			.bodyValue("a long text")
			.exchange();
	}

	@Test
	void answersWithTheBodyOfTheUpstream() throws InterruptedException {
		this.upstream.enqueue(new MockResponse.Builder().setHeader("Content-Type", "application/json")
			.body("{\"choices\":[{\"message\":{\"content\":\"short\"}}],\"usage\":{\"total_tokens\":900}}")
			.build());
		WebTestClient client = start(this.upstream.url("/v1").toString(), "API_KEY=test-key");

		summarize(client).expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.choices[0].message.content")
			.isEqualTo("short");
		RecordedRequest request = this.upstream.takeRequest(10, TimeUnit.SECONDS);
		assertThat(request.getUrl().encodedPath()).isEqualTo("/v1/chat/completions");
		assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer test-key");
		assertThat(request.getBody().utf8()).contains("\"content\":\"Summarize: a long text\"");
		client.get()
			.uri("/actuator/lionfuncs")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.executors.llm.counts.COMPLETED")
			.isEqualTo(1);
	}

	@Test
	void serverErrorIsTheServerException() {
		this.upstream.enqueue(new MockResponse.Builder().code(500).body("{\"error\":\"overloaded\"}").build());
		WebTestClient client = start(this.upstream.url("/v1").toString(), "API_KEY=test-key");

		expectBadGateway(summarize(client), "ServerException");
	}

	@Test
	void rateLimitIsTheRateLimitException() {
		this.upstream.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "120").build());
		WebTestClient client = start(this.upstream.url("/v1").toString(), "API_KEY=test-key");

		expectBadGateway(summarize(client), "RateLimitException");
		assertThat(this.upstream.getRequestCount()).isEqualTo(1);
	}

	@Test
	void refusedConnectionIsTheConnectionException() throws IOException {
		int closedPort;
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			closedPort = socket.getLocalPort();
		}
		WebTestClient client = start("http://127.0.0.1:" + closedPort + "/v1", "API_KEY=test-key");

		expectBadGateway(summarize(client), "ApiConnectionException");
	}

	@Test
	void withoutTheApiKeyStartUpFailsNamingTheHeader(CapturedOutput output) {
		assertThatRuntimeException().isThrownBy(() -> start(this.upstream.url("/v1").toString()));
		assertThat(output.getOut()).contains("APPLICATION FAILED TO START")
			.contains("Invalid value '…${API_KEY}' for configuration property "
					+ "'lionfuncs.clients.llm.headers.Authorization'.")
			.contains("nothing defines API_KEY");
		assertThat(this.upstream.getRequestCount()).isZero();
	}

	private static void expectBadGateway(WebTestClient.ResponseSpec response, String exception) {
		response.expectStatus()
			.isEqualTo(HttpStatus.BAD_GATEWAY)
			.expectBody()
			.jsonPath("$.detail")
			.isEqualTo(exception);
	}

}
