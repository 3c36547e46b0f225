package io.lionfuncs.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.lionfuncs.network.QueueFullPolicy;
import io.lionfuncs.network.Redactor;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.budget.BudgetSettings;
import io.lionfuncs.network.limit.redis.RedisFailurePolicy;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Configuration properties for lionfuncs.
 *
 * @since 0.1.0
 */
@ConfigurationProperties("lionfuncs")
public class LionfuncsProperties {

	/**
	 * Whether to enable the lionfuncs auto-configuration.
	 */
	private boolean enabled = true;

	private final Executor executor = new Executor();

	private final Client client = new Client();

	/**
	 * More API clients, by name, each with its own executor.
	 */
	private final Map<String, NamedClient> clients = new LinkedHashMap<>();

	private final Events events = new Events();

	private final Connections connections = new Connections();

	private final Health health = new Health();

	private final Intercept intercept = new Intercept();

	/**
	 * Comma-separated list of header names whose values are redacted wherever requests
	 * are shown. Names that look like credentials are always redacted, and so are the
	 * defaults, even when this list omits them.
	 */
	private List<String> redactHeaders = new ArrayList<>(Redactor.DEFAULT_HEADERS);

	public boolean isEnabled() {
		return this.enabled;
	}

	public void setEnabled(boolean enabled) {
		this.enabled = enabled;
	}

	public Executor getExecutor() {
		return this.executor;
	}

	public Client getClient() {
		return this.client;
	}

	public Map<String, NamedClient> getClients() {
		return this.clients;
	}

	public Events getEvents() {
		return this.events;
	}

	public Connections getConnections() {
		return this.connections;
	}

	public Health getHealth() {
		return this.health;
	}

	public Intercept getIntercept() {
		return this.intercept;
	}

	public List<String> getRedactHeaders() {
		return this.redactHeaders;
	}

	public void setRedactHeaders(List<String> redactHeaders) {
		this.redactHeaders = redactHeaders;
	}

	/**
	 * Settings of an executor: its queue, workers, concurrency limit and token buckets.
	 */
	public static class Executor {

		/**
		 * Tasks that may wait in the queue.
		 */
		private int queueCapacity = 1000;

		/**
		 * Calls in flight at once.
		 */
		private int concurrencyLimit = 10;

		/**
		 * Request tokens added to the request bucket per requests-period.
		 */
		private double requestsRate = 10;

		/**
		 * Refill period of the request bucket.
		 */
		private Duration requestsPeriod = Duration.ofSeconds(1);

		/**
		 * Burst size of the request bucket. Defaults to requests-rate, rounded up.
		 */
		private @Nullable Long requestsBucketCapacity;

		/**
		 * API tokens (such as an LLM's tokens) added to the API-token bucket per
		 * api-tokens-period. When not set, calls are not limited by API tokens.
		 */
		private @Nullable Double apiTokensRate;

		/**
		 * Refill period of the API-token bucket.
		 */
		private Duration apiTokensPeriod = Duration.ofSeconds(60);

		/**
		 * Burst size of the API-token bucket. Defaults to api-tokens-rate, rounded up.
		 */
		private @Nullable Long apiTokensBucketCapacity;

		/**
		 * Dispatcher loops that move tasks from the queue to their call.
		 */
		private int numWorkers = 5;

		/**
		 * What a submission does when the queue is full: reject it at once, or wait up to
		 * submit-timeout for room.
		 */
		private QueueFullPolicy queueFullPolicy = QueueFullPolicy.REJECT;

		/**
		 * How long a submission waits for room in a full queue when queue-full-policy is
		 * 'wait'.
		 */
		private Duration submitTimeout = Duration.ofSeconds(5);

		/**
		 * How long a graceful stop lets queued calls run before cancelling the rest.
		 */
		private Duration shutdownTimeout = Duration.ofSeconds(30);

		/**
		 * Finished requests kept for the lionfuncs endpoint.
		 */
		private int recentCapacity = 100;

		private final RateLimiter rateLimiter = new RateLimiter();

		private final Usage usage = new Usage();

		private final ProviderHeaders providerHeaders = new ProviderHeaders();

		private final Pause pause = new Pause();

		public int getQueueCapacity() {
			return this.queueCapacity;
		}

