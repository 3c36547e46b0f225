package io.lionfuncs.network.client;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import reactor.core.publisher.Mono;

import org.springframework.web.reactive.function.client.ClientRequest;

import static io.lionfuncs.network.client.AsyncApiClientTests.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * A request never leaves its origin: whatever a URI template or its variables hold, a
 * client with a base URL sends only to the base URL's scheme, host and port, under its
 * path, or fails before a byte is sent. Each form is tried against a real origin server
 * and a second listener that must never be reached (it counts the connections it
 * accepts), with credentials configured that must go nowhere else.
 */
class AsyncApiClientOriginTests {

	private static final Duration BLOCK = Duration.ofSeconds(10);

	private static final String SECRET = "secret-token-123";

	private final MockWebServer origin = new MockWebServer();

	private RawHttpServer elsewhere;

	private AsyncApiClient client;

	@BeforeEach
	void start() throws IOException {
		this.origin.setDispatcher(new Dispatcher() {

			@Override
			public MockResponse dispatch(RecordedRequest request) {
				return new MockResponse.Builder().setHeader("Content-Type", "text/plain").body("ok").build();
			}

		});
		this.origin.start();
		this.elsewhere = new RawHttpServer((socket, out) -> {
			RawHttpServer.write(out, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nstolen");
			return true;
		});
		this.client = client(originUrl() + "/api");
	}

	@AfterEach
	void stop() throws IOException {
		this.client.close();
		this.origin.close();
		this.elsewhere.close();
	}

	private AsyncApiClient client(String baseUrl) {
		return AsyncApiClient.builder()
			.baseUrl(baseUrl)
			.auth(ApiAuth.bearer(SECRET))
			.defaultHeader("X-Api-Key", SECRET)
			.build();
	}

	private String originUrl() {
		return "http://127.0.0.1:" + this.origin.getPort();
	}

	private String elsewhereAuthority() {
		return URI.create(this.elsewhere.baseUrl()).getAuthority();
	}

	/**
	 * Templates that must be refused, built from the second listener's authority.
	 */
	static Stream<Arguments> refusedTemplates() {
		return Stream.of(
				refused("scheme-relative //host", (elsewhere) -> "//" + elsewhere + "/steal"),
				refused("the issue's //evil.example:9", (elsewhere) -> "//evil.example:9/steal"),
				refused("///path", (elsewhere) -> "///steal"),
				refused("\\\\host", (elsewhere) -> "\\\\" + elsewhere + "\\steal"),
				refused("backslash in the path", (elsewhere) -> "/x\\..\\..\\steal"),
				refused("absolute URL elsewhere", (elsewhere) -> "http://" + elsewhere + "/steal"),
				refused("dot-dot segment", (elsewhere) -> "/../admin"),
				refused("dot segment", (elsewhere) -> "/v1/./chat"),
				refused("encoded dot-dot %2e%2e", (elsewhere) -> "/%2e%2e/admin"),
				refused("encoded dot-dot %2E%2E with a slash", (elsewhere) -> "/%2E%2E%2Fadmin"),
				refused("dot-dot with a path parameter", (elsewhere) -> "/..;/admin"),
				refused("user info '@' before the path", (elsewhere) -> "@" + elsewhere + "/steal"),
				refused("a path beside the base path", (elsewhere) -> "v1/chat"),
				refused("a fragment", (elsewhere) -> "/chat#@" + elsewhere),
				refused("file URL", (elsewhere) -> "file:///etc/passwd"));
	}

	private static Arguments refused(String form, Function<String, String> template) {
		return Arguments.of(form, template);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("refusedTemplates")
	void aTemplateLeavingTheOriginIsRefusedBeforeSending(String form, Function<String, String> template) {
		ApiClientException ex = assertRefused(
				this.client.request(ApiRequest.post(template.apply(elsewhereAuthority())).json("{}").build()));

		assertThat(ex.getMessage()).startsWith("POST ");
	}

	@Test
	void absoluteUrlsOnTheOriginMustStayUnderTheBasePath() throws Exception {
		String base = originUrl() + "/api";
		assertRefused(this.client.request("GET", originUrl() + "/admin/faults"));
		assertRefused(this.client.request("GET", originUrl() + "/apix"));
		assertRefused(this.client.request("GET", "http://localhost:" + this.origin.getPort() + "/api/x"));
		assertRefused(this.client.request("GET", "http://user@127.0.0.1:" + this.origin.getPort() + "/api/x"));
		assertRefused(this.client.request("GET", "https://127.0.0.1:" + this.origin.getPort() + "/api/x"));
		assertRefused(this.client.request("GET", "http://127.0.0.1:" + URI.create(this.elsewhere.baseUrl()).getPort()
				+ "/api/x"));

		assertThat(this.client.request("GET", base + "/items").block(BLOCK)).isEqualTo("ok");
		assertThat(this.client.request("GET", "HTTP://127.0.0.1:" + this.origin.getPort() + "/api/v2").block(BLOCK))
			.isEqualTo("ok");
		assertThat(takeTarget()).isEqualTo("/api/items");
		assertThat(takeTarget()).isEqualTo("/api/v2");
		assertThat(this.elsewhere.connections()).isZero();
	}

	@Test
	void oddButHarmlessTemplatesAreSentToTheOriginUnderTheBasePath() throws Exception {
		String elsewhere = elsewhereAuthority();

		assertThat(this.client.request("GET", "/x@" + elsewhere).block(BLOCK)).isEqualTo("ok");
		assertThat(takeTarget()).isEqualTo("/api/x@" + elsewhere);
		assertThat(this.client.request("GET", "/x?next=http://" + elsewhere + "/").block(BLOCK)).isEqualTo("ok");
		assertThat(takeTarget()).isEqualTo("/api/x?next=http://" + elsewhere + "/");
		assertThat(this.client.request("GET", "/%2F%2F" + elsewhere + "/x").block(BLOCK)).isEqualTo("ok");
		assertThat(takeTarget()).as("an encoded slash in a template is data, encoded again")
			.isEqualTo("/api/%252F%252F" + elsewhere + "/x");
		assertThat(this.client.request("GET", "/a//b").block(BLOCK)).isEqualTo("ok");
		assertThat(takeTarget()).isEqualTo("/api/a/b");
		assertThat(this.elsewhere.connections()).isZero();
	}

	/**
	 * Variable values that would leave the origin or its path if they were pasted into
	 * the template.
	 */
	static Stream<Arguments> refusedVariables() {
		return Stream.of(refused("..", (elsewhere) -> ".."), refused(".", (elsewhere) -> "."),
				refused("%2e%2e", (elsewhere) -> "%2e%2e"), refused("..%2F..", (elsewhere) -> "..%2F.."),
				refused("a/../../admin", (elsewhere) -> "a/../../admin"),
				refused("\\\\host", (elsewhere) -> "\\\\" + elsewhere), refused("..;", (elsewhere) -> "..;"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("refusedVariables")
	void aVariableLeavingThePathIsRefusedBeforeSending(String form, Function<String, String> value) {
		String variable = value.apply(elsewhereAuthority());

		assertRefused(this.client.request(ApiRequest.get("/v1/{p}/chat", variable).build()));
		assertRefused(this.client.request(ApiRequest.get("/v1/{p}").uriVariables(Map.of("p", variable)).build()));
	}

	@Test
	void variablesThatLookLikeUrlsStayOneEncodedSegmentOnTheOrigin() throws Exception {
		String elsewhere = elsewhereAuthority();
		for (String value : List.of("//" + elsewhere + "/steal", "http://" + elsewhere + "/steal", "@" + elsewhere,
				"?x=1#y")) {
			assertThat(this.client.request(ApiRequest.get("/v1/{p}/chat", value).param("next", value).build())
				.block(BLOCK)).isEqualTo("ok");
			String target = takeTarget();
			assertThat(target).startsWith("/api/v1/").contains("/chat?next=");
			assertThat(target.substring("/api/v1/".length(), target.indexOf("/chat"))).doesNotContain("/", "?", "#");
		}
		// A whole template that is one variable is pasted onto the base path, not beside it.
		assertRefused(this.client.request(ApiRequest.get("{url}", "http://" + elsewhere + "/").build()));
		assertThat(this.client.request(ApiRequest.get("/{url}", "http://" + elsewhere + "/").build()).block(BLOCK))
			.isEqualTo("ok");
		assertThat(takeTarget()).startsWith("/api/http%3A%2F%2F");
		assertThat(this.elsewhere.connections()).isZero();
	}

	@Test
	void aFilterCannotRedirectARequestElsewhere() {
		String elsewhere = this.elsewhere.baseUrl();
		try (AsyncApiClient redirected = AsyncApiClient.builder()
			.baseUrl(originUrl())
			.auth(ApiAuth.bearer(SECRET))
			.webClientCustomizer((builder) -> builder.filter((request, next) -> next
				.exchange(ClientRequest.from(request).url(URI.create(elsewhere + "/steal")).build())))
			.build()) {

			ApiClientException ex = failure(redirected.request("GET", "/items"));

			assertThat(ex.getMessage()).contains("refused before sending").doesNotContain(SECRET);
			assertThat(this.elsewhere.connections()).isZero();
			assertThat(this.origin.getRequestCount()).isZero();
		}
	}

	@Test
	void aRefusedTaskFailsWithoutSendingAndRecordsTheTemplate() throws Exception {
		Executor executor = Executor.builder().settings(ExecutorSettings.builder().requestsRate(100).build()).build();
		executor.start();
		try {
			NetworkRequestEvent event = this.client.submitTask(executor,
					ApiRequest.post("//" + elsewhereAuthority() + "/steal").json("{}").build());

			event.completion().get(10, TimeUnit.SECONDS);
			assertThat(event.getStatus()).isEqualTo(RequestStatus.FAILED);
			assertThat(event.getErrorType()).isEqualTo(ApiClientException.class.getName());
			assertThat(event.getErrorMessage()).contains("refused before sending").doesNotContain(SECRET);
			assertThat(this.elsewhere.connections()).isZero();
			assertThat(this.origin.getRequestCount()).isZero();
		}
		finally {
			executor.stop(false);
		}
	}

	@Test
	void theRecordedUrlIsTheOneUsed() throws Exception {
		try (AsyncApiClient slashed = client(originUrl() + "/api/")) {
			this.origin.setDispatcher(new Dispatcher() {

				@Override
				public MockResponse dispatch(RecordedRequest request) {
					return new MockResponse.Builder().code(404).build();
				}

			});
			ApiClientException ex = failure(slashed.request(ApiRequest.get("/items/{id}", 7).param("q", "a b").build()));

			assertThat(ex.uriTemplate()).isEqualTo(originUrl() + "/api/items/{id}");
			assertThat(slashed.task(ApiRequest.get("/items/{id}", 7).build()).build().endpointUrl())
				.isEqualTo(ex.uriTemplate());
			assertThat(takeTarget()).isEqualTo("/api/items/7?q=a%20b");
			ApiClientException spaced = failure(slashed.request(ApiRequest.get("/a b/{x}", 1).build()));
			assertThat(spaced.uriTemplate()).isEqualTo(originUrl() + "/api/a%20b/{x}");
			assertThat(takeTarget()).isEqualTo("/api/a%20b/1");
		}
	}

	// ---------------------------------------------------------------- without a base URL

	@Test
	void withoutABaseUrlOnlyAbsoluteHttpUrlsWithAHostAreSent() throws Exception {
		try (AsyncApiClient unbound = client(null)) {
			assertThat(unbound.request("GET", originUrl() + "/anywhere/{id}", 1).block(BLOCK)).isEqualTo("ok");
			assertThat(takeTarget()).isEqualTo("/anywhere/1");

			for (String template : List.of("/relative", "relative", "//127.0.0.1:" + this.origin.getPort() + "/x",
					"file:///etc/passwd", "http://user:pw@127.0.0.1:" + this.origin.getPort() + "/x",
					originUrl() + "/a/../b", originUrl() + "/a/%2e%2e/b", originUrl() + "/x#f",
					originUrl() + "/a\\b")) {
				ApiClientException ex = failure(unbound.request("GET", template));
				assertThat(ex.getMessage()).as(template).contains("was refused before sending").doesNotContain(SECRET);
			}
		}
		assertThat(this.origin.getRequestCount()).isEqualTo(1);
	}

	@Test
	void anInvalidBaseUrlIsRefusedWhenTheClientIsBuilt() {
		for (String baseUrl : List.of("localhost:8080", "/api", "ftp://host/", "http:///x", "http://host/#f")) {
			assertThatIllegalArgumentException().as(baseUrl)
				.isThrownBy(() -> AsyncApiClient.builder().baseUrl(baseUrl).build())
				.withMessageContaining("baseUrl must be an absolute http:// or https:// URL with a host");
		}
	}

	private ApiClientException assertRefused(Mono<?> call) {
		int originRequests = this.origin.getRequestCount();
		ApiClientException ex = failure(call);
		assertThat(ex).isExactlyInstanceOf(ApiClientException.class);
		assertThat(ex.statusCode()).isNull();
		assertThat(ex.getMessage()).contains("was refused before sending").doesNotContain(SECRET);
		assertThat(ex.toString()).doesNotContain(SECRET);
		assertThat(ApiFailures.isRetryable(ex)).isFalse();
		assertThat(this.elsewhere.connections()).as("connections to the other listener").isZero();
		assertThat(this.origin.getRequestCount()).as("requests to the origin").isEqualTo(originRequests);
		return ex;
	}

	private String takeTarget() throws InterruptedException {
		RecordedRequest request = this.origin.takeRequest(10, TimeUnit.SECONDS);
		assertThat(request).as("request received").isNotNull();
		assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer " + SECRET);
		return request.getTarget();
	}

}
