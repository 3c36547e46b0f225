package io.lionfuncs.network.client;

import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import io.lionfuncs.network.Redactor;
import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.client.ClientRequestObservationContext;
import org.springframework.web.reactive.function.client.DefaultClientRequestObservationConvention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link AsyncApiClient} against a real HTTP server on loopback: bodies,
 * headers, authentication, URI templates, and the mapping of error statuses.
 */
class AsyncApiClientTests {

	private static final Duration BLOCK = Duration.ofSeconds(10);

	private final MockWebServer server = new MockWebServer();

	private AsyncApiClient client;

	@BeforeEach
	void startServer() throws Exception {
		this.server.start();
		this.client = AsyncApiClient.builder().baseUrl(baseUrl()).build();
	}

	@AfterEach
	void stop() {
		this.client.close();
		this.server.close();
	}

	private String baseUrl() {
		return "http://127.0.0.1:" + this.server.getPort();
	}

	private void respond(int code, String contentType, String body) {
		this.server.enqueue(new MockResponse.Builder().code(code).setHeader("Content-Type", contentType).body(body).build());
	}

	private RecordedRequest takeRequest() throws InterruptedException {
		RecordedRequest request = this.server.takeRequest(10, TimeUnit.SECONDS);
		assertThat(request).as("request received").isNotNull();
		return request;
	}

	// ---------------------------------------------------------------- bodies

	@Test
	void jsonBodyIsAJacksonTree() {
		respond(200, "application/json", "{\"id\":7,\"name\":\"seven\"}");

		Object body = this.client.request(ApiRequest.get("/items/{id}", 7).build()).block(BLOCK);

		assertThat(body).isInstanceOf(JsonNode.class);
		assertThat(((JsonNode) body).get("name").asString()).isEqualTo("seven");
	}

	@Test
	void jsonBodyCanBeReadAsARequestedType() {
		respond(200, "application/problem+json", "{\"id\":7,\"name\":\"seven\"}");

		Item item = this.client.request(ApiRequest.get("/items/{id}", 7).build(), Item.class).block(BLOCK);

		assertThat(item).isEqualTo(new Item(7, "seven"));
	}

	@Test
	void textStaysText() {
		respond(200, "text/plain; charset=UTF-8", "plain words");

		assertThat(this.client.request("GET", "/text").block(BLOCK)).isEqualTo("plain words");
	}

	@Test
	void binaryContentIsBytes() {
		respond(200, "application/octet-stream", "bytes");

		assertThat(this.client.request("GET", "/bin").block(BLOCK)).isEqualTo("bytes".getBytes());
	}

	@Test
	void noContentGivesAnEmptyResultButKeepsStatusAndHeaders() {
		this.server.enqueue(new MockResponse.Builder().code(204).setHeader("X-Request-Id", "r-1").build());
		this.server.enqueue(new MockResponse.Builder().code(204).build());

		ApiResponse<Object> response = this.client.exchange(ApiRequest.delete("/items/{id}", 7).build()).block(BLOCK);
		assertThat(response.status()).isEqualTo(204);
		assertThat(response.body()).isNull();
		assertThat(response.header("x-request-id")).isEqualTo("r-1");
		assertThat(this.client.request(ApiRequest.delete("/items/{id}", 8).build()).hasElement().block(BLOCK))
			.isFalse();
	}

	@Test
	void successfulResponsesKeepStatusAndHeaders() {
		this.server.enqueue(new MockResponse.Builder().code(201)
			.setHeader("Content-Type", "application/json")
			.setHeader("x-ratelimit-remaining-requests", "59")
			.body("{\"id\":9}")
			.build());

		ApiResponse<Object> response = this.client
			.exchange(ApiRequest.post("/items").json(Map.of("name", "nine")).build())
			.block(BLOCK);

		assertThat(response.status()).isEqualTo(201);
		assertThat(response.header("X-RateLimit-Remaining-Requests")).isEqualTo("59");
		assertThat(response.toCallResult().headers()).containsEntry("X-RATELIMIT-REMAINING-REQUESTS", "59");
		assertThat(((JsonNode) response.body()).get("id").asInt()).isEqualTo(9);
	}

	// ---------------------------------------------------------------- requests