		public void setQueueCapacity(int queueCapacity) {
			this.queueCapacity = queueCapacity;
		}

		public int getConcurrencyLimit() {
			return this.concurrencyLimit;
		}

		public void setConcurrencyLimit(int concurrencyLimit) {
			this.concurrencyLimit = concurrencyLimit;
		}

		public double getRequestsRate() {
			return this.requestsRate;
		}

		public void setRequestsRate(double requestsRate) {
			this.requestsRate = requestsRate;
		}

		public Duration getRequestsPeriod() {
			return this.requestsPeriod;
		}

		public void setRequestsPeriod(Duration requestsPeriod) {
			this.requestsPeriod = requestsPeriod;
		}

		public @Nullable Long getRequestsBucketCapacity() {
			return this.requestsBucketCapacity;
		}

		public void setRequestsBucketCapacity(@Nullable Long requestsBucketCapacity) {
			this.requestsBucketCapacity = requestsBucketCapacity;
		}

		public @Nullable Double getApiTokensRate() {
			return this.apiTokensRate;
		}

		public void setApiTokensRate(@Nullable Double apiTokensRate) {
			this.apiTokensRate = apiTokensRate;
		}

		public Duration getApiTokensPeriod() {
			return this.apiTokensPeriod;
		}

		public void setApiTokensPeriod(Duration apiTokensPeriod) {
			this.apiTokensPeriod = apiTokensPeriod;
		}

		public @Nullable Long getApiTokensBucketCapacity() {
			return this.apiTokensBucketCapacity;
		}

		public void setApiTokensBucketCapacity(@Nullable Long apiTokensBucketCapacity) {
			this.apiTokensBucketCapacity = apiTokensBucketCapacity;
		}

		public int getNumWorkers() {
			return this.numWorkers;
		}

		public void setNumWorkers(int numWorkers) {
			this.numWorkers = numWorkers;
		}

		public QueueFullPolicy getQueueFullPolicy() {
			return this.queueFullPolicy;
		}

		public void setQueueFullPolicy(QueueFullPolicy queueFullPolicy) {
			this.queueFullPolicy = queueFullPolicy;
		}

		public Duration getSubmitTimeout() {
			return this.submitTimeout;
		}

		public void setSubmitTimeout(Duration submitTimeout) {
			this.submitTimeout = submitTimeout;
		}

		public Duration getShutdownTimeout() {
			return this.shutdownTimeout;
		}

		public void setShutdownTimeout(Duration shutdownTimeout) {
			this.shutdownTimeout = shutdownTimeout;
		}

		public int getRecentCapacity() {
			return this.recentCapacity;
		}

		public void setRecentCapacity(int recentCapacity) {
			this.recentCapacity = recentCapacity;
		}

		public RateLimiter getRateLimiter() {
			return this.rateLimiter;
		}

		public Usage getUsage() {
			return this.usage;
		}

		public ProviderHeaders getProviderHeaders() {
			return this.providerHeaders;
		}

		public Pause getPause() {
			return this.pause;
		}

	}

	/**
	 * How an executor reads the API tokens a call really used, to reconcile its
	 * API-token bucket with the estimate (num-api-tokens-needed) reserved before the call.
	 */
	public static class Usage {

		/**
		 * Whether the API tokens a call used are read from its response, the unused part
		 * of the estimate given back to the API-token bucket and any excess taken from it
		 * (into debt, which delays the next calls). A UsageExtractor bean, when present,
		 * reads the usage instead of the JSON pointers.
		 */
		private boolean enabled = true;

		/**
		 * Comma-separated list of JSON pointers into the response body whose numbers are
		 * summed into the tokens used, such as /usage/input_tokens,/usage/output_tokens.
		 * The default also reads Anthropic's usage (input plus output tokens) and
		 * Ollama's (prompt_eval_count plus eval_count) when total_tokens is absent.
		 */
		private List<String> jsonPointers = new ArrayList<>(BudgetSettings.DEFAULT_USAGE_JSON_POINTERS);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public List<String> getJsonPointers() {
			return this.jsonPointers;
		}

		public void setJsonPointers(List<String> jsonPointers) {
			this.jsonPointers = jsonPointers;
		}

	}

