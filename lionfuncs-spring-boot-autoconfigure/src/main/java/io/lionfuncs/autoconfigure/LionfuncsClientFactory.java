package io.lionfuncs.autoconfigure;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.github.resilience4j.retry.RetryRegistry;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.Redactor;
import io.lionfuncs.network.client.AsyncApiClient;
import io.lionfuncs.network.client.CircuitBreakerSettings;
import io.lionfuncs.network.client.RetrySettings;
import io.lionfuncs.network.client.StreamSettings;
import io.lionfuncs.network.connection.ConnectionEventListener;
import io.lionfuncs.network.connection.ConnectionTracker;
import io.lionfuncs.network.limit.BucketSettings;
import org.jspecify.annotations.Nullable;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.web.reactive.function.client.WebClient;

/**
 * Creates the {@link AsyncApiClient}s described by {@link LionfuncsProperties}: the
 * default one ({@code lionfuncs.client}) and one per named client
 * ({@code lionfuncs.clients.<name>}). Each is built from a clone of Spring Boot's
 * {@link WebClient.Builder}, so observations and customizers apply (taken when the client
 * builds its WebClient, at its warm-up: {@link ClientsWarmup}), with a Resilience4j
 * {@link CircuitBreaker} and {@link Retry} named {@code lionfuncs-<name>}: taken from
 * Boot's registries when present, where an instance of that name configured under
 * {@code resilience4j.*} wins over the {@code lionfuncs.*} values.
 * <p>
 * Each client's pool follows {@code lionfuncs.connections.*}: connections idle longer
 * than {@code max-idle-time} are closed; the pool has {@code max-connections} per host,
 * by default Reactor Netty's number raised to the concurrency limit of the client's
 * executor, so that no call the executor lets leave waits for a connection; and (unless
 * {@code events} is off) a
 * {@link ConnectionTracker} named after the client reports its connection events to the
 * {@link ConnectionEventListener}s. The writes of the calls its executor makes are paced
 * by a bucket of that executor's shape ({@link AsyncApiClient.Builder#writePacing}).
 * These are set before the {@link LionfuncsClientCustomizer}s run, so a customizer can
 * change them.
 *
 * @since 0.1.0
 */
class LionfuncsClientFactory {

	private final LionfuncsProperties properties;

	private final Supplier<WebClient.@Nullable Builder> webClientBuilder;

	private final @Nullable CircuitBreakerRegistry circuitBreakerRegistry;

	private final @Nullable RetryRegistry retryRegistry;

	private final List<LionfuncsClientCustomizer> customizers;

	private final Supplier<List<ConnectionEventListener>> connectionListeners;

	LionfuncsClientFactory(LionfuncsProperties properties, Supplier<WebClient.@Nullable Builder> webClientBuilder,
			@Nullable CircuitBreakerRegistry circuitBreakerRegistry, @Nullable RetryRegistry retryRegistry,
			List<LionfuncsClientCustomizer> customizers) {
		this(properties, webClientBuilder, circuitBreakerRegistry, retryRegistry, customizers, List::of);
	}

	/**
	 * Creates a factory.
	 * @param properties the properties
	 * @param webClientBuilder Spring Boot's WebClient builder, if any
	 * @param circuitBreakerRegistry Boot's circuit breaker registry, if any
	 * @param retryRegistry Boot's retry registry, if any
	 * @param customizers the customizers, in order
	 * @param connectionListeners the listeners of every client's connection events, looked
	 * up when a client is created
	 */
	LionfuncsClientFactory(LionfuncsProperties properties, Supplier<WebClient.@Nullable Builder> webClientBuilder,
			@Nullable CircuitBreakerRegistry circuitBreakerRegistry, @Nullable RetryRegistry retryRegistry,
			List<LionfuncsClientCustomizer> customizers,
			Supplier<List<ConnectionEventListener>> connectionListeners) {
		this.properties = properties;
		this.webClientBuilder = webClientBuilder;
		this.circuitBreakerRegistry = circuitBreakerRegistry;
		this.retryRegistry = retryRegistry;
		this.customizers = customizers;
		this.connectionListeners = connectionListeners;
	}

