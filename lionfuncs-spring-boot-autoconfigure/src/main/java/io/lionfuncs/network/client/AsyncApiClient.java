package io.lionfuncs.network.client;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.Redactor;
import io.lionfuncs.network.TaskRequest;
import io.lionfuncs.network.ResponseObserver;
import io.lionfuncs.network.connection.ConnectionTracker;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Signal;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.util.LinkedCaseInsensitiveMap;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.util.UriBuilder;

/**
 * A client for one external HTTP API over Spring {@link WebClient}, with a Resilience4j
 * {@link Retry} outside a {@link CircuitBreaker} (every attempt counts for the breaker,
 * and an open breaker stops the retries), a timeout per attempt, and failures as
 * {@link ApiClientException}s that keep the response's status, redacted headers and a
 * body excerpt.
 * <p>
 * Everything is reactive: nothing in a request's path blocks. Requests name URI
 * templates, which reach WebClient as templates, so {@code http.client.requests}
 * observations get a bounded {@code uri} tag.
 *
 * <pre class="code">
 * try (AsyncApiClient client = AsyncApiClient.builder()
 *         .baseUrl("https://api.example.com")
 *         .auth(ApiAuth.bearer(token))
 *         .circuitBreaker(CircuitBreakerSettings.defaults())
 *         .retry(RetrySettings.defaults())
 *         .build()) {
 *     Mono&lt;Object&gt; user = client.request(ApiRequest.get("/users/{id}", 42).build());
 * }
 * </pre>
 * <p>
 * <strong>Retry and {@code Retry-After}.</strong> A {@code Retry} built from
 * {@link RetrySettings#toRetryConfig()} carries the whole policy (what is retryable,
 * idempotency, backoff, {@code Retry-After} within {@code maxDelay}). A {@code Retry}
 * with a configuration of your own decides alone what to retry and how long to wait:
 * without {@code retryOnException(ApiFailures::isRetryable)} it may retry a
 * {@code POST} after a 500 or retry a 404. The client still never sends an attempt
 * before a {@code Retry-After} has passed, whatever the configured delay. Likewise a
 * {@code CircuitBreaker} of your own counts what its configuration records (by default
 * every exception, 404 included); {@link CircuitBreakerSettings#toCircuitBreakerConfig()}
 * records only {@linkplain ApiFailures#isServiceFailure service failures}.
 * <p>
 * <strong>Resources.</strong> Unless given a {@link WebClient} or a
 * {@link ClientHttpConnector}, the client builds its own Reactor Netty connector and
 * connection pool; {@link #close()} disposes the pool it built, never one it was given.
 * <p>
 * <strong>Keep-alive.</strong> A pool the client builds closes connections idle for
 * longer than {@linkplain Builder#maxIdleTime(Duration) maxIdleTime} (4 s by default,
 * below the 5 s keep-alive timeout common on servers), so that a request is not sent on
 * a connection the server is closing. A request that still fails on a reused connection
 * the server closed is an {@link ApiConnectionException}: retried when the method is
 * idempotent or the request provably was not sent (Reactor Netty itself resends, once, a
 * request whose connection closed before it was written).
 * <p>
 * <strong>Connection events.</strong> Given a {@link ConnectionTracker}, the client
 * reports the lifecycle of each of its connections; see
 * {@link Builder#connectionTracker(ConnectionTracker)}.
 */
public final class AsyncApiClient implements AutoCloseable {

	/** The timeout of each attempt unless configured. */
	public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

	/**
	 * How long a connection of a pool the client builds may stay idle unless configured:
	 * below the 5 s keep-alive timeout common on servers.
	 */
	public static final Duration DEFAULT_MAX_IDLE_TIME = Duration.ofSeconds(4);

	/** The name of a client unless configured. */
	public static final String DEFAULT_NAME = "default";

	/** Keys accepted by {@link #call(Map)}. */
	public static final Set<String> CALL_KEYS = Set.of("method", "url", "params", "json", "data", "headers",
			"timeout");

	private static final Logger logger = LoggerFactory.getLogger(AsyncApiClient.class);

	private static final String QUERY_VARIABLE_PREFIX = "lionfuncsQuery";

	private final String name;

	private final @Nullable String baseUrl;

	private final Duration timeout;

	private final @Nullable Duration maxIdleTime;

	private final Map<String, List<String>> defaultHeaders;

	private final WebClient webClient;

	private final @Nullable CircuitBreaker circuitBreaker;