	/**
	 * Provider rate-limit headers read by an executor: OpenAI x-ratelimit-*, Anthropic
	 * anthropic-ratelimit-*, and the IETF RateLimit-* and RateLimit fields.
	 */
	public static class ProviderHeaders {

		/**
		 * Whether the rate limits a provider reports in its response headers lower the
		 * executor's buckets when fewer requests or tokens remain than the buckets would
		 * let through before the limit resets. Buckets are never raised above their
		 * configuration.
		 */
		private boolean enabled = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

	}

	/**
	 * Pauses of an executor's dispatch asked for by its provider.
	 */
	public static class Pause {

		/**
		 * Whether a 429 (or a 503 with Retry-After, or an error with retry-after-ms), or
		 * a provider reporting that nothing remains of a limit, pauses the executor: no
		 * call leaves until the indicated time.
		 */
		private boolean enabled = true;

		/**
		 * How long a 429 without Retry-After pauses the executor. Zero for no pause.
		 */
		private Duration defaultDuration = Duration.ofSeconds(1);

		/**
		 * Longest pause a response can cause, however far its Retry-After or reset.
		 */
		private Duration maxDuration = Duration.ofMinutes(5);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public Duration getDefaultDuration() {
			return this.defaultDuration;
		}

		public void setDefaultDuration(Duration defaultDuration) {
			this.defaultDuration = defaultDuration;
		}

		public Duration getMaxDuration() {
			return this.maxDuration;
		}

		public void setMaxDuration(Duration maxDuration) {
			this.maxDuration = maxDuration;
		}

	}

	/**
	 * Where an executor's token buckets live.
	 */
	public static class RateLimiter {

		/**
		 * Where the token buckets live: 'local' to this process, or 'redis' to share one
		 * budget between replicas.
		 */
		private Store store = Store.LOCAL;

		/**
		 * Prefix of the Redis keys of the buckets: <key-prefix>:<executor>:<bucket>.
		 * Replicas share a budget when they use the same prefix and executor name.
		 */
		private String keyPrefix = "lionfuncs";

		/**
		 * What calls do while Redis cannot be reached, with store 'redis': 'fail-closed'
		 * makes them wait for Redis (up to max-unavailable-wait) and then fails them, so
		 * the shared budget is never exceeded; 'fail-open' limits each replica with a
		 * local bucket of rate / expected-replicas instead.
		 */
		private RedisFailurePolicy onRedisFailure = RedisFailurePolicy.FAIL_CLOSED;

		/**
		 * Replicas expected to share the Redis buckets. With on-redis-failure 'fail-open',
		 * each replica falls back to this share of the rate and capacity.
		 */
		private int expectedReplicas = 1;

		/**
		 * How long a Redis operation may take before Redis counts as unavailable and
		 * on-redis-failure applies.
		 */
		private Duration redisTimeout = Duration.ofSeconds(1);

		/**
		 * With on-redis-failure 'fail-closed', how long calls wait for an unavailable Redis
		 * to answer again, from the start of the outage, before they fail: a shorter blip
		 * delays calls (in their order) instead of failing them. 0 fails them at once.
		 */
		private Duration maxUnavailableWait = Duration.ofSeconds(5);

		public Store getStore() {
			return this.store;
		}

		public void setStore(Store store) {
			this.store = store;
		}

		public String getKeyPrefix() {
			return this.keyPrefix;
		}

		public void setKeyPrefix(String keyPrefix) {
			this.keyPrefix = keyPrefix;
		}

		public RedisFailurePolicy getOnRedisFailure() {
			return this.onRedisFailure;
		}

		public void setOnRedisFailure(RedisFailurePolicy onRedisFailure) {
			this.onRedisFailure = onRedisFailure;
		}

		public int getExpectedReplicas() {
			return this.expectedReplicas;
		}

		public void setExpectedReplicas(int expectedReplicas) {
			this.expectedReplicas = expectedReplicas;
		}

		public Duration getRedisTimeout() {
			return this.redisTimeout;
		}

		public void setRedisTimeout(Duration redisTimeout) {
			this.redisTimeout = redisTimeout;
		}

		public Duration getMaxUnavailableWait() {
			return this.maxUnavailableWait;
		}

		public void setMaxUnavailableWait(Duration maxUnavailableWait) {
			this.maxUnavailableWait = maxUnavailableWait;
		}