	/**
	 * Creates the default client.
	 * @return the client
	 */
	public AsyncApiClient createDefault() {
		return create(AsyncApiClient.DEFAULT_NAME, this.properties.getClient(), "lionfuncs.client",
				this.properties.getExecutor());
	}

	/**
	 * Creates a named client.
	 * @param name the client's name
	 * @return the client
	 */
	public AsyncApiClient createNamed(String name) {
		LionfuncsProperties.NamedClient client = this.properties.getClients().get(name);
		if (client == null) {
			throw new IllegalStateException("No client named '" + name + "' under lionfuncs.clients");
		}
		return create(name, client, "lionfuncs.clients." + name, client.getExecutor());
	}

	private AsyncApiClient create(String name, LionfuncsProperties.Client client, String prefix,
			LionfuncsProperties.Executor executor) {
		Redactor redactor = Redactor.withAdditionalNames(this.properties.getRedactHeaders());
		AsyncApiClient.Builder builder = AsyncApiClient.builder()
			.name(name)
			.baseUrl(validBaseUrl(client.getBaseUrl(), prefix + ".base-url"))
			.defaultHeaders(ConfiguredHeaders.check(client.getHeaders(), prefix + ".headers", redactor))
			.redactor(redactor);
		setting(prefix + ".timeout", client.getTimeout(), () -> builder.timeout(client.getTimeout()));
		setting(prefix + ".stream-idle-timeout", client.getStreamIdleTimeout(),
				() -> builder.streaming(new StreamSettings(client.getStreamIdleTimeout(), client.isStreamUsage())));
		// Boot's builder (and the connector made with it) only when the client builds its
		// WebClient: at its warm-up, in the background, rather than during start-up.
		builder.webClientBuilderSupplier(this.webClientBuilder);
		builder.writePacing(requestsBucket(executor));
		if (client.getCircuitBreaker().isEnabled()) {
			builder.circuitBreaker(circuitBreaker("lionfuncs-" + name, client.getCircuitBreaker(), prefix));
		}
		if (client.getRetry().isEnabled()) {
			builder.retry(retry("lionfuncs-" + name, client.getRetry(), prefix));
		}
		connections(name, builder, executor.getConcurrencyLimit());
		this.customizers.forEach((customizer) -> customizer.customize(name, builder));
		AsyncApiClient built = builder.build();
		if (built.getBaseUrl() == null) {
			// Checked last, so that a wrong value of another key is reported first; a
			// customizer may have set the URL.
			built.close();
			throw missingBaseUrl(name, prefix);
		}
		return built;
	}

