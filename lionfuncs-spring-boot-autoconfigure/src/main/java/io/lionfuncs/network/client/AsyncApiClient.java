package io.lionfuncs.network.client;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.Redactor;
import io.lionfuncs.network.TaskRequest;
import io.lionfuncs.network.connection.ConnectionTracker;
import io.lionfuncs.network.limit.BucketSettings;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

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
 * <strong>A request never leaves its origin</strong>: whatever its template or variables
 * hold, the URI it is sent to has the base URL's scheme, host and port and a path under
 * the base URL's path, or the request fails with an {@link ApiClientException} before a
 * byte is sent; see {@link Builder#baseUrl(String)}.
 * <p>
 * <strong>Resources.</strong> Unless given a {@link WebClient} or a
 * {@link ClientHttpConnector}, the client builds its own Reactor Netty connector and
 * pool, which {@link #close()} disposes. Requests wait for its connections within the
 * timeout (a pool that refuses one anyway gives an {@link ApiConnectionException}: not
 * sent), and none is used idle too long for the server's keep-alive; see
 * {@link Builder#maxIdleTime(Duration)}.
 */
public final class AsyncApiClient implements AutoCloseable {

	/** The timeout of each attempt unless configured. */
	public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

	/** How long a pooled connection may stay idle unless configured: below a common 5 s. */
	public static final Duration DEFAULT_MAX_IDLE_TIME = Duration.ofSeconds(4);

	/** The name of a client unless configured. */
	public static final String DEFAULT_NAME = "default";

	/** Keys accepted by {@link #call(Map)}. */
	public static final Set<String> CALL_KEYS = Set.of("method", "url", "params", "json", "data", "headers",
			"timeout");

	private static final Logger logger = LoggerFactory.getLogger(AsyncApiClient.class);

	private final String name;

	private final @Nullable String baseUrl;

	private final Duration timeout;

	private final Redactor redactor;

	private final RequestEncoder encoder;

	private final ClientTransport transport;

	private final WholeBodyExchange wholeBody;

	private final ResiliencePipeline resilience;

	private final ExecutorCalls executorCalls;

	private final StreamingCalls streaming;

	private final AtomicBoolean closed = new AtomicBoolean();

	AsyncApiClient(DefaultAsyncApiClientBuilder settings) {
		this.name = settings.name;
		this.baseUrl = settings.baseUrl;
		this.timeout = settings.timeout;
		this.redactor = settings.redactor;
		this.encoder = new RequestEncoder(settings.baseUrl, settings.defaultHeaders, settings.redactor);
		this.transport = ClientTransport.create(settings, this.encoder.origin());
		ErrorMapper errors = new ErrorMapper(settings.redactor, settings.clock);
		this.wholeBody = new WholeBodyExchange(errors, settings.redactor);
		this.executorCalls = new ExecutorCalls(this.name, this.encoder);
		this.resilience = new ResiliencePipeline(this.name, settings.resolveCircuitBreaker(), settings.resolveRetry(),
				errors, this.executorCalls::reportAttempt);
		this.streaming = new StreamingCalls(settings, this.encoder, this.transport, this.resilience, errors,
				this.executorCalls, this.closed::get);
	}

	/**
	 * Starts building a client.
	 * @return a builder
	 */
	public static Builder builder() {
		return new DefaultAsyncApiClientBuilder();
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

	/** Encodes (or refuses) the request, and sends it through the pipeline. */
	private <T> Mono<ApiResponse<T>> execute(ApiRequest request, ResponseBodies.BodyReader<T> reader) {
		Objects.requireNonNull(request, "request must not be null");
		Duration attemptTimeout = (request.timeout() != null) ? request.timeout() : this.timeout;
		return Mono.defer(() -> {
			if (this.closed.get()) {
				return Mono.error(new IllegalStateException("AsyncApiClient '" + this.name + "' is closed"));
			}
			return this.transport.withWebClient((webClient) -> {
				RequestEncoder.Encoded encoded = this.encoder.encode(webClient, request);
				Mono<ApiResponse<T>> attempt = this.wholeBody.attempt(encoded.spec(), request.method(), reader,
						encoded.target(), attemptTimeout);
				return this.resilience.protect(attempt, encoded.target(), attemptTimeout);
			});
		});
	}

	// ---------------------------------------------------------------- streams

	/**
	 * Sends a request whose response is streamed, and returns its events as they arrive:
	 * server-sent events, or one per line of newline-delimited JSON; see
	 * {@link ServerSentEvent}. Attempts are retried only before the stream's first byte,
	 * which the timeout bounds; once started, a stream fails when idle longer than
	 * {@link StreamSettings#idleTimeout()}. Cancelling closes the connection.
	 * @param request the request, sent when subscribed
	 * @return the events; fails with an {@link ApiClientException}
	 */
	public Flux<ServerSentEvent> stream(ApiRequest request) {
		return this.streaming.stream(request, StreamingCalls.EVENTS);
	}

	/**
	 * Sends a request whose response is streamed, and returns the data of its events as
	 * JSON, up to OpenAI's {@code data: [DONE]}; see {@link #stream(ApiRequest)}.
	 * @param request the request, sent when subscribed
	 * @return the JSON payloads
	 */
	public Flux<JsonNode> streamJson(ApiRequest request) {
		return this.streaming.stream(request, StreamingCalls.JSON);
	}

	/**
	 * Takes a lease of an executor for a streamed request: once granted (a slot held and
	 * the tokens reserved, its event {@code CALLING}), the {@link ApiStream} sends the
	 * request when read and holds the slot until the stream ends, the event recording
	 * its first byte, its end and the usage the stream reported. A 429 before the first
	 * byte pauses the executor. Cancelling the subscription before the grant cancels the
	 * request.
	 * @param executor the executor
	 * @param request the request
	 * @param numApiTokensNeeded API tokens to reserve, trued up from the stream's usage
	 * @return the stream, once its lease is granted
	 */
	public Mono<ApiStream> stream(Executor executor, ApiRequest request, long numApiTokensNeeded) {
		return this.streaming.stream(executor, request, numApiTokensNeeded);
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
		return this.executorCalls.task(request, () -> exchange(request).map(ApiResponse::toCallResult));
	}

	/**
	 * Submits a request to an executor without blocking; see {@link #task}.
	 * @param executor the executor
	 * @param request the request
	 * @return the request's event once queued; await it with
	 * {@link NetworkRequestEvent#toMono()} or {@link NetworkRequestEvent#completion()}
	 */
	public Mono<NetworkRequestEvent> submit(Executor executor, ApiRequest request) {
		return this.executorCalls.submit(executor, task(request));
	}

	/**
	 * Submits a request to an executor; see {@link #task} and
	 * {@link Executor#submitTask(TaskRequest)}.
	 * @param executor the executor
	 * @param request the request
	 * @return the request's event, already queued
	 */
	public NetworkRequestEvent submitTask(Executor executor, ApiRequest request) {
		return this.executorCalls.submitTask(executor, task(request));
	}

	// ---------------------------------------------------------------- lifecycle

	/**
	 * Prepares the transport, so that the first request does not wait for it: the
	 * client's WebClient (built when first needed) and Reactor Netty's event loops, host
	 * name resolver and native libraries of the client's own connector. A given WebClient
	 * or connector is left alone.
	 * @return completes when the transport is ready
	 */
	public Mono<Void> warmup() {
		return warmup(false);
	}

	/**
	 * Prepares the transport like {@link #warmup()} and, when asked, opens one pooled
	 * connection to the base URL with a {@code HEAD} request to it (without the client's
	 * headers or credentials; any status will do).
	 * @param preconnect whether to open a connection
	 * @return completes when ready; fails when the connection could not be opened
	 */
	public Mono<Void> warmup(boolean preconnect) {
		return Mono.defer(() -> this.closed.get()
				? Mono.error(new IllegalStateException("AsyncApiClient '" + this.name + "' is closed"))
				: this.transport.warmup(preconnect));
	}

	/**
	 * Closes the client: later requests fail, and the connection pool the client built
	 * is disposed (without waiting; see {@link #closeAsync()}): its idle connections close
	 * at once, busy ones when their exchange ends. A pool, connector or WebClient it was
	 * given is left alone. Idempotent.
	 */
	@Override
	public void close() {
		this.closed.set(true);
		this.transport.disposeLater()
			.subscribe(null, (ex) -> logger.warn("Client '{}': disposing its connection pool failed", this.name, ex));
	}

	/**
	 * Closes the client like {@link #close()}.
	 * @return completes once the client's own connection pool is disposed
	 */
	public Mono<Void> closeAsync() {
		this.closed.set(true);
		return this.transport.disposeLater();
	}

	public boolean isClosed() {
		return this.closed.get();
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

	public StreamSettings getStreamSettings() {
		return this.streaming.settings();
	}

	public WebClient getWebClient() {
		return this.transport.webClient();
	}

	public @Nullable CircuitBreaker getCircuitBreaker() {
		return this.resilience.circuitBreaker();
	}

	public @Nullable Retry getRetry() {
		return this.resilience.retry();
	}

	/**
	 * The default headers, sensitive values redacted.
	 * @return the headers
	 */
	public Map<String, String> getDefaultHeaders() {
		return this.redactor.headers(this.encoder.defaultHeaders());
	}

	/**
	 * The tracker of the client's connection events, given one and its own connector.
	 * @return the tracker, or {@code null}
	 */
	public @Nullable ConnectionTracker getConnectionTracker() {
		return this.transport.connectionTracker();
	}

	/**
	 * The Reactor Netty pool of the connector the client built (its own, or one given).
	 * @return the pool, or {@code null} when given a WebClient or a connector
	 */
	public @Nullable ConnectionProvider getConnectionProvider() {
		return this.transport.connectionProvider();
	}

	/**
	 * How long a connection of the pool the client built may stay idle at most.
	 * @return the max idle time, or {@code null} without a pool of its own or a limit
	 */
	public @Nullable Duration getMaxIdleTime() {
		return this.transport.maxIdleTime();
	}

	@Nullable ConnectionProvider ownedConnectionProvider() {
		return this.transport.ownedConnectionProvider();
	}

	@Override
	public String toString() {
		return "AsyncApiClient[name=" + this.name + ", baseUrl=" + this.redactor.url(this.baseUrl) + "]";
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
	public interface Builder {

		/**
		 * The client's name, for logs, metrics and the Resilience4j instances built from
		 * settings ({@code lionfuncs-<name>}).
		 * @param name the name
		 * @return this builder
		 */
		Builder name(String name);

		/**
		 * The base URL that relative URI templates are resolved against, and the origin
		 * every request must stay on: the URI a request is sent to (templates expanded
		 * and encoded) must have its scheme, host and port and a path under its path,
		 * whatever the template or its variables hold ({@code //host/x}, {@code \\host},
		 * {@code ..}, {@code %2e%2e}, an absolute URL); otherwise the request fails with
		 * an {@link ApiClientException} before a byte is sent. Without a base URL a
		 * request goes where its absolute {@code http} or {@code https} URL points (or,
		 * relative, where a given WebClient's own base URL resolves it). Either way its
		 * URI must have a host, no fragment, no user info of its own and no dot segment,
		 * backslash or empty segment in its path, raw or percent-encoded.
		 * @param baseUrl an absolute {@code http} or {@code https} URL, or {@code null}
		 * @return this builder
		 */
		Builder baseUrl(@Nullable String baseUrl);

		/**
		 * How long each attempt (connect, response and body) may take; 10 s by default.
		 * Also the connect timeout of a connector the client builds.
		 * @param timeout the timeout, positive
		 * @return this builder
		 */
		Builder timeout(Duration timeout);

		/**
		 * Adds a header sent with every request (a request's own of that name wins).
		 * @param name the header name
		 * @param values the values
		 * @return this builder
		 */
		Builder defaultHeader(String name, String... values);

		/**
		 * Adds headers sent with every request.
		 * @param headers the headers
		 * @return this builder
		 */
		Builder defaultHeaders(Map<String, String> headers);

		/**
		 * Authentication, applied to every attempt; see {@link ApiAuth}.
		 * @param auth a filter that adds credentials, or {@code null}
		 * @return this builder
		 */
		Builder auth(@Nullable ExchangeFilterFunction auth);

		/**
		 * A WebClient to use. Its connector is shared and never closed by the client;
		 * base URL, auth and customizers are applied to a mutated copy.
		 * @param webClient the WebClient
		 * @return this builder
		 */
		Builder webClient(@Nullable WebClient webClient);

		/**
		 * A WebClient builder to start from, cloned, e.g. Spring Boot's.
		 * @param webClientBuilder the builder
		 * @return this builder
		 */
		Builder webClientBuilder(WebClient.@Nullable Builder webClientBuilder);

		/**
		 * The WebClient builder to start from, cloned, supplied only when the client
		 * builds its WebClient (its warm-up or first request): for a builder that is
		 * costly to get, such as Spring Boot's, whose connector is made with it.
		 * @param webClientBuilderSupplier supplies the builder, or {@code null} for a new
		 * one
		 * @return this builder
		 */
		Builder webClientBuilderSupplier(@Nullable Supplier<WebClient.@Nullable Builder> webClientBuilderSupplier);

		/**
		 * Further customisation of the WebClient builder (codecs, filters, observation
		 * convention), applied last, when the client builds its WebClient: at its
		 * warm-up or first request.
		 * @param customizer the customizer
		 * @return this builder
		 */
		Builder webClientCustomizer(Consumer<WebClient.Builder> customizer);

		/**
		 * A connector to use instead of building one; not closed by the client.
		 * @param connector the connector
		 * @return this builder
		 */
		Builder connector(@Nullable ClientHttpConnector connector);

		/**
		 * A pool for the connector the client builds; never disposed by the client.
		 * @param connectionProvider the pool
		 * @return this builder
		 */
		Builder connectionProvider(@Nullable ConnectionProvider connectionProvider);

		/**
		 * Customises the connection pool the client builds and owns (max connections,
		 * waiting acquires, metrics...). Its idle policy is {@link #maxIdleTime}: an
		 * eviction predicate set here replaces it, and the pool's own max idle time is
		 * not used.
		 * @param customizer the customizer
		 * @return this builder
		 */
		Builder connectionProviderCustomizer(Consumer<ConnectionProvider.Builder> customizer);

		/**
		 * Customises the Reactor Netty client of the connector the client builds
		 * (connection observers, wiretap, SSL...); applied in order.
		 * @param customizer returns the customised client
		 * @return this builder
		 */
		Builder httpClientCustomizer(UnaryOperator<HttpClient> customizer);

		/**
		 * How long a connection of the pool the client builds may stay idle before the
		 * pool closes it; 4 s by default. A server's own keep-alive, learned from its
		 * {@code Keep-Alive: timeout=N} header and from the idle time after which it
		 * closed a connection, shortens it (less a quarter, at least 100 ms), so that no
		 * request is sent on a connection the server is closing. A request that still
		 * fails on a connection the server had closed is sent once more on another
		 * connection when it provably was not sent or its method is idempotent. Applies
		 * only to a pool the client builds (not to a given
		 * {@link #connectionProvider(ConnectionProvider) pool}, connector or WebClient).
		 * @param maxIdleTime the max idle time, positive, or {@code null} for no limit
		 * @return this builder
		 */
		Builder maxIdleTime(@Nullable Duration maxIdleTime);

		/**
		 * A tracker, named like the client, that reports the lifecycle of its connections
		 * as {@link io.lionfuncs.network.connection.ConnectionEvent}s. Attached to the
		 * connector the client builds (waiting acquires are read from its own pool only);
		 * left out, with a warning, with a given connector or WebClient.
		 * @param connectionTracker the tracker, or {@code null} for none
		 * @return this builder
		 */
		Builder connectionTracker(@Nullable ConnectionTracker connectionTracker);

		/**
		 * Paces the calls executors make through the client ({@link AsyncApiClient#task})
		 * where the server judges them: as their requests are written. Each attempt first
		 * takes a token from a local bucket of this shape, the executor's request
		 * bucket's ({@code ExecutorSettings#requestsBucket()}), waiting without blocking
		 * when it is empty, so that calls a connection's set-up or a cold JVM delayed do
		 * not reach the server together. Calls that keep the executor's schedule never
		 * wait; direct requests are not paced. Applies to a connector the client builds or
		 * is given, not to a given WebClient.
		 * @param requestsBucket the shape, or {@code null} for no pacing (the default)
		 * @return this builder
		 */
		Builder writePacing(@Nullable BucketSettings requestsBucket);

		/**
		 * A circuit breaker around every attempt. It counts what its configuration
		 * records (by default every exception, 404 included);
		 * {@link CircuitBreakerSettings#toCircuitBreakerConfig()} records only
		 * {@linkplain ApiFailures#isServiceFailure service failures}.
		 * @param circuitBreaker the breaker, or {@code null} for none
		 * @return this builder
		 */
		Builder circuitBreaker(@Nullable CircuitBreaker circuitBreaker);

		/**
		 * A circuit breaker named {@code lionfuncs-<name>}, built from settings.
		 * @param settings the settings
		 * @return this builder
		 */
		Builder circuitBreaker(CircuitBreakerSettings settings);

		/**
		 * A retry around the circuit breaker. One built from
		 * {@link RetrySettings#toRetryConfig()} carries the whole policy (what is
		 * retryable, idempotency, backoff, {@code Retry-After} within {@code maxDelay});
		 * one of your own decides alone what to retry and how long to wait: without
		 * {@code retryOnException(ApiFailures::isRetryable)} it may retry a {@code POST}
		 * after a 500, or a 404. Either way no attempt is sent before a
		 * {@code Retry-After} has passed.
		 * @param retry the retry, or {@code null} for none
		 * @return this builder
		 */
		Builder retry(@Nullable Retry retry);

		/**
		 * A retry named {@code lionfuncs-<name>}, built from settings.
		 * @param settings the settings
		 * @return this builder
		 */
		Builder retry(RetrySettings settings);

		/**
		 * How streamed requests behave: idle timeout, usage asked for; see
		 * {@link StreamSettings}.
		 * @param settings the settings
		 * @return this builder
		 */
		Builder streaming(StreamSettings settings);

		/**
		 * Redacts headers and URLs in exceptions and events.
		 * @param redactor the redactor
		 * @return this builder
		 */
		Builder redactor(Redactor redactor);

		/**
		 * The clock that a {@code Retry-After} HTTP-date is measured against.
		 * @param clock the clock
		 * @return this builder
		 */
		Builder clock(Clock clock);

		/**
		 * Builds the client.
		 * @return the client
		 * @throws IllegalArgumentException if settings contradict each other, or the base
		 * URL is not an absolute {@code http} or {@code https} URL with a host
		 */
		AsyncApiClient build();

	}

}