		/**
		 * Where token buckets live.
		 */
		public enum Store {

			/**
			 * In this process.
			 */
			LOCAL,

			/**
			 * In Redis, shared by every replica using the same executor name.
			 */
			REDIS

		}

	}

	/**
	 * Settings of an API client.
	 */
	public static class Client {

		/**
		 * Base URL of the API, such as https://api.example.com/v1.
		 */
		private @Nullable String baseUrl;

		/**
		 * Timeout of each attempt of a request.
		 */
		private Duration timeout = Duration.ofSeconds(10);

		/**
		 * Headers sent with every request.
		 */
		private Map<String, String> headers = new LinkedHashMap<>();

		/**
		 * Longest silence of a streamed response once it has started; the timeout bounds
		 * the time to its first byte.
		 */
		private Duration streamIdleTimeout = Duration.ofSeconds(60);

		/**
		 * Whether streamed requests ask for the final usage chunk, adding
		 * "stream_options": {"include_usage": true} to their JSON object body (OpenAI and
		 * compatible APIs leave usage out of a stream otherwise). Leave it off for
		 * providers that report usage unasked and refuse the field, such as Anthropic.
		 */
		private boolean streamUsage;

		private final CircuitBreaker circuitBreaker = new CircuitBreaker();

		private final Retry retry = new Retry();

		/**
		 * Whether the requests that other HTTP clients (RestClient, WebClient, Spring AI,
		 * LangChain4j) send to this client's base URL are governed by its executor, when
		 * lionfuncs.intercept.enabled is on.
		 */
		private boolean intercept = true;

		public boolean isIntercept() {
			return this.intercept;
		}

		public void setIntercept(boolean intercept) {
			this.intercept = intercept;
		}

		public @Nullable String getBaseUrl() {
			return this.baseUrl;
		}

		public void setBaseUrl(@Nullable String baseUrl) {
			this.baseUrl = baseUrl;
		}

		public Duration getTimeout() {
			return this.timeout;
		}

		public void setTimeout(Duration timeout) {
			this.timeout = timeout;
		}

		public Map<String, String> getHeaders() {
			return this.headers;
		}

		public void setHeaders(Map<String, String> headers) {
			this.headers = headers;
		}

		public Duration getStreamIdleTimeout() {
			return this.streamIdleTimeout;
		}

		public void setStreamIdleTimeout(Duration streamIdleTimeout) {
			this.streamIdleTimeout = streamIdleTimeout;
		}

		public boolean isStreamUsage() {
			return this.streamUsage;
		}

		public void setStreamUsage(boolean streamUsage) {
			this.streamUsage = streamUsage;
		}

		public CircuitBreaker getCircuitBreaker() {
			return this.circuitBreaker;
		}

		public Retry getRetry() {
			return this.retry;
		}

	}

	/**
	 * Settings of a named API client and of its own executor.
	 */
	public static class NamedClient extends Client {

		private final Executor executor = new Executor();

		public Executor getExecutor() {
			return this.executor;
		}

	}

	/**
	 * Circuit breaker of a client, built into a Resilience4j CircuitBreaker.
	 */
	public static class CircuitBreaker {

		/**
		 * Whether requests go through a circuit breaker.
		 */
		private boolean enabled = true;

		/**
		 * Consecutive failed calls (connection failures, timeouts and 5xx) that open the
		 * breaker.
		 */
		private int failureThreshold = 5;

		/**
		 * How long the breaker stays open before letting trial calls through.
		 */
		private Duration recoveryTime = Duration.ofSeconds(30);

		/**
		 * Trial calls let through while half open.
		 */
		private int halfOpenMaxCalls = 1;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public int getFailureThreshold() {
			return this.failureThreshold;
		}

		public void setFailureThreshold(int failureThreshold) {
			this.failureThreshold = failureThreshold;
		}

		public Duration getRecoveryTime() {
			return this.recoveryTime;
		}

		public void setRecoveryTime(Duration recoveryTime) {
			this.recoveryTime = recoveryTime;
		}

		public int getHalfOpenMaxCalls() {
			return this.halfOpenMaxCalls;
		}

		public void setHalfOpenMaxCalls(int halfOpenMaxCalls) {
			this.halfOpenMaxCalls = halfOpenMaxCalls;
		}

	}