	private final @Nullable Retry retry;

	private final Redactor redactor;

	private final ErrorMapper errors;

	private final @Nullable ReactorNettyConnector ownConnector;

	private final @Nullable ConnectionTracker connectionTracker;

	private final Mono<Void> disposal;

	private final AtomicBoolean closed = new AtomicBoolean();

	private AsyncApiClient(Builder builder, WebClient webClient, @Nullable ReactorNettyConnector ownConnector,
			@Nullable ConnectionTracker connectionTracker) {
		this.name = builder.name;
		this.baseUrl = builder.baseUrl;
		this.timeout = builder.timeout;
		this.maxIdleTime = builder.maxIdleTime;
		this.defaultHeaders = copy(builder.defaultHeaders);
		this.webClient = webClient;
		this.circuitBreaker = builder.resolveCircuitBreaker();
		this.retry = builder.resolveRetry();
		this.redactor = builder.redactor;
		this.errors = new ErrorMapper(builder.redactor, builder.clock);
		this.ownConnector = ownConnector;
		this.connectionTracker = connectionTracker;
		this.disposal = (ownConnector != null) ? Mono.defer(() -> disposeOwnPool(ownConnector)).cache()
				: Mono.empty();
	}

	/**
	 * Starts building a client.
	 * @return a builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	// ---------------------------------------------------------------- requests

	/**
	 * Sends a request and returns its parsed body: JSON as a Jackson {@code JsonNode},
	 * text as a {@code String}, other content as {@code byte[]}; empty for 204, an empty
	 * body or {@code HEAD}.
	 * @param request the request
	 * @return the body; fails with an {@link ApiClientException}
	 */
	public Mono<Object> request(ApiRequest request) {
		return exchange(request).mapNotNull(ApiResponse::body);
	}

	/**
	 * Sends a request and returns its body as the given type, through the WebClient's
	 * codecs.
	 * @param <T> the body type
	 * @param request the request
	 * @param bodyType the body type
	 * @return the body, empty when there is none
	 */
	public <T> Mono<T> request(ApiRequest request, Class<T> bodyType) {
		return exchange(request, bodyType).mapNotNull(ApiResponse::body);
	}

	/**
	 * Sends a request and returns its body as the given generic type.
	 * @param <T> the body type
	 * @param request the request
	 * @param bodyType the body type
	 * @return the body, empty when there is none
	 */
	public <T> Mono<T> request(ApiRequest request, ParameterizedTypeReference<T> bodyType) {
		return exchange(request, bodyType).mapNotNull(ApiResponse::body);
	}

	/**
	 * Sends a request without body, seed style: {@code request("GET", "/users/{id}", 42)}.
	 * @param method the HTTP method
	 * @param uriTemplate the URI template
	 * @param uriVariables the template's values, in order
	 * @return the parsed body, see {@link #request(ApiRequest)}
	 */
	public Mono<Object> request(String method, String uriTemplate, Object... uriVariables) {
		return request(ApiRequest.builder(method, uriTemplate, uriVariables).build());
	}

	/**
	 * Sends a request and returns the whole response: status, headers and parsed body
	 * (see {@link #request(ApiRequest)}).
	 * @param request the request
	 * @return the response; fails with an {@link ApiClientException} for a status of 400
	 * or more
	 */
	public Mono<ApiResponse<Object>> exchange(ApiRequest request) {
		return execute(request, ResponseBodies.auto());
	}

	/**
	 * Sends a request and returns the whole response, its body as the given type.
	 * @param <T> the body type
	 * @param request the request
	 * @param bodyType the body type
	 * @return the response
	 */
	public <T> Mono<ApiResponse<T>> exchange(ApiRequest request, Class<T> bodyType) {
		return execute(request, ResponseBodies.of(bodyType));
	}

	/**
	 * Sends a request and returns the whole response, its body as the given generic
	 * type.
	 * @param <T> the body type
	 * @param request the request
	 * @param bodyType the body type
	 * @return the response
	 */
	public <T> Mono<ApiResponse<T>> exchange(ApiRequest request, ParameterizedTypeReference<T> bodyType) {
		return execute(request, ResponseBodies.of(bodyType));
	}

