package io.lionfuncs.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.github.bucket4j.Bucket;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.RequestObservationConvention;
import io.lionfuncs.network.budget.InvalidExecutorSettingException;
import io.lionfuncs.network.budget.BudgetSettings;
import io.lionfuncs.network.UsageExtractor;
import io.lionfuncs.network.limit.TokenBucketFactory;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;

import org.springframework.util.ClassUtils;

/**
 * Creates the executors described by {@link LionfuncsProperties}: the default one
 * ({@code lionfuncs.executor}) and one per named client
 * ({@code lionfuncs.clients.<name>.executor}), with their buckets in this process or, with
 * {@code rate-limiter.store: redis}, in Redis, and their budgets ({@code usage.*},
 * {@code provider-headers.*}, {@code pause.*}). Invalid values fail with the full
 * property key.
 *
 * @since 0.1.0
 */
class LionfuncsExecutorFactory {

	static final String REDIS_SUPPORT = "spring-boot-starter-data-redis (with its default Lettuce client) and "
			+ "com.bucket4j:bucket4j_jdk17-lettuce on the classpath, and Redis configured with spring.data.redis.*";

	private static final String BUCKET4J_LETTUCE = "io.github.bucket4j.redis.lettuce.Bucket4jLettuce";

	private static final List<String> DATA_REDIS_LETTUCE = List.of(
			"org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory", "io.lettuce.core.RedisClient");

	private final LionfuncsProperties properties;

	private final Supplier<@Nullable RedisTokenBuckets> redisTokenBuckets;

	private final Supplier<@Nullable UsageExtractor> usageExtractor;

	private final Supplier<@Nullable ObservationRegistry> observationRegistry;

	private final Supplier<@Nullable RequestObservationConvention> observationConvention;

	/**
	 * Creates a factory of executors whose buckets can only be local.
	 * @param properties the properties
	 */
	LionfuncsExecutorFactory(LionfuncsProperties properties) {
		this(properties, () -> null);
	}

	/**
	 * Creates a factory.
	 * @param properties the properties
	 * @param redisTokenBuckets supplies the Redis buckets, or {@code null} when Redis
	 * support is absent; asked only for executors with {@code rate-limiter.store: redis}
	 */
	LionfuncsExecutorFactory(LionfuncsProperties properties,
			Supplier<@Nullable RedisTokenBuckets> redisTokenBuckets) {
		this(properties, redisTokenBuckets, () -> null);
	}

	/**
	 * Creates a factory.
	 * @param properties the properties
	 * @param redisTokenBuckets supplies the Redis buckets, or {@code null} when Redis
	 * support is absent; asked only for executors with {@code rate-limiter.store: redis}
	 * @param usageExtractor supplies the extractor that reads the API tokens a call used,
	 * or {@code null} to read the {@code usage.json-pointers} of each executor
	 */
	LionfuncsExecutorFactory(LionfuncsProperties properties,
			Supplier<@Nullable RedisTokenBuckets> redisTokenBuckets, Supplier<@Nullable UsageExtractor> usageExtractor) {
		this(properties, redisTokenBuckets, usageExtractor, () -> null, () -> null);
	}

	/**
	 * Creates a factory.
	 * @param properties the properties
	 * @param redisTokenBuckets supplies the Redis buckets, or {@code null} when Redis
	 * support is absent; asked only for executors with {@code rate-limiter.store: redis}
	 * @param usageExtractor supplies the extractor that reads the API tokens a call used,
	 * or {@code null} to read the {@code usage.json-pointers} of each executor
	 * @param observationRegistry supplies the registry the executors' requests are
	 * observed in (and through which traces continue into their calls), or {@code null}
	 * for none
	 * @param observationConvention supplies the convention of those observations, or
	 * {@code null} for the default
	 */
	LionfuncsExecutorFactory(LionfuncsProperties properties,
			Supplier<@Nullable RedisTokenBuckets> redisTokenBuckets, Supplier<@Nullable UsageExtractor> usageExtractor,
			Supplier<@Nullable ObservationRegistry> observationRegistry,
			Supplier<@Nullable RequestObservationConvention> observationConvention) {
		this.properties = properties;
		this.redisTokenBuckets = redisTokenBuckets;
		this.usageExtractor = usageExtractor;
		this.observationRegistry = observationRegistry;
		this.observationConvention = observationConvention;
	}

	/**
	 * Creates the default executor.
	 * @return an executor, not yet started
	 */
	public Executor createDefault() {
		return create(ExecutorSettings.DEFAULT_NAME, this.properties.getExecutor(), "lionfuncs.executor");
	}

	/**
	 * Creates the executor of a named client.
	 * @param name the client's name
	 * @return an executor, not yet started
	 */
	public Executor createNamed(String name) {
		LionfuncsProperties.NamedClient client = this.properties.getClients().get(name);
		if (client == null) {
			throw new IllegalStateException("No client named '" + name + "' under lionfuncs.clients");
		}
		return create(name, client.getExecutor(), "lionfuncs.clients." + name + ".executor");
	}

	private Executor create(String name, LionfuncsProperties.Executor executor, String prefix) {
		Executor.Builder builder = Executor.builder()
			.settings(settings(name, executor, prefix))
			.observationRegistry(this.observationRegistry.get())
			.observationConvention(this.observationConvention.get());
		if (executor.getUsage().isEnabled()) {
			builder.usageExtractor(this.usageExtractor.get());
		}
		LionfuncsProperties.RateLimiter rateLimiter = executor.getRateLimiter();
		if (rateLimiter.getStore() == LionfuncsProperties.RateLimiter.Store.REDIS) {
			builder.bucketFactory(redisBuckets(rateLimiter, prefix + ".rate-limiter"));
		}
		return builder.build();
	}