	/**
	 * The request bucket of the executor the properties describe, which the client's
	 * writes are paced by; {@code null} when its values are invalid, which the executor's
	 * own creation reports.
	 */
	private static @Nullable BucketSettings requestsBucket(LionfuncsProperties.Executor executor) {
		try {
			return ExecutorSettings.builder()
				.requestsRate(executor.getRequestsRate())
				.requestsPeriod(executor.getRequestsPeriod())
				.requestsBucketCapacity(executor.getRequestsBucketCapacity())
				.build()
				.requestsBucket();
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	private static InvalidLionfuncsPropertyException missingBaseUrl(String name, String prefix) {
		String why = AsyncApiClient.DEFAULT_NAME.equals(name)
				? "the lionfuncs.client.* properties configure a default client, which needs one "
						+ "(or remove them for no default client)"
				: "every client under lionfuncs.clients needs one";
		return new InvalidLionfuncsPropertyException(prefix + ".base-url", null,
				"the base URL of the API, such as https://api.example.com/v1: " + why);
	}

	private void connections(String name, AsyncApiClient.Builder builder, int concurrencyLimit) {
		LionfuncsProperties.Connections connections = this.properties.getConnections();
		Duration maxIdleTime = connections.getMaxIdleTime();
		setting("lionfuncs.connections.max-idle-time", maxIdleTime, () -> builder.maxIdleTime(maxIdleTime));
		Integer maxConnections = connections.getMaxConnections();
		if (maxConnections != null) {
			if (maxConnections < 1) {
				throw new InvalidLionfuncsPropertyException("lionfuncs.connections.max-connections", maxConnections,
						"a number of connections of at least 1");
			}
			builder.connectionProviderCustomizer((pool) -> pool.maxConnections(maxConnections));
		}
		else if (concurrencyLimit > ConnectionProvider.DEFAULT_POOL_MAX_CONNECTIONS) {
			// A connection for every call the executor lets be in flight: none holds a slot
			// waiting for one.
			builder.connectionProviderCustomizer((pool) -> pool.maxConnections(concurrencyLimit));
		}
		if (connections.isEvents()) {
			builder.connectionTracker(ConnectionTracker.builder(name)
				.captureData(connections.isCaptureData())
				.listeners(this.connectionListeners.get())
				.build());
		}
	}

	private CircuitBreaker circuitBreaker(String instance, LionfuncsProperties.CircuitBreaker properties,
			String prefix) {
		CircuitBreakerConfig config = settings(prefix + ".circuit-breaker",
				() -> CircuitBreakerSettings.builder()
					.failureThreshold(properties.getFailureThreshold())
					.recoveryTime(properties.getRecoveryTime())
					.halfOpenMaxCalls(properties.getHalfOpenMaxCalls())
					.build())
			.toCircuitBreakerConfig();
		CircuitBreakerRegistry registry = this.circuitBreakerRegistry;
		if (registry == null) {
			return CircuitBreaker.of(instance, config);
		}
		return registry.find(instance).orElseGet(() -> registry.circuitBreaker(instance, config));
	}

	private Retry retry(String instance, LionfuncsProperties.Retry properties, String prefix) {
		RetryConfig config = settings(prefix + ".retry",
				() -> RetrySettings.builder()
					.maxRetries(properties.getMaxRetries())
					.baseDelay(properties.getBaseDelay())
					.maxDelay(properties.getMaxDelay())
					.backoffFactor(properties.getBackoffFactor())
					.jitter(properties.isJitter())
					.build())
			.toRetryConfig();
		RetryRegistry registry = this.retryRegistry;
		if (registry == null) {
			return Retry.of(instance, config);
		}
		return registry.find(instance).orElseGet(() -> registry.retry(instance, config));
	}

	/**
	 * Builds settings whose validation names the setting first ("maxRetries must be..."),
	 * and reports a failure under the full property key.
	 */
	private static <T> T settings(String prefix, Supplier<T> factory) {
		try {
			return factory.get();
		}
		catch (IllegalArgumentException ex) {
			String message = String.valueOf(ex.getMessage());
			String setting = message.split(" ", 2)[0];
			String value = message.contains(" but was ") ? message.substring(message.lastIndexOf(" but was ") + 9)
					: "?";
			String expected = message.contains(" must be ") ? message.substring(message.indexOf(" must be ") + 9,
					message.contains(" but was ") ? message.lastIndexOf(" but was ") : message.length()) : message;
			throw new InvalidLionfuncsPropertyException(prefix + "." + LionfuncsExecutorFactory.kebab(setting), value,
					expected, ex);
		}
	}

	private static void setting(String property, Object value, Runnable apply) {
		try {
			apply.run();
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidLionfuncsPropertyException(property, value, "a positive duration", ex);
		}
	}

	private static @Nullable String validBaseUrl(@Nullable String baseUrl, String property) {
		if (baseUrl == null || baseUrl.isBlank()) {
			return null;
		}
		if (!ConfiguredHeaders.unresolvedPlaceholders(baseUrl).isEmpty()) {
			throw ConfiguredHeaders.unresolvedPlaceholders(property, baseUrl,
					String.valueOf(Redactor.defaults().url(baseUrl)), "the property");
		}
		try {
			URI uri = new URI(baseUrl);
			String scheme = (uri.getScheme() != null) ? uri.getScheme().toLowerCase(Locale.ROOT) : "";
			if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
				return baseUrl;
			}
		}
		catch (Exception ex) {
			// reported below
		}
		throw new InvalidLionfuncsPropertyException(property, Redactor.defaults().url(baseUrl),
				"an absolute http:// or https:// URL with a host, such as https://api.example.com/v1");
	}

}