	/**
	 * Sends a request described by a map, as the seed's {@code ResourceClient} protocol
	 * does. Keys: {@code method} (default {@code GET}), {@code url} (a URI template,
	 * required), {@code params} (map of query parameters), {@code json} (body sent as
	 * JSON), {@code data} (form fields as a map, or raw content), {@code headers} (map),
	 * {@code timeout} (seconds as a number, or a {@link Duration}).
	 * @param request the request
	 * @return the parsed body, see {@link #request(ApiRequest)}
	 * @throws IllegalArgumentException for an unknown key or a value of the wrong type
	 */
	public Mono<Object> call(Map<String, ?> request) {
		return request(CallMap.toRequest(request));
	}

	private <T> Mono<ApiResponse<T>> execute(ApiRequest request, ResponseBodies.BodyReader<T> reader) {
		Objects.requireNonNull(request, "request must not be null");
		ExchangeDetails target = ExchangeDetails.request(request.method().name(), describe(request.uriTemplate()));
		Duration attemptTimeout = (request.timeout() != null) ? request.timeout() : this.timeout;
		return Mono.defer(() -> {
			if (this.closed.get()) {
				return Mono.error(new IllegalStateException("AsyncApiClient '" + this.name + "' is closed"));
			}
			CallState state = new CallState();
			Mono<ApiResponse<T>> attempt = send(request, reader, target, attemptTimeout).timeout(attemptTimeout)
				.onErrorMap((ex) -> this.errors.forFailure(ex, target, attemptTimeout))
				.doOnEach(this::reportResponse);
			CircuitBreaker breaker = this.circuitBreaker;
			if (breaker != null) {
				attempt = attempt.transformDeferred(CircuitBreakerOperator.of(breaker))
					.onErrorMap(CallNotPermittedException.class,
							(ex) -> this.errors.circuitBreakerOpen(ex, breaker, target, state.lastFailure()));
			}
			if (this.retry != null) {
				attempt = state.afterRetryAfter(attempt)
					.doOnError((ex) -> attemptFailed(target, ex, state))
					.transformDeferred(RetryOperator.of(this.retry));
			}
			return attempt;
		});
	}