	/**
	 * Retry of a client, built into a Resilience4j Retry.
	 */
	public static class Retry {

		/**
		 * Whether failed requests are retried when safe.
		 */
		private boolean enabled = true;

		/**
		 * Retries after the first attempt.
		 */
		private int maxRetries = 3;

		/**
		 * Delay before the first retry.
		 */
		private Duration baseDelay = Duration.ofSeconds(1);

		/**
		 * Longest delay between attempts (a longer Retry-After is still honoured).
		 */
		private Duration maxDelay = Duration.ofSeconds(30);

		/**
		 * Factor by which the delay grows after each retry.
		 */
		private double backoffFactor = 2;

		/**
		 * Whether delays are randomised so that clients do not retry in step.
		 */
		private boolean jitter = true;

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public int getMaxRetries() {
			return this.maxRetries;
		}

		public void setMaxRetries(int maxRetries) {
			this.maxRetries = maxRetries;
		}

		public Duration getBaseDelay() {
			return this.baseDelay;
		}

		public void setBaseDelay(Duration baseDelay) {
			this.baseDelay = baseDelay;
		}

		public Duration getMaxDelay() {
			return this.maxDelay;
		}

		public void setMaxDelay(Duration maxDelay) {
			this.maxDelay = maxDelay;
		}

		public double getBackoffFactor() {
			return this.backoffFactor;
		}

		public void setBackoffFactor(double backoffFactor) {
			this.backoffFactor = backoffFactor;
		}

		public boolean isJitter() {
			return this.jitter;
		}

		public void setJitter(boolean jitter) {
			this.jitter = jitter;
		}

	}

	/**
	 * Where request lifecycle events go.
	 */
	public static class Events {

		/**
		 * Whether request status changes are published as Spring ApplicationEvents
		 * (RequestStatusChangedEvent).
		 */
		private boolean publishApplicationEvents = true;

		/**
		 * Comma-separated list of statuses whose changes are published as
		 * ApplicationEvents.
		 */
		private Set<RequestStatus> applicationEventStatuses = EnumSet.allOf(RequestStatus.class);

		/**
		 * Comma-separated list of statuses whose changes are sent to the event handlers.
		 */
		private Set<RequestStatus> handlerStatuses = EnumSet.of(RequestStatus.COMPLETED, RequestStatus.FAILED,
				RequestStatus.CANCELLED);

		/**
		 * Environment variable holding more event handlers, as
		 * name=config|name2=config|name3.
		 */
		private String handlersEnvVariable = "E3_EVENT_HANDLERS";

		/**
		 * Directory of the event handlers' write-ahead logs, where every event waits
		 * until its handler took it, across restarts and crashes. Defaults to
		 * java.io.tmpdir/lionfuncs-events/ followed by spring.application.name and, when
		 * set, -server.port, so that replicas on one host keep distinct directories
		 * across their restarts; a directory held by a running process is never shared.
		 */
		private @Nullable Path spoolDirectory;

		private final Logging logging = new Logging();

		private final File file = new File();

		private final Webhook webhook = new Webhook();

		public boolean isPublishApplicationEvents() {
			return this.publishApplicationEvents;
		}

		public void setPublishApplicationEvents(boolean publishApplicationEvents) {
			this.publishApplicationEvents = publishApplicationEvents;
		}

		public Set<RequestStatus> getApplicationEventStatuses() {
			return this.applicationEventStatuses;
		}

		public void setApplicationEventStatuses(Set<RequestStatus> applicationEventStatuses) {
			this.applicationEventStatuses = applicationEventStatuses;
		}

		public Set<RequestStatus> getHandlerStatuses() {
			return this.handlerStatuses;
		}

		public void setHandlerStatuses(Set<RequestStatus> handlerStatuses) {
			this.handlerStatuses = handlerStatuses;
		}

		public String getHandlersEnvVariable() {
			return this.handlersEnvVariable;
		}

		public void setHandlersEnvVariable(String handlersEnvVariable) {
			this.handlersEnvVariable = handlersEnvVariable;
		}

		public @Nullable Path getSpoolDirectory() {
			return this.spoolDirectory;
		}

		public void setSpoolDirectory(@Nullable Path spoolDirectory) {
			this.spoolDirectory = spoolDirectory;
		}

		public Logging getLogging() {
			return this.logging;
		}

