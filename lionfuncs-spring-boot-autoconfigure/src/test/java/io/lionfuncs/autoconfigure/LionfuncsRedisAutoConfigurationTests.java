package io.lionfuncs.autoconfigure;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.TaskRequest;
import io.lionfuncs.network.limit.BucketSettings;
import io.lionfuncs.network.limit.BucketView;
import io.lionfuncs.network.limit.redis.RedisBucketOptions;
import io.lionfuncs.network.limit.redis.RedisBucketStore;
import io.lionfuncs.network.limit.redis.RedisFailurePolicy;
import io.lionfuncs.network.limit.redis.RedisTokenBucket;
import io.lionfuncs.testsupport.RedisTestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LionfuncsRedisAutoConfiguration}: {@code store: redis} builds
 * Redis-backed executors on the connection of {@code spring.data.redis.*}.
 */
class LionfuncsRedisAutoConfigurationTests {

	private static RedisTestServer redis;

	private final String prefix = "autoconfig-" + UUID.randomUUID();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, LionfuncsAutoConfiguration.class,
				LionfuncsNamedClientsAutoConfiguration.class, LionfuncsRedisAutoConfiguration.class));

	@BeforeAll
	static void startRedis() {
		redis = RedisTestServer.start();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@Test
	void storeRedisBuildsRedisBackedExecutorsFromSpringDataRedis() {
		this.contextRunner.withPropertyValues(redisProperties())
			.withPropertyValues("lionfuncs.executor.rate-limiter.store=redis",
					"lionfuncs.executor.rate-limiter.key-prefix=" + this.prefix,
					"lionfuncs.executor.api-tokens-rate=9000", "lionfuncs.clients.openai.base-url=http://localhost",
					"lionfuncs.clients.openai.executor.requests-rate=30",
					"lionfuncs.clients.openai.executor.rate-limiter.store=redis",
					"lionfuncs.clients.openai.executor.rate-limiter.key-prefix=" + this.prefix,
					"lionfuncs.clients.openai.executor.rate-limiter.on-redis-failure=fail-open",
					"lionfuncs.clients.openai.executor.rate-limiter.expected-replicas=3",
					"lionfuncs.clients.openai.executor.rate-limiter.redis-timeout=250ms")
			.run((context) -> {
				Executor executor = context.getBean("lionfuncsExecutor", Executor.class);
				RedisBucketStore buckets = context.getBean(LettuceRedisTokenBuckets.class).getStore();
				RedisTokenBucket requests = bucketOf(buckets, executor.requestsBucket());
				RedisTokenBucket apiTokens = bucketOf(buckets, executor.apiTokensBucket());
				assertThat(requests.key()).isEqualTo(this.prefix + ":default:requests");
				assertThat(apiTokens.key()).isEqualTo(this.prefix + ":default:api-tokens");
				assertThat(requests.options().onRedisFailure()).isEqualTo(RedisFailurePolicy.FAIL_CLOSED);

				RedisTokenBucket openai = bucketOf(buckets,
						context.getBean("lionfuncsExecutor.openai", Executor.class).requestsBucket());
				assertThat(openai.key()).isEqualTo(this.prefix + ":openai:requests");
				assertThat(openai.options()).isEqualTo(
						new RedisBucketOptions(this.prefix, RedisFailurePolicy.FAIL_OPEN, 3, Duration.ofMillis(250)));
				assertThat(openai.fallbackSettings()).isEqualTo(new BucketSettings(10, 10, Duration.ofSeconds(1)));
				assertThat(openai.store()).as("one connection for every executor").isSameAs(requests.store());
				assertThat(context.getBean(LettuceRedisTokenBuckets.class).getStore()).isSameAs(requests.store());

				NetworkRequestEvent call = executor.submitTask(
						TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, "ok")))
							.numApiTokensNeeded(100)
							.build());
				call.completion().get(10, TimeUnit.SECONDS);
				assertThat(call.getStatus()).isEqualTo(RequestStatus.COMPLETED);
				assertThat(existing(requests.key(), apiTokens.key())).isEqualTo(2);
			});
	}

	@Test
	void maxUnavailableWaitIsSetPerExecutorAndAnInvalidOneStopsStartUpNamingTheKey() {
		this.contextRunner.withPropertyValues(redisProperties())
			.withPropertyValues("lionfuncs.executor.rate-limiter.store=redis",
					"lionfuncs.executor.rate-limiter.key-prefix=" + this.prefix,
					"lionfuncs.executor.rate-limiter.max-unavailable-wait=2s",
					"lionfuncs.clients.openai.base-url=http://localhost",
					"lionfuncs.clients.openai.executor.rate-limiter.store=redis",
					"lionfuncs.clients.openai.executor.rate-limiter.key-prefix=" + this.prefix)
			.run((context) -> {
				RedisBucketStore store = context.getBean(LettuceRedisTokenBuckets.class).getStore();
				assertThat(bucketOf(store, context.getBean("lionfuncsExecutor", Executor.class).requestsBucket())
					.options()
					.maxUnavailableWait()).isEqualTo(Duration.ofSeconds(2));
				assertThat(bucketOf(store, context.getBean("lionfuncsExecutor.openai", Executor.class).requestsBucket())
					.options()
					.maxUnavailableWait()).as("the default").isEqualTo(Duration.ofSeconds(5));
			});
		this.contextRunner.withPropertyValues(redisProperties())
			.withPropertyValues("lionfuncs.clients.openai.base-url=http://localhost",
					"lionfuncs.clients.openai.executor.rate-limiter.store=redis",
					"lionfuncs.clients.openai.executor.rate-limiter.max-unavailable-wait=-1s")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).rootCause()
					.isInstanceOf(InvalidLionfuncsPropertyException.class)
					.hasMessageContaining("lionfuncs.clients.openai.executor.rate-limiter.max-unavailable-wait")
					.hasMessageContaining("0 (fail at once) or more");
			});
	}

	@Test
	void localStoreNeverConnectsToRedis() {
		this.contextRunner.withPropertyValues(redisProperties()).run((context) -> {
			assertThat(context.getBean(Executor.class).requestsBucket().isSynchronous()).isTrue();
			assertThat(context.getBean(LettuceRedisTokenBuckets.class).getStore()).isNull();
		});
	}

	@Test
	void storeRedisWithoutALettuceConnectionFactoryFailsNamingTheKey() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(LionfuncsAutoConfiguration.class,
					LionfuncsNamedClientsAutoConfiguration.class, LionfuncsRedisAutoConfiguration.class))
			.withPropertyValues("lionfuncs.clients.openai.executor.rate-limiter.store=redis")
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).hasRootCauseInstanceOf(InvalidLionfuncsPropertyException.class)
					.rootCause()
					.hasMessageContaining("lionfuncs.clients.openai.executor.rate-limiter.store")
					.hasMessageContaining("LettuceConnectionFactory");
			});
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void aStartUpThatFailsClosesTheBucketsBeforeTheirRedisClientWithoutCallingItAnOutage(CapturedOutput output) {
		this.contextRunner.withPropertyValues(redisProperties())
			.withPropertyValues("lionfuncs.executor.rate-limiter.store=redis",
					"lionfuncs.executor.rate-limiter.key-prefix=" + this.prefix)
			.withUserConfiguration(FailsOnceTheExecutorExists.class)
			.run((context) -> {
				assertThat(context).hasFailed();
				assertThat(context.getStartupFailure()).hasRootCauseMessage("another bean failed");
			});
		assertThat(output).as("the buckets were in Redis").contains("Connected to Redis for shared rate limits");
		assertThat(output).doesNotContain("Redis for shared rate limits is unavailable")
			.doesNotContain("Connection is already closed");
	}

	@Test
	@ExtendWith(OutputCaptureExtension.class)
	void aContextThatClosesClosesTheBucketsBeforeTheirRedisClientWithoutCallingItAnOutage(CapturedOutput output) {
		this.contextRunner.withPropertyValues(redisProperties())
			.withPropertyValues("lionfuncs.executor.rate-limiter.store=redis",
					"lionfuncs.executor.rate-limiter.key-prefix=" + this.prefix)
			.run((context) -> {
				NetworkRequestEvent call = context.getBean(Executor.class)
					.submitTask(TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, "ok")))
						.build());
				call.completion().get(10, TimeUnit.SECONDS);
				assertThat(call.getStatus()).isEqualTo(RequestStatus.COMPLETED);
				assertThat(context.getBeanFactory().getBeanDefinition("lionfuncsRedisTokenBuckets").getDependsOn())
					.as("destroyed before the connection factory").containsExactly("redisConnectionFactory");
			});
		assertThat(output).contains("Connected to Redis for shared rate limits");
		assertThat(output).doesNotContain("Redis for shared rate limits is unavailable")
			.doesNotContain("Connection is already closed");
	}

	private String[] redisProperties() {
		// Generous timeouts: a loaded machine must not look like a Redis outage.
		return new String[] { "spring.data.redis.host=" + redis.host(), "spring.data.redis.port=" + redis.port(),
				"spring.data.redis.timeout=10s", "lionfuncs.executor.rate-limiter.redis-timeout=10s" };
	}

	private static long existing(String... keys) {
		RedisClient client = RedisClient.create(redis.uri());
		try (StatefulRedisConnection<String, String> connection = client.connect()) {
			return connection.sync().exists(keys);
		}
		finally {
			client.shutdown();
		}
	}

	@Configuration(proxyBeanMethods = false)
	static class FailsOnceTheExecutorExists {

		@Bean
		Object failing(Executor executor) {
			throw new IllegalStateException("another bean failed");
		}

	}

	/**
	 * The Redis bucket behind a bucket view, found in the store by its key.
	 */
	private static RedisTokenBucket bucketOf(RedisBucketStore store, BucketView view) {
		String key = view.sharedState().key();
		return store.buckets().stream().filter((bucket) -> bucket.key().equals(key)).findFirst().orElseThrow();
	}

}