	/**
	 * Tells the executor running this call, if any, of each attempt's response, so that a
	 * 429 pauses the executor's other calls while this one waits to retry.
	 */
	private void reportResponse(Signal<? extends ApiResponse<?>> signal) {
		if (!signal.isOnNext() && !signal.isOnError()) {
			return;
		}
		ResponseObserver observer = ResponseObserver.from(signal.getContextView());
		if (observer == null) {
			return;
		}
		try {
			ApiResponse<?> response = signal.get();
			if (response != null) {
				observer.onResponse(response.status(), response.toCallResult().headers());
			}
			else if (signal.getThrowable() instanceof ApiClientException failure && failure.statusCode() != null) {
				observer.onResponse(failure.statusCode(), failure.responseHeaders());
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Client '{}': the executor's response observer failed", this.name, ex);
		}
	}

	private void attemptFailed(ExchangeDetails target, Throwable failure, CallState state) {
		state.failed(failure);
		if (logger.isDebugEnabled()) {
			logger.debug("Client '{}': attempt of {} {} failed: {}", this.name, target.method(), target.uriTemplate(),
					failure.getMessage());
		}
	}

	private <T> Mono<ApiResponse<T>> send(ApiRequest request, ResponseBodies.BodyReader<T> reader,
			ExchangeDetails target, Duration attemptTimeout) {
		WebClient.RequestBodySpec spec = this.webClient.method(request.method())
			.uri(request.uriTemplate(), (builder) -> buildUri(builder, request));
		WebClient.RequestHeadersSpec<?> ready = withBody(spec, request);
		return ready.headers((headers) -> applyHeaders(headers, request))
			.exchangeToMono((response) -> handle(response, request.method(), reader, target, attemptTimeout));
	}

	private <T> Mono<ApiResponse<T>> handle(ClientResponse response, HttpMethod method,
			ResponseBodies.BodyReader<T> reader, ExchangeDetails target, Duration attemptTimeout) {
		int status = response.statusCode().value();
		HttpHeaders headers = response.headers().asHttpHeaders();
		if (status >= 400) {
			return ResponseBodies.excerpt(response)
				.flatMap((excerpt) -> Mono.error(this.errors.forStatus(target, status, headers, excerpt)));
		}
		if (ResponseBodies.hasNoBody(method, status)) {
			return response.releaseBody().then(Mono.fromSupplier(() -> new ApiResponse<>(status, headers, null)));
		}
		return reader.read(response)
			.map((body) -> new ApiResponse<>(status, headers, body))
			.switchIfEmpty(Mono.fromSupplier(() -> new ApiResponse<>(status, headers, null)))
			// The response's details are redacted only for a body that fails to read.
			.onErrorMap((ex) -> this.errors.forFailure(ex, new ExchangeDetails(target.method(), target.uriTemplate(),
					status, this.redactor.headers(toMap(headers)), null, null), attemptTimeout));
	}

	/**
	 * Expands the template. Each query value becomes a template variable of its own, so
	 * that WebClient encodes it strictly and it never becomes part of the template.
	 */
	private static URI buildUri(UriBuilder builder, ApiRequest request) {
		List<Object> queryValues = new ArrayList<>();
		request.params().forEach((name, values) -> values.forEach((value) -> {
			builder.queryParam(name, "{" + QUERY_VARIABLE_PREFIX + queryValues.size() + "}");
			queryValues.add(value);
		}));
		if (!request.namedUriVariables().isEmpty()) {
			Map<String, Object> variables = new LinkedHashMap<>(request.namedUriVariables());
			for (int i = 0; i < queryValues.size(); i++) {
				variables.put(QUERY_VARIABLE_PREFIX + i, queryValues.get(i));
			}
			return builder.build(variables);
		}
		List<Object> variables = new ArrayList<>(request.uriVariables());
		variables.addAll(queryValues);
		return builder.build(variables.toArray());
	}

	private static WebClient.RequestHeadersSpec<?> withBody(WebClient.RequestBodySpec spec, ApiRequest request) {
		Object json = request.json();
		if (json != null) {
			return spec.contentType(MediaType.APPLICATION_JSON).bodyValue(json);
		}
		Object data = request.data();
		if (data instanceof Map<?, ?> form) {
			MultiValueMap<String, String> fields = new LinkedMultiValueMap<>();
			form.forEach((name, value) -> {
				if (value instanceof Collection<?> values) {
					values.forEach((element) -> fields.add(String.valueOf(name), String.valueOf(element)));
				}
				else if (value != null) {
					fields.add(String.valueOf(name), String.valueOf(value));
				}
			});
			return spec.body(BodyInserters.fromFormData(fields));
		}
		if (data instanceof CharSequence text) {
			return spec.bodyValue(text.toString());
		}
		if (data instanceof byte[] bytes) {
			return spec.bodyValue(bytes);
		}
		return spec;
	}

	private void applyHeaders(HttpHeaders headers, ApiRequest request) {
		// HttpHeaders is case-insensitive: a request's header replaces a default one.
		this.defaultHeaders.forEach(headers::put);
		request.headers().forEach(headers::put);
	}

	/**
	 * The URI template as recorded and reported: the base URL joined to a relative
	 * template, user info and sensitive query values masked.
	 */
	String describe(String uriTemplate) {
		String described = uriTemplate;
		if (this.baseUrl != null && !uriTemplate.contains("://")) {
			boolean baseEndsWithSlash = this.baseUrl.endsWith("/");
			boolean templateStartsWithSlash = uriTemplate.startsWith("/");
			if (baseEndsWithSlash && templateStartsWithSlash) {
				described = this.baseUrl + uriTemplate.substring(1);
			}
			else if (baseEndsWithSlash || templateStartsWithSlash || uriTemplate.isEmpty()) {
				described = this.baseUrl + uriTemplate;
			}
			else {
				described = this.baseUrl + "/" + uriTemplate;
			}
		}
		return Objects.requireNonNull(this.redactor.url(described));
	}

	// ---------------------------------------------------------------- executor

	/**
	 * A task for an {@link Executor} that sends this request when the executor lets it
	 * leave, so that it is rate-limited and tracked. The event records the method, the
	 * URI template, the headers (redacted), the payload by reference and, when the call
	 * ends, the response's status, headers and parsed body, or the
	 * {@link ApiClientException}. Retries happen inside the one task. Set
	 * {@code numApiTokensNeeded} or metadata on the builder before building it.
	 * @param request the request
	 * @return a task builder
	 */
	public TaskRequest.Builder task(ApiRequest request) {
		Map<String, List<String>> headers = Map.of();
		if (!this.defaultHeaders.isEmpty() || !request.headers().isEmpty()) {
			headers = new LinkedCaseInsensitiveMap<>();
			headers.putAll(this.defaultHeaders);
			headers.putAll(request.headers());
		}
		return TaskRequest.ofMono(() -> exchange(request).map(ApiResponse::toCallResult))
			.endpointUrl(describe(request.uriTemplate()))
			.method(request.method().name())
			.headers(headers)
			.payload(request.payload())
			.metadata(Map.of("client", this.name));
	}

	/**
	 * Submits a request to an executor without blocking; see {@link #task}.
	 * @param executor the executor
	 * @param request the request
	 * @return the request's event once queued; await it with
	 * {@link NetworkRequestEvent#toMono()} or {@link NetworkRequestEvent#completion()}
	 */
	public Mono<NetworkRequestEvent> submit(Executor executor, ApiRequest request) {
		return executor.submit(task(request).build());
	}

	/**
	 * Submits a request to an executor; see {@link #task} and
	 * {@link Executor#submitTask(TaskRequest)}.
	 * @param executor the executor
	 * @param request the request
	 * @return the request's event, already queued
	 */
	public NetworkRequestEvent submitTask(Executor executor, ApiRequest request) {
		return executor.submitTask(task(request).build());
	}

	// ---------------------------------------------------------------- lifecycle

	/**
	 * Closes the client: later requests fail, and the connection pool the client built
	 * is disposed (without waiting; see {@link #closeAsync()}): its idle connections close
	 * at once, busy ones when their exchange ends. A pool, connector or WebClient it was
	 * given is left alone. Idempotent.
	 */
	@Override
	public void close() {
		this.closed.set(true);
		this.disposal.subscribe(null,
				(ex) -> logger.warn("Client '{}': disposing its connection pool failed", this.name, ex));
	}

	/**
	 * Closes the client like {@link #close()}.
	 * @return completes once the client's own connection pool is disposed
	 */
	public Mono<Void> closeAsync() {
		this.closed.set(true);
		return this.disposal;
	}

	public boolean isClosed() {
		return this.closed.get();
	}

	private Mono<Void> disposeOwnPool(ReactorNettyConnector connector) {
		if (this.connectionTracker != null && connector.ownsConnectionProvider()) {
			this.connectionTracker.poolDisposing();
		}
		return connector.disposeLater();
	}

	// ---------------------------------------------------------------- accessors

	public String getName() {
		return this.name;
	}

	public @Nullable String getBaseUrl() {
		return this.baseUrl;
	}

	public Duration getTimeout() {
		return this.timeout;
	}

	public WebClient getWebClient() {
		return this.webClient;
	}

	public @Nullable CircuitBreaker getCircuitBreaker() {
		return this.circuitBreaker;
	}

	public @Nullable Retry getRetry() {
		return this.retry;
	}

	/**
	 * The default headers, sensitive values redacted.
	 * @return the headers
	 */
	public Map<String, String> getDefaultHeaders() {
		return this.redactor.headers(this.defaultHeaders);
	}

	/**
	 * The tracker reporting the client's connection events, when it was given one and
	 * builds its own connector.
	 * @return the tracker, or {@code null}
	 */
	public @Nullable ConnectionTracker getConnectionTracker() {
		return this.connectionTracker;
	}

	/**
	 * The Reactor Netty connection pool of the connector the client built: its own, or
	 * one it was given; for its size ({@link ConnectionProvider#maxConnections()}).
	 * @return the pool, or {@code null} when the client was given a WebClient or a
	 * connector
	 */
	public @Nullable ConnectionProvider getConnectionProvider() {
		ReactorNettyConnector connector = this.ownConnector;
		return (connector != null) ? connector.connectionProvider() : null;
	}

	/**
	 * How long a connection of the pool the client built may stay idle.
	 * @return the max idle time, or {@code null} when the client did not build its pool
	 * or was configured without a limit
	 */
	public @Nullable Duration getMaxIdleTime() {
		ReactorNettyConnector connector = this.ownConnector;
		return (connector != null && connector.ownsConnectionProvider()) ? this.maxIdleTime : null;
	}

	@Nullable ConnectionProvider ownedConnectionProvider() {
		ReactorNettyConnector connector = this.ownConnector;
		return (connector != null && connector.ownsConnectionProvider()) ? connector.connectionProvider() : null;
	}

	@Override
	public String toString() {
		return "AsyncApiClient[name=" + this.name + ", baseUrl=" + this.redactor.url(this.baseUrl) + "]";
	}

	private static Map<String, List<String>> copy(Map<String, List<String>> headers) {
		Map<String, List<String>> copy = new LinkedHashMap<>();
		headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
		return Collections.unmodifiableMap(copy);
	}

	private static Map<String, List<String>> toMap(HttpHeaders headers) {
		Map<String, List<String>> map = new LinkedHashMap<>();
		headers.forEach(map::put);
		return map;
	}

	/**
	 * Builds an {@link AsyncApiClient}.
	 * <p>
	 * The client's WebClient is, in order of precedence: a given {@link WebClient} (its
	 * connector shared, never closed), or one built from a given
	 * {@link WebClient.Builder} (cloned, e.g. Spring Boot's, so that observations and
	 * codecs apply) or from a new builder. Unless a {@link ClientHttpConnector} is given,
	 * a built WebClient gets a Reactor Netty connector of the client's own, whose
	 * {@link HttpClient} and {@link ConnectionProvider} can be customised; the client
	 * owns the pool it builds.
	 */
	public static final class Builder {

		private String name = DEFAULT_NAME;

		private @Nullable String baseUrl;

		private Duration timeout = DEFAULT_TIMEOUT;

		private final Map<String, List<String>> defaultHeaders = new LinkedHashMap<>();

		private @Nullable ExchangeFilterFunction auth;

		private @Nullable WebClient webClient;

		private WebClient.@Nullable Builder webClientBuilder;

		private final List<Consumer<WebClient.Builder>> webClientCustomizers = new ArrayList<>();

		private @Nullable ClientHttpConnector connector;

		private @Nullable ConnectionProvider connectionProvider;

		private final List<Consumer<ConnectionProvider.Builder>> connectionProviderCustomizers = new ArrayList<>();

		private final List<UnaryOperator<HttpClient>> httpClientCustomizers = new ArrayList<>();

		private @Nullable Duration maxIdleTime = DEFAULT_MAX_IDLE_TIME;

		private @Nullable ConnectionTracker connectionTracker;

		private @Nullable CircuitBreaker circuitBreaker;

		private @Nullable CircuitBreakerSettings circuitBreakerSettings;

		private @Nullable Retry retry;

		private @Nullable RetrySettings retrySettings;

		private Redactor redactor = Redactor.defaults();

		private Clock clock = Clock.systemUTC();

		private Builder() {
		}

		/**
		 * The client's name, for logs, metrics and the names of the Resilience4j
		 * instances built from settings ({@code lionfuncs-<name>}).
		 * @param name the name
		 * @return this builder
		 */
		public Builder name(String name) {
			if (name == null || name.isBlank()) {
				throw new IllegalArgumentException("name must not be empty");
			}
			this.name = name;
			return this;
		}

		/**
		 * The base URL that relative URI templates are resolved against.
		 * @param baseUrl the base URL
		 * @return this builder
		 */
		public Builder baseUrl(@Nullable String baseUrl) {
			this.baseUrl = baseUrl;
			return this;
		}

		/**
		 * How long each attempt (connect, response and body) may take; 10 s by default.
		 * Also the connect timeout of a connector the client builds.
		 * @param timeout the timeout, positive
		 * @return this builder
		 */
		public Builder timeout(Duration timeout) {
			if (timeout == null || timeout.isNegative() || timeout.isZero()) {
				throw new IllegalArgumentException("timeout must be positive but was " + timeout);
			}
			this.timeout = timeout;
			return this;
		}

		/**
		 * Adds a header sent with every request (a request's own header of the same
		 * name replaces it).
		 * @param name the header name
		 * @param values the values
		 * @return this builder
		 */
		public Builder defaultHeader(String name, String... values) {
			this.defaultHeaders.put(name, List.of(values));
			return this;
		}

		/**
		 * Adds headers sent with every request.
		 * @param headers the headers
		 * @return this builder
		 */
		public Builder defaultHeaders(Map<String, String> headers) {
			headers.forEach(this::defaultHeader);
			return this;
		}

		/**
		 * Authentication, applied to every attempt; see {@link ApiAuth}.
		 * @param auth a filter that adds credentials, or {@code null}
		 * @return this builder
		 */
		public Builder auth(@Nullable ExchangeFilterFunction auth) {
			this.auth = auth;
			return this;
		}

		/**
		 * A WebClient to use. Its connector is shared and never closed by the client;
		 * base URL, auth and customizers are applied to a mutated copy.
		 * @param webClient the WebClient
		 * @return this builder
		 */
		public Builder webClient(@Nullable WebClient webClient) {
			this.webClient = webClient;
			return this;
		}

		/**
		 * A WebClient builder to start from, cloned so the original is untouched, e.g.
		 * Spring Boot's auto-configured one.
		 * @param webClientBuilder the builder
		 * @return this builder
		 */
		public Builder webClientBuilder(WebClient.@Nullable Builder webClientBuilder) {
			this.webClientBuilder = webClientBuilder;
			return this;
		}

		/**
		 * Further customisation of the WebClient builder (codecs, filters, observation
		 * convention), applied last.
		 * @param customizer the customizer
		 * @return this builder
		 */
		public Builder webClientCustomizer(Consumer<WebClient.Builder> customizer) {
			this.webClientCustomizers.add(Objects.requireNonNull(customizer, "customizer must not be null"));
			return this;
		}

		/**
		 * A connector to use instead of building one; not closed by the client.
		 * @param connector the connector
		 * @return this builder
		 */
		public Builder connector(@Nullable ClientHttpConnector connector) {
			this.connector = connector;
			return this;
		}

		/**
		 * A connection pool for the connector the client builds. The client uses it and
		 * never disposes it.
		 * @param connectionProvider the pool
		 * @return this builder
		 */
		public Builder connectionProvider(@Nullable ConnectionProvider connectionProvider) {
			this.connectionProvider = connectionProvider;
			return this;
		}

		/**
		 * Customises the connection pool the client builds and owns (max connections,
		 * max idle time, metrics...).
		 * @param customizer the customizer
		 * @return this builder
		 */
		public Builder connectionProviderCustomizer(Consumer<ConnectionProvider.Builder> customizer) {
			this.connectionProviderCustomizers.add(Objects.requireNonNull(customizer, "customizer must not be null"));
			return this;
		}

		/**
		 * Customises the Reactor Netty client of the connector the client builds
		 * (connection observers, wiretap, SSL...); applied in order.
		 * @param customizer returns the customised client
		 * @return this builder
		 */
		public Builder httpClientCustomizer(UnaryOperator<HttpClient> customizer) {
			this.httpClientCustomizers.add(Objects.requireNonNull(customizer, "customizer must not be null"));
			return this;
		}

		/**
		 * How long a connection of the pool the client builds may stay idle before the
		 * pool closes it; 4 s by default. Keep it below the server's keep-alive timeout,
		 * so that the client never sends a request on a connection the server is closing.
		 * Applies only to a pool the client builds (not to a given
		 * {@link #connectionProvider(ConnectionProvider) pool}, connector or WebClient).
		 * @param maxIdleTime the max idle time, positive, or {@code null} for no limit
		 * @return this builder
		 */
		public Builder maxIdleTime(@Nullable Duration maxIdleTime) {
			if (maxIdleTime != null && (maxIdleTime.isNegative() || maxIdleTime.isZero())) {
				throw new IllegalArgumentException("maxIdleTime must be positive but was " + maxIdleTime);
			}
			this.maxIdleTime = maxIdleTime;
			return this;
		}

		/**
		 * A tracker that reports the lifecycle of the client's connections as
		 * {@link io.lionfuncs.network.connection.ConnectionEvent}s, named like the client.
		 * It is attached to the connector the client builds (with a pool of its own or a
		 * given one; the waiting acquires are read only from its own); with a given
		 * connector or WebClient it cannot see the connections and is left out, with a
		 * warning.
		 * @param connectionTracker the tracker, or {@code null} for none
		 * @return this builder
		 */
		public Builder connectionTracker(@Nullable ConnectionTracker connectionTracker) {
			this.connectionTracker = connectionTracker;
			return this;
		}

		/**
		 * A circuit breaker around every attempt.
		 * @param circuitBreaker the breaker, or {@code null} for none
		 * @return this builder
		 */
		public Builder circuitBreaker(@Nullable CircuitBreaker circuitBreaker) {
			this.circuitBreaker = circuitBreaker;
			this.circuitBreakerSettings = null;
			return this;
		}

		/**
		 * A circuit breaker named {@code lionfuncs-<name>}, built from settings.
		 * @param settings the settings
		 * @return this builder
		 */
		public Builder circuitBreaker(CircuitBreakerSettings settings) {
			this.circuitBreakerSettings = Objects.requireNonNull(settings, "settings must not be null");
			this.circuitBreaker = null;
			return this;
		}

		/**
		 * A retry around the circuit breaker; see the class documentation for what a
		 * configuration of your own must carry.
		 * @param retry the retry, or {@code null} for none
		 * @return this builder
		 */
		public Builder retry(@Nullable Retry retry) {
			this.retry = retry;
			this.retrySettings = null;
			return this;
		}

		/**
		 * A retry named {@code lionfuncs-<name>}, built from settings.
		 * @param settings the settings
		 * @return this builder
		 */
		public Builder retry(RetrySettings settings) {
			this.retrySettings = Objects.requireNonNull(settings, "settings must not be null");
			this.retry = null;
			return this;
		}

		private @Nullable CircuitBreaker resolveCircuitBreaker() {
			return (this.circuitBreakerSettings != null)
					? CircuitBreaker.of(instanceName(), this.circuitBreakerSettings.toCircuitBreakerConfig())
					: this.circuitBreaker;
		}

		private @Nullable Retry resolveRetry() {
			return (this.retrySettings != null) ? Retry.of(instanceName(), this.retrySettings.toRetryConfig())
					: this.retry;
		}

		private String instanceName() {
			return "lionfuncs-" + this.name;
		}

		/**
		 * Redacts headers and URLs in exceptions and events; the defaults plus any names
		 * configured.
		 * @param redactor the redactor
		 * @return this builder
		 */
		public Builder redactor(Redactor redactor) {
			this.redactor = Objects.requireNonNull(redactor, "redactor must not be null");
			return this;
		}

		/**
		 * The clock that a {@code Retry-After} HTTP-date is measured against.
		 * @param clock the clock
		 * @return this builder
		 */
		public Builder clock(Clock clock) {
			this.clock = Objects.requireNonNull(clock, "clock must not be null");
			return this;
		}

		/**
		 * Builds the client.
		 * @return the client
		 * @throws IllegalArgumentException if settings contradict each other
		 */
		public AsyncApiClient build() {
			WebClient given = this.webClient;
			boolean nettyCustomized = this.connectionProvider != null || !this.connectionProviderCustomizers.isEmpty()
					|| !this.httpClientCustomizers.isEmpty();
			if (given != null && (this.webClientBuilder != null || this.connector != null || nettyCustomized)) {
				throw new IllegalArgumentException("A given WebClient keeps its own connector: do not also set "
						+ "webClientBuilder, connector, connectionProvider or Reactor Netty customizers");
			}
			if (this.connector != null && nettyCustomized) {
				throw new IllegalArgumentException("A given connector is used as it is: do not also set "
						+ "connectionProvider or Reactor Netty customizers");
			}
			if (this.connectionProvider != null && !this.connectionProviderCustomizers.isEmpty()) {
				throw new IllegalArgumentException(
						"connectionProviderCustomizer applies to a pool the client builds, not to a given connectionProvider");
			}
			ConnectionTracker tracker = this.connectionTracker;
			if (tracker != null && !tracker.getClientName().equals(this.name)) {
				throw new IllegalArgumentException("connectionTracker is named '" + tracker.getClientName()
						+ "' but the client '" + this.name + "': build it with ConnectionTracker.builder(\"" + this.name
						+ "\")");
			}
			if (tracker != null && (given != null || this.connector != null)) {
				logger.warn("Client '{}': no connection events, the client uses a given {} whose connections it "
						+ "cannot see", this.name, (given != null) ? "WebClient" : "connector");
				tracker = null;
			}
			if (given != null && this.baseUrl == null && this.auth == null && this.webClientCustomizers.isEmpty()) {
				return new AsyncApiClient(this, given, null, null);
			}
			WebClient.Builder builder;
			ReactorNettyConnector own = null;
			if (given != null) {
				builder = given.mutate();
			}
			else {
				builder = (this.webClientBuilder != null) ? this.webClientBuilder.clone() : WebClient.builder();
				if (this.connector != null) {
					builder.clientConnector(this.connector);
				}
				else {
					own = ReactorNettyConnector.create(instanceName(), this.timeout, this.maxIdleTime, tracker,
							this.connectionProvider, this.connectionProviderCustomizers, this.httpClientCustomizers);
					builder.clientConnector(own.connector());
				}
			}
			if (this.baseUrl != null) {
				builder.baseUrl(this.baseUrl);
			}
			if (this.auth != null) {
				builder.filter(this.auth);
			}
			this.webClientCustomizers.forEach((customizer) -> customizer.accept(builder));
			return new AsyncApiClient(this, builder.build(), own, (own != null) ? tracker : null);
		}

	}

}
