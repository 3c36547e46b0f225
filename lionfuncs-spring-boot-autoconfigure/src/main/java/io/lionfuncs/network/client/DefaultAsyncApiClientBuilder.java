package io.lionfuncs.network.client;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.retry.Retry;
import io.lionfuncs.network.Redactor;
import io.lionfuncs.network.connection.ConnectionTracker;
import io.lionfuncs.network.limit.BucketSettings;
import org.jspecify.annotations.Nullable;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * The {@link AsyncApiClient.Builder}: what it collects is read by the client and its
 * transport when it is built.
 */
final class DefaultAsyncApiClientBuilder implements AsyncApiClient.Builder {

	String name = AsyncApiClient.DEFAULT_NAME;

	@Nullable String baseUrl;

	Duration timeout = AsyncApiClient.DEFAULT_TIMEOUT;

	final Map<String, List<String>> defaultHeaders = new LinkedHashMap<>();

	@Nullable ExchangeFilterFunction auth;

	@Nullable WebClient webClient;

	WebClient.@Nullable Builder webClientBuilder;

	@Nullable Supplier<WebClient.@Nullable Builder> webClientBuilderSupplier;

	final List<Consumer<WebClient.Builder>> webClientCustomizers = new ArrayList<>();

	@Nullable ClientHttpConnector connector;

	@Nullable ConnectionProvider connectionProvider;

	final List<Consumer<ConnectionProvider.Builder>> connectionProviderCustomizers = new ArrayList<>();

	final List<UnaryOperator<HttpClient>> httpClientCustomizers = new ArrayList<>();

	@Nullable Duration maxIdleTime = AsyncApiClient.DEFAULT_MAX_IDLE_TIME;

	@Nullable ConnectionTracker connectionTracker;

	@Nullable BucketSettings writePacing;

	@Nullable CircuitBreaker circuitBreaker;

	@Nullable CircuitBreakerSettings circuitBreakerSettings;

	@Nullable Retry retry;

	@Nullable RetrySettings retrySettings;

	StreamSettings streamSettings = StreamSettings.defaults();

	Redactor redactor = Redactor.defaults();

	Clock clock = Clock.systemUTC();

	@Override
	public AsyncApiClient.Builder name(String name) {
		if (name == null || name.isBlank()) {
			throw new IllegalArgumentException("name must not be empty");
		}
		this.name = name;
		return this;
	}

	@Override
	public AsyncApiClient.Builder baseUrl(@Nullable String baseUrl) {
		this.baseUrl = baseUrl;
		return this;
	}

	@Override
	public AsyncApiClient.Builder timeout(Duration timeout) {
		if (timeout == null || timeout.isNegative() || timeout.isZero()) {
			throw new IllegalArgumentException("timeout must be positive but was " + timeout);
		}
		this.timeout = timeout;
		return this;
	}

	@Override
	public AsyncApiClient.Builder defaultHeader(String name, String... values) {
		this.defaultHeaders.put(name, List.of(values));
		return this;
	}

	@Override
	public AsyncApiClient.Builder defaultHeaders(Map<String, String> headers) {
		headers.forEach(this::defaultHeader);
		return this;
	}

	@Override
	public AsyncApiClient.Builder auth(@Nullable ExchangeFilterFunction auth) {
		this.auth = auth;
		return this;
	}

	@Override
	public AsyncApiClient.Builder webClient(@Nullable WebClient webClient) {
		this.webClient = webClient;
		return this;
	}

	@Override
	public AsyncApiClient.Builder webClientBuilder(WebClient.@Nullable Builder webClientBuilder) {
		this.webClientBuilder = webClientBuilder;
		this.webClientBuilderSupplier = null;
		return this;
	}

	@Override
	public AsyncApiClient.Builder webClientBuilderSupplier(
			@Nullable Supplier<WebClient.@Nullable Builder> webClientBuilderSupplier) {
		this.webClientBuilderSupplier = webClientBuilderSupplier;
		this.webClientBuilder = null;
		return this;
	}