	private TokenBucketFactory redisBuckets(LionfuncsProperties.RateLimiter rateLimiter, String prefix) {
		if (rateLimiter.getKeyPrefix() == null || rateLimiter.getKeyPrefix().isBlank()) {
			throw new InvalidLionfuncsPropertyException(prefix + ".key-prefix", rateLimiter.getKeyPrefix(),
					"a non-empty prefix such as 'lionfuncs'");
		}
		if (rateLimiter.getExpectedReplicas() < 1) {
			throw new InvalidLionfuncsPropertyException(prefix + ".expected-replicas",
					rateLimiter.getExpectedReplicas(), "at least 1: the number of replicas sharing the budget");
		}
		if (rateLimiter.getRedisTimeout() == null || rateLimiter.getRedisTimeout().isZero()
				|| rateLimiter.getRedisTimeout().isNegative()) {
			throw new InvalidLionfuncsPropertyException(prefix + ".redis-timeout", rateLimiter.getRedisTimeout(),
					"a duration greater than 0, such as 1s");
		}
		if (rateLimiter.getMaxUnavailableWait() == null || rateLimiter.getMaxUnavailableWait().isNegative()) {
			throw new InvalidLionfuncsPropertyException(prefix + ".max-unavailable-wait",
					rateLimiter.getMaxUnavailableWait(), "a duration of 0 (fail at once) or more, such as 5s");
		}
		RedisTokenBuckets buckets = this.redisTokenBuckets.get();
		if (buckets == null) {
			throw new InvalidLionfuncsPropertyException(prefix + ".store", "redis", redisSupportFix());
		}
		return buckets.bucketFactory(rateLimiter, prefix);
	}

	/**
	 * What to do when the Redis buckets are not available: name the dependencies the
	 * class path lacks (the starter brings neither), or else what to configure.
	 */
	private static String redisSupportFix() {
		ClassLoader classLoader = ClassUtils.getDefaultClassLoader();
		List<String> missing = new ArrayList<>();
		if (!DATA_REDIS_LETTUCE.stream().allMatch((name) -> ClassUtils.isPresent(name, classLoader))) {
			missing.add("org.springframework.boot:spring-boot-starter-data-redis");
		}
		if (!ClassUtils.isPresent(BUCKET4J_LETTUCE, classLoader)) {
			String version = Bucket.class.getPackage().getImplementationVersion();
			missing.add("com.bucket4j:bucket4j_jdk17-lettuce" + ((version != null) ? ":" + version : "")
					+ " (the version of bucket4j_jdk17-core)");
		}
		if (missing.isEmpty()) {
			return "'local', or put " + REDIS_SUPPORT;
		}
		return "'local', or add " + String.join(" and ", missing)
				+ " to the application's dependencies and configure Redis with spring.data.redis.*";
	}

	ExecutorSettings settings(String name, LionfuncsProperties.Executor executor, String prefix) {
		if (executor.getApiTokensBucketCapacity() != null && executor.getApiTokensRate() == null) {
			// without a rate the bucket is disabled: a capacity alone would silently limit nothing
			throw new InvalidLionfuncsPropertyException(prefix + ".api-tokens-bucket-capacity",
					executor.getApiTokensBucketCapacity(), "no value, or also set " + prefix
							+ ".api-tokens-rate (without a rate there is no API-token limit at all)");
		}
		try {
			return ExecutorSettings.builder()
				.name(name)
				.queueCapacity(executor.getQueueCapacity())
				.concurrencyLimit(executor.getConcurrencyLimit())
				.requestsRate(executor.getRequestsRate())
				.requestsPeriod(executor.getRequestsPeriod())
				.requestsBucketCapacity(executor.getRequestsBucketCapacity())
				.apiTokensRate(executor.getApiTokensRate())
				.apiTokensPeriod(executor.getApiTokensPeriod())
				.apiTokensBucketCapacity(executor.getApiTokensBucketCapacity())
				.numWorkers(executor.getNumWorkers())
				.queueFullPolicy(executor.getQueueFullPolicy())
				.submitTimeout(executor.getSubmitTimeout())
				.shutdownTimeout(executor.getShutdownTimeout())
				.recentCapacity(executor.getRecentCapacity())
				.redactHeaders(this.properties.getRedactHeaders())
				.budget(budget(executor))
				.build();
		}
		catch (InvalidExecutorSettingException ex) {
			String property = ex.getSetting().equals("name") ? "lionfuncs.clients" : prefix + "." + kebab(ex.getSetting());
			throw new InvalidLionfuncsPropertyException(property, ex.getValue(), ex.getExpected(), ex);
		}
	}

	private static BudgetSettings budget(LionfuncsProperties.Executor executor) {
		return BudgetSettings.builder()
			.usageEnabled(executor.getUsage().isEnabled())
			.usageJsonPointers(executor.getUsage().getJsonPointers())
			.providerHeadersEnabled(executor.getProviderHeaders().isEnabled())
			.pauseEnabled(executor.getPause().isEnabled())
			.defaultPause(executor.getPause().getDefaultDuration())
			.maxPause(executor.getPause().getMaxDuration())
			.build();
	}

	static String kebab(String camelCase) {
		StringBuilder result = new StringBuilder(camelCase.length() + 4);
		for (char c : camelCase.toCharArray()) {
			if (Character.isUpperCase(c)) {
				result.append('-').append(Character.toLowerCase(c));
			}
			else {
				result.append(c);
			}
		}
		return result.toString();
	}

}