		public File getFile() {
			return this.file;
		}

		public Webhook getWebhook() {
			return this.webhook;
		}

		/**
		 * The built-in handler that logs events.
		 */
		public static class Logging {

			/**
			 * Whether events are logged.
			 */
			private boolean enabled;

			/**
			 * Name of the logger events are logged to.
			 */
			private String logger = "lionfuncs.events";

			/**
			 * Level events are logged at.
			 */
			private String level = "INFO";

			public boolean isEnabled() {
				return this.enabled;
			}

			public void setEnabled(boolean enabled) {
				this.enabled = enabled;
			}

			public String getLogger() {
				return this.logger;
			}

			public void setLogger(String logger) {
				this.logger = logger;
			}

			public String getLevel() {
				return this.level;
			}

			public void setLevel(String level) {
				this.level = level;
			}

		}

		/**
		 * The built-in handler that writes events to files.
		 */
		public static class File {

			/**
			 * Whether events are written to files.
			 */
			private boolean enabled;

			/**
			 * Directory events and their attachments are written to.
			 */
			private @Nullable Path directory;

			public boolean isEnabled() {
				return this.enabled;
			}

			public void setEnabled(boolean enabled) {
				this.enabled = enabled;
			}

			public @Nullable Path getDirectory() {
				return this.directory;
			}

			public void setDirectory(@Nullable Path directory) {
				this.directory = directory;
			}

		}

		/**
		 * The built-in handler that posts events to a URL.
		 */
		public static class Webhook {

			/**
			 * Whether events are posted to a webhook.
			 */
			private boolean enabled;

			/**
			 * URL events are posted to, as JSON.
			 */
			private @Nullable String url;

			/**
			 * Timeout of each post.
			 */
			private Duration timeout = Duration.ofSeconds(5);

			/**
			 * Events posted at once, so that the webhook keeps up with the executors.
			 * Above 1, events may reach the webhook out of publication order; 1 keeps
			 * that order.
			 */
			private int concurrency = 8;

			public boolean isEnabled() {
				return this.enabled;
			}

			public void setEnabled(boolean enabled) {
				this.enabled = enabled;
			}

			public @Nullable String getUrl() {
				return this.url;
			}

			public void setUrl(@Nullable String url) {
				this.url = url;
			}

			public Duration getTimeout() {
				return this.timeout;
			}

			public void setTimeout(Duration timeout) {
				this.timeout = timeout;
			}

			public int getConcurrency() {
				return this.concurrency;
			}

			public void setConcurrency(int concurrency) {
				this.concurrency = concurrency;
			}

		}

	}

	/**
	 * The HTTP connections of the API clients.
	 */
	public static class Connections {

		/**
		 * Whether connection lifecycle events (raw data, busy or idle, closed) are
		 * produced for the connections of every client, feeding the connection meters,
		 * the connections section of the lionfuncs endpoint and ConnectionEventListener
		 * beans. When off, nothing is attached to the connections.
		 */
		private boolean events = true;

		/**
		 * How long a pooled connection may stay idle before it is closed; keep it below
		 * the servers' keep-alive timeout, so that no request is sent on a connection the
		 * server is closing. A server's shorter keep-alive, announced in a Keep-Alive
		 * header or seen applied, shortens it for that server.
		 */
		private Duration maxIdleTime = Duration.ofSeconds(4);

		/**
		 * Connections each client may open to a host. Defaults to Reactor Netty's default
		 * (twice the number of processors, at least 16), or to the client's executor
		 * concurrency-limit when that is higher, so that no call waits for a connection.
		 * Requests beyond it wait for a connection up to the client's timeout.
		 */
		private @Nullable Integer maxConnections;

		/**
		 * Whether connection events are also published as Spring ApplicationEvents
		 * (ConnectionLifecycleEvent). They are many (one per read and write) and
		 * published on the I/O thread: listeners must not block.
		 */
		private boolean publishApplicationEvents;

		/**
		 * Whether raw-data events carry a copy of the bytes sent and received. The bytes
		 * hold credentials, payloads and bodies: for debugging only.
		 */
		private boolean captureData;