	@Override
	public AsyncApiClient.Builder webClientCustomizer(Consumer<WebClient.Builder> customizer) {
		this.webClientCustomizers.add(Objects.requireNonNull(customizer, "customizer must not be null"));
		return this;
	}

	@Override
	public AsyncApiClient.Builder connector(@Nullable ClientHttpConnector connector) {
		this.connector = connector;
		return this;
	}

	@Override
	public AsyncApiClient.Builder connectionProvider(@Nullable ConnectionProvider connectionProvider) {
		this.connectionProvider = connectionProvider;
		return this;
	}

	@Override
	public AsyncApiClient.Builder connectionProviderCustomizer(Consumer<ConnectionProvider.Builder> customizer) {
		this.connectionProviderCustomizers.add(Objects.requireNonNull(customizer, "customizer must not be null"));
		return this;
	}

	@Override
	public AsyncApiClient.Builder httpClientCustomizer(UnaryOperator<HttpClient> customizer) {
		this.httpClientCustomizers.add(Objects.requireNonNull(customizer, "customizer must not be null"));
		return this;
	}

	@Override
	public AsyncApiClient.Builder maxIdleTime(@Nullable Duration maxIdleTime) {
		if (maxIdleTime != null && (maxIdleTime.isNegative() || maxIdleTime.isZero())) {
			throw new IllegalArgumentException("maxIdleTime must be positive but was " + maxIdleTime);
		}
		this.maxIdleTime = maxIdleTime;
		return this;
	}

	@Override
	public AsyncApiClient.Builder connectionTracker(@Nullable ConnectionTracker connectionTracker) {
		this.connectionTracker = connectionTracker;
		return this;
	}

	@Override
	public AsyncApiClient.Builder writePacing(@Nullable BucketSettings requestsBucket) {
		this.writePacing = requestsBucket;
		return this;
	}

	@Override
	public AsyncApiClient.Builder circuitBreaker(@Nullable CircuitBreaker circuitBreaker) {
		this.circuitBreaker = circuitBreaker;
		this.circuitBreakerSettings = null;
		return this;
	}

	@Override
	public AsyncApiClient.Builder circuitBreaker(CircuitBreakerSettings settings) {
		this.circuitBreakerSettings = Objects.requireNonNull(settings, "settings must not be null");
		this.circuitBreaker = null;
		return this;
	}

	@Override
	public AsyncApiClient.Builder retry(@Nullable Retry retry) {
		this.retry = retry;
		this.retrySettings = null;
		return this;
	}

	@Override
	public AsyncApiClient.Builder retry(RetrySettings settings) {
		this.retrySettings = Objects.requireNonNull(settings, "settings must not be null");
		this.retry = null;
		return this;
	}

	@Override
	public AsyncApiClient.Builder streaming(StreamSettings settings) {
		this.streamSettings = Objects.requireNonNull(settings, "settings must not be null");
		return this;
	}

	@Override
	public AsyncApiClient.Builder redactor(Redactor redactor) {
		this.redactor = Objects.requireNonNull(redactor, "redactor must not be null");
		return this;
	}

	@Override
	public AsyncApiClient.Builder clock(Clock clock) {
		this.clock = Objects.requireNonNull(clock, "clock must not be null");
		return this;
	}

	@Override
	public AsyncApiClient build() {
		return new AsyncApiClient(this);
	}

	/**
	 * The circuit breaker: the one given, or one named {@code lionfuncs-<name>} built
	 * from settings.
	 */
	@Nullable CircuitBreaker resolveCircuitBreaker() {
		return (this.circuitBreakerSettings != null)
				? CircuitBreaker.of(instanceName(), this.circuitBreakerSettings.toCircuitBreakerConfig())
				: this.circuitBreaker;
	}

	/**
	 * The retry: the one given, or one named {@code lionfuncs-<name>} built from
	 * settings.
	 */
	@Nullable Retry resolveRetry() {
		return (this.retrySettings != null) ? Retry.of(instanceName(), this.retrySettings.toRetryConfig())
				: this.retry;
	}

	/**
	 * The name of the Resilience4j instances and of the connection pool built for the
	 * client.
	 */
	String instanceName() {
		return "lionfuncs-" + this.name;
	}

}