	@Test
	void uriVariablesAndQueryParametersAreEncoded() throws Exception {
		respond(200, "text/plain", "ok");

		this.client.request(ApiRequest.get("/users/{name}/items", "a b/c")
			.param("q", "x+y&z=1")
			.param("tag", List.of("red", "blue"))
			.param("skipped", null)
			.build()).block(BLOCK);

		RecordedRequest request = takeRequest();
		assertThat(request.getTarget()).isEqualTo("/users/a%20b%2Fc/items?q=x%2By%26z%3D1&tag=red&tag=blue");
	}

	@Test
	void namedUriVariablesWork() throws Exception {
		respond(200, "text/plain", "ok");

		this.client.request(ApiRequest.get("/v1/{model}/chat").uriVariables(Map.of("model", "m-1")).param("n", 2).build())
			.block(BLOCK);

		assertThat(takeRequest().getTarget()).isEqualTo("/v1/m-1/chat?n=2");
	}

	@Test
	void jsonFormAndRawBodiesAreSent() throws Exception {
		respond(200, "text/plain", "ok");
		respond(200, "text/plain", "ok");
		respond(200, "text/plain", "ok");

		this.client.request(ApiRequest.post("/json").json(Map.of("prompt", "hi")).build()).block(BLOCK);
		this.client.request(ApiRequest.post("/form").data(Map.of("grant_type", "client_credentials")).build())
			.block(BLOCK);
		this.client.request(ApiRequest.put("/raw").header("Content-Type", "text/csv").data("a,b\n1,2").build())
			.block(BLOCK);

		RecordedRequest json = takeRequest();
		assertThat(json.getHeaders().get("Content-Type")).startsWith("application/json");
		assertThat(json.getBody().utf8()).isEqualTo("{\"prompt\":\"hi\"}");
		RecordedRequest form = takeRequest();
		assertThat(form.getHeaders().get("Content-Type")).startsWith("application/x-www-form-urlencoded");
		assertThat(form.getBody().utf8()).isEqualTo("grant_type=client_credentials");
		RecordedRequest raw = takeRequest();
		assertThat(raw.getMethod()).isEqualTo("PUT");
		assertThat(raw.getHeaders().get("Content-Type")).startsWith("text/csv");
		assertThat(raw.getBody().utf8()).isEqualTo("a,b\n1,2");
	}

	@Test
	void defaultHeadersAndBearerAuthAreApplied() throws Exception {
		respond(200, "text/plain", "ok");
		try (AsyncApiClient authed = AsyncApiClient.builder()
			.baseUrl(baseUrl())
			.defaultHeader("User-Agent", "lionfuncs-test")
			.defaultHeader("X-Team", "a")
			.auth(ApiAuth.bearer("sk-test-token"))
			.build()) {

			authed.request(ApiRequest.get("/me").header("X-Team", "b").build()).block(BLOCK);
		}

		RecordedRequest request = takeRequest();
		assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer sk-test-token");
		assertThat(request.getHeaders().get("User-Agent")).isEqualTo("lionfuncs-test");
		assertThat(request.getHeaders().values("X-Team")).containsExactly("b");
	}

	@Test
	void basicAndApiKeyAuthAreApplied() throws Exception {
		respond(200, "text/plain", "ok");
		respond(200, "text/plain", "ok");
		try (AsyncApiClient basic = AsyncApiClient.builder().baseUrl(baseUrl()).auth(ApiAuth.basic("user", "pw")).build();
				AsyncApiClient keyed = AsyncApiClient.builder()
					.baseUrl(baseUrl())
					.auth(ApiAuth.apiKey("x-api-key", "k-123"))
					.build()) {
			basic.request("GET", "/basic").block(BLOCK);
			keyed.request("GET", "/key").block(BLOCK);
		}

		assertThat(takeRequest().getHeaders().get("Authorization"))
			.isEqualTo("Basic " + Base64.getEncoder().encodeToString("user:pw".getBytes()));
		assertThat(takeRequest().getHeaders().get("x-api-key")).isEqualTo("k-123");
		assertThat(ApiAuth.bearer("sk-test-token")).hasToString("ApiAuth.bearer(******)");
	}