		/**
		 * Whether each client also opens one connection to its base URL as the
		 * application starts: a HEAD request to it, without the client's headers or
		 * credentials (any status will do), which the server sees and counts, so that the
		 * first call does not wait for the connection's set-up. Either way each client's
		 * transport (its WebClient, Reactor Netty's event loops and resolver) is prepared
		 * in the background as the application starts, and its executor holds its first
		 * calls until that is done (at most 5 seconds).
		 */
		private boolean preconnect;

		public boolean isEvents() {
			return this.events;
		}

		public void setEvents(boolean events) {
			this.events = events;
		}

		public Duration getMaxIdleTime() {
			return this.maxIdleTime;
		}

		public void setMaxIdleTime(Duration maxIdleTime) {
			this.maxIdleTime = maxIdleTime;
		}

		public @Nullable Integer getMaxConnections() {
			return this.maxConnections;
		}

		public void setMaxConnections(@Nullable Integer maxConnections) {
			this.maxConnections = maxConnections;
		}

		public boolean isPublishApplicationEvents() {
			return this.publishApplicationEvents;
		}

		public void setPublishApplicationEvents(boolean publishApplicationEvents) {
			this.publishApplicationEvents = publishApplicationEvents;
		}

		public boolean isCaptureData() {
			return this.captureData;
		}

		public void setCaptureData(boolean captureData) {
			this.captureData = captureData;
		}

		public boolean isPreconnect() {
			return this.preconnect;
		}

		public void setPreconnect(boolean preconnect) {
			this.preconnect = preconnect;
		}

	}

	/**
	 * Governing the calls other HTTP clients make to the base URL of a configured client.
	 */
	public static class Intercept {

		/**
		 * Whether requests that Boot's RestClient and WebClient, Spring AI's OpenAI and
		 * Anthropic models and the LangChain4j HTTP client builder bean send to the base
		 * URL of a configured client (lionfuncs.client, lionfuncs.clients.<name>) are
		 * governed by that client's executor: queued, limited and tracked.
		 */
		private boolean enabled = true;

		/**
		 * API tokens reserved for an intercepted request whose body names no output cap
		 * (max_tokens and the like), added to the estimate of its input; unset for none.
		 */
		private @Nullable Long defaultApiTokens;

		/**
		 * Longest an intercepted request waits for its lease: in the queue, for a
		 * concurrency slot and for tokens. A blocking client waits on its thread; past it
		 * the request fails with the client's own I/O error.
		 */
		private Duration maxWait = Duration.ofSeconds(60);

		public boolean isEnabled() {
			return this.enabled;
		}

		public void setEnabled(boolean enabled) {
			this.enabled = enabled;
		}

		public @Nullable Long getDefaultApiTokens() {
			return this.defaultApiTokens;
		}

		public void setDefaultApiTokens(@Nullable Long defaultApiTokens) {
			this.defaultApiTokens = defaultApiTokens;
		}

		public Duration getMaxWait() {
			return this.maxWait;
		}

		public void setMaxWait(Duration maxWait) {
			this.maxWait = maxWait;
		}

	}

	/**
	 * What the lionfuncs health indicator reports as DOWN besides a stopped executor.
	 */
	public static class Health {

		/**
		 * Whether an open circuit breaker makes the health DOWN.
		 */
		private boolean downWhenCircuitOpen;

		/**
		 * Whether a full queue makes the health DOWN.
		 */
		private boolean downWhenQueueFull;

		/**
		 * Whether an unreachable Redis makes the health DOWN, for executors with
		 * rate-limiter store 'redis'.
		 */
		private boolean downWhenRedisUnavailable;

		public boolean isDownWhenCircuitOpen() {
			return this.downWhenCircuitOpen;
		}

		public void setDownWhenCircuitOpen(boolean downWhenCircuitOpen) {
			this.downWhenCircuitOpen = downWhenCircuitOpen;
		}

		public boolean isDownWhenQueueFull() {
			return this.downWhenQueueFull;
		}

		public void setDownWhenQueueFull(boolean downWhenQueueFull) {
			this.downWhenQueueFull = downWhenQueueFull;
		}

		public boolean isDownWhenRedisUnavailable() {
			return this.downWhenRedisUnavailable;
		}

		public void setDownWhenRedisUnavailable(boolean downWhenRedisUnavailable) {
			this.downWhenRedisUnavailable = downWhenRedisUnavailable;
		}

	}

}