	@Test
	void callTakesTheSeedsRequestMap() throws Exception {
		respond(200, "application/json", "[1,2]");
		Map<String, Object> call = new LinkedHashMap<>();
		call.put("method", "post");
		call.put("url", "/orders");
		call.put("params", Map.of("dry_run", true));
		call.put("json", Map.of("product_id", 123));
		call.put("headers", Map.of("Idempotency-Key", "k-1"));
		call.put("timeout", 2.5);

		Object body = this.client.call(call).block(BLOCK);

		assertThat(((JsonNode) body).size()).isEqualTo(2);
		RecordedRequest request = takeRequest();
		assertThat(request.getMethod()).isEqualTo("POST");
		assertThat(request.getTarget()).isEqualTo("/orders?dry_run=true");
		assertThat(request.getBody().utf8()).isEqualTo("{\"product_id\":123}");
		assertThat(request.getHeaders().get("Idempotency-Key")).isEqualTo("k-1");
	}

	@Test
	void callRefusesUnknownKeysAndWrongTypes() {
		assertThatIllegalArgumentException().isThrownBy(() -> this.client.call(Map.of("url", "/x", "jsno", 1)))
			.withMessageContaining("[jsno]");
		assertThatIllegalArgumentException().isThrownBy(() -> this.client.call(Map.of("method", "GET")))
			.withMessageContaining("'url'");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.client.call(Map.of("url", "/x", "json", 1, "data", "y")))
			.withMessageContaining("either json or data");
		assertThatIllegalArgumentException().isThrownBy(() -> this.client.call(Map.of("url", "/x", "timeout", "5s")))
			.withMessageContaining("'timeout'");
	}

	@Test
	void uriTemplateReachesTheObservation() {
		respond(200, "text/plain", "ok");
		ObservationRegistry registry = ObservationRegistry.create();
		List<ClientRequestObservationContext> observed = new CopyOnWriteArrayList<>();
		registry.observationConfig().observationHandler(new ObservationHandler<>() {

			@Override
			public boolean supportsContext(Observation.Context context) {
				return context instanceof ClientRequestObservationContext;
			}

			@Override
			public void onStop(Observation.Context context) {
				observed.add((ClientRequestObservationContext) context);
			}

		});
		try (AsyncApiClient observedClient = AsyncApiClient.builder()
			.baseUrl(baseUrl())
			.webClientCustomizer((builder) -> builder.observationRegistry(registry))
			.build()) {
			observedClient.request(ApiRequest.get("/items/{id}", 42).param("api_key", "secret").build()).block(BLOCK);
		}

		await().atMost(Duration.ofSeconds(10)).until(() -> !observed.isEmpty());
		ClientRequestObservationContext context = observed.get(0);
		assertThat(new DefaultClientRequestObservationConvention().getLowCardinalityKeyValues(context))
			.contains(KeyValue.of("uri", "/items/{id}"), KeyValue.of("status", "200"));
	}

	@Test
	void closedClientRefusesRequests() {
		this.client.close();
		this.client.close();

		assertThat(this.client.isClosed()).isTrue();
		assertThatIllegalStateException().isThrownBy(() -> this.client.request("GET", "/x").block(BLOCK))
			.withMessageContaining("closed");
	}

	// ---------------------------------------------------------------- error statuses

	@ParameterizedTest(name = "{0} -> {1}")
	@CsvSource(textBlock = """
			400, io.lionfuncs.network.client.ApiClientException
			401, io.lionfuncs.network.client.AuthenticationException
			403, io.lionfuncs.network.client.AuthenticationException
			404, io.lionfuncs.network.client.ResourceNotFoundException
			409, io.lionfuncs.network.client.ApiClientException
			422, io.lionfuncs.network.client.ApiClientException
			429, io.lionfuncs.network.client.RateLimitException
			500, io.lionfuncs.network.client.ServerException
			502, io.lionfuncs.network.client.ServerException
			503, io.lionfuncs.network.client.ServerException
			504, io.lionfuncs.network.client.ServerException
			""")
	void errorStatusesMapToTypedExceptions(int status, Class<?> type) {
		this.server.enqueue(new MockResponse.Builder().code(status)
			.setHeader("Content-Type", "application/json")
			.setHeader("X-Request-Id", "req-1")
			.body("{\"error\":\"nope\"}")
			.build());

		ApiClientException ex = requestFailure(ApiRequest.get("/items/{id}", 1).build());

		assertThat(ex).isExactlyInstanceOf(type);
		assertThat(ex.statusCode()).isEqualTo(status);
		assertThat(ex.method()).isEqualTo("GET");
		assertThat(ex.uriTemplate()).isEqualTo(baseUrl() + "/items/{id}");
		assertThat(ex.responseHeaders()).containsEntry("X-Request-Id", "req-1");
		assertThat(ex.responseBodyExcerpt()).isEqualTo("{\"error\":\"nope\"}");
		assertThat(ex.getMessage()).isEqualTo(
				"GET " + baseUrl() + "/items/{id} failed with " + status + " " + HttpStatus.valueOf(status).getReasonPhrase());
	}

	@Test
	void rateLimitCarriesRetryAfterInSeconds() {
		this.server.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "17").build());

		ApiClientException ex = requestFailure(ApiRequest.get("/limited").build());

		assertThat(ex).isInstanceOf(RateLimitException.class);
		assertThat(ex.retryAfter()).isEqualTo(Duration.ofSeconds(17));
		assertThat(ex.responseBodyExcerpt()).isNull();
		assertThat(ex.getMessage()).endsWith("(Retry-After PT17S)");
	}

	@Test
	void bodyExcerptIsBounded() {
		String large = "x".repeat(100_000);
		respond(500, "text/plain", large);

		ApiClientException ex = requestFailure(ApiRequest.get("/big").build());

		assertThat(ex.responseBodyExcerpt()).hasSize(ExchangeDetails.MAX_BODY_EXCERPT_LENGTH).endsWith("...");
	}

	@Test
	void unreadableBodyOfASuccessIsAnApiClientExceptionWithoutTheBodyInItsMessage() {
		respond(200, "application/json", "{\"id\": secret-token-123");

		ApiClientException ex = requestFailure(ApiRequest.get("/items/{id}", 1).build(), Item.class);

		assertThat(ex).isExactlyInstanceOf(ApiClientException.class);
		assertThat(ex.statusCode()).isEqualTo(200);
		assertThat(ex.responseHeaders()).containsEntry("Content-Type", "application/json");
		assertThat(ex.getMessage()).contains("could not be read").doesNotContain("secret-token-123");
	}

	@Test
	void secretsNeverReachExceptionMessages() {
		this.server.enqueue(new MockResponse.Builder().code(401)
			.setHeader("Set-Cookie", "session=cookie-secret")
			.setHeader("WWW-Authenticate", "Bearer realm=\"api\"")
			.setHeader("X-Echo-Api-Key", "key-secret")
			.body("invalid key key-secret")
			.build());
		try (AsyncApiClient authed = AsyncApiClient.builder()
			.baseUrl("http://user:password-secret@127.0.0.1:" + this.server.getPort())
			.defaultHeader("X-Api-Key", "key-secret")
			.auth(ApiAuth.bearer("token-secret"))
			.redactor(Redactor.withAdditionalNames(List.of("WWW-Authenticate")))
			.build()) {

			ApiClientException ex = failure(authed.request(ApiRequest.get("/me").param("api_key", "query-secret").build()));

			assertThat(ex).isInstanceOf(AuthenticationException.class);
			assertThat(ex.getMessage()).doesNotContain("secret");
			assertThat(ex.toString()).doesNotContain("secret");
			assertThat(ex.uriTemplate()).isEqualTo("http://127.0.0.1:" + this.server.getPort() + "/me");
			assertThat(ex.responseHeaders()).containsEntry("Set-Cookie", Redactor.MASK)
				.containsEntry("WWW-Authenticate", Redactor.MASK)
				.containsEntry("X-Echo-Api-Key", Redactor.MASK);
			assertThat(authed.getDefaultHeaders()).containsEntry("X-Api-Key", Redactor.MASK);
			assertThat(authed.toString()).doesNotContain("secret");
		}
	}

	private ApiClientException requestFailure(ApiRequest request) {
		return failure(this.client.request(request));
	}

	private ApiClientException requestFailure(ApiRequest request, Class<?> type) {
		return failure(this.client.request(request, type));
	}

	static ApiClientException failure(reactor.core.publisher.Mono<?> call) {
		return assertThatExceptionOfType(ApiClientException.class).isThrownBy(() -> call.block(BLOCK)).actual();
	}

	record Item(int id, String name) {
	}

}
