package io.lionfuncs.autoconfigure.actuate;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.lettuce.core.RedisClient;
import io.lionfuncs.autoconfigure.LionfuncsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsNamedClientsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsRedisAutoConfiguration;
import io.lionfuncs.autoconfigure.actuate.endpoint.ExecutorDescriptor;
import io.lionfuncs.autoconfigure.actuate.endpoint.LionfuncsEndpoint;
import io.lionfuncs.autoconfigure.actuate.endpoint.LionfuncsEndpointAutoConfiguration;
import io.lionfuncs.autoconfigure.actuate.health.LionfuncsHealthContributorAutoConfiguration;
import io.lionfuncs.autoconfigure.actuate.health.LionfuncsHealthIndicator;
import io.lionfuncs.autoconfigure.actuate.metrics.LionfuncsMetricsAutoConfiguration;
import io.lionfuncs.autoconfigure.actuate.metrics.RedisRateLimiterMeterBinder;
import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.TaskRequest;
import io.lionfuncs.network.limit.TokenBucket;
import io.lionfuncs.network.limit.redis.RedisBucketOptions;
import io.lionfuncs.network.limit.redis.RedisBucketStore;
import io.lionfuncs.network.limit.redis.RedisConnector;
import io.lionfuncs.testsupport.RedisTestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the state of Redis-backed buckets that the health, endpoint and metrics
 * auto-configurations show, read through {@link RedisRateLimiters}, against a real Redis.
 */
class RedisRateLimitersActuatorTests {

	private static RedisTestServer redis;

	private final String prefix = "actuate-" + UUID.randomUUID();

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(DataRedisAutoConfiguration.class, LionfuncsAutoConfiguration.class,
				LionfuncsNamedClientsAutoConfiguration.class, LionfuncsRedisAutoConfiguration.class,
				LionfuncsHealthContributorAutoConfiguration.class, LionfuncsEndpointAutoConfiguration.class,
				LionfuncsMetricsAutoConfiguration.class))
		.withPropertyValues("management.endpoints.web.exposure.include=lionfuncs");

	@BeforeAll
	static void startRedis() {
		redis = RedisTestServer.start();
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@Test
	@SuppressWarnings("unchecked")
	void healthDetailsEndpointAndMetersShowTheRedisBuckets() {
		this.contextRunner.withPropertyValues(redisProperties())
			.withPropertyValues("lionfuncs.executor.rate-limiter.store=redis",
					"lionfuncs.executor.rate-limiter.key-prefix=" + this.prefix,
					"lionfuncs.executor.requests-period=1h")
			.run((context) -> {
				Executor executor = context.getBean(Executor.class);
				takeFromAnotherReplica(4);

				Health health = context.getBean(LionfuncsHealthIndicator.class).health(true);
				assertThat(health.getStatus()).isEqualTo(Status.UP);
				Map<String, Object> redisDetails = (Map<String, Object>) ((Map<String, Object>) health.getDetails()
					.get("redis")).get("default");
				assertThat(redisDetails).containsEntry("status", "AVAILABLE")
					.containsEntry("onRedisFailure", "fail-closed")
					.containsEntry("mode", "REDIS")
					.containsEntry("maxUnavailableWait", "PT5S")
					.containsEntry("waitingReservations", 0L)
					.containsEntry("keys", List.of(this.prefix + ":default:requests"));

				Map<String, Object> content = context.getBean(LionfuncsEndpoint.class).lionfuncs();
				ExecutorDescriptor described = ((Map<String, ExecutorDescriptor>) content.get("executors"))
					.get("default");
				assertThat(described.buckets().requests().available())
					.as("the level read from Redis includes the other replica's reservations")
					.isEqualTo(6.0);
				assertThat(content).containsKey("redis");

				SimpleMeterRegistry registry = new SimpleMeterRegistry();
				context.getBean(RedisRateLimiterMeterBinder.class).bindTo(registry);
				assertThat(registry.get("lionfuncs.ratelimiter.redis.available").tag("executor", "default").gauge()
					.value()).isEqualTo(1.0);
				assertThat(registry.get("lionfuncs.ratelimiter.redis.bypassed")
					.tags("executor", "default", "bucket", "requests", "outcome", "failed")
					.functionCounter()
					.count()).isZero();
				assertThat(registry.get("lionfuncs.ratelimiter.redis.waiting")
					.tags("executor", "default", "bucket", "requests")
					.gauge()
					.value()).isZero();
				assertThat(executor.isRunning()).isTrue();
			});
	}

	@Test
	@SuppressWarnings("unchecked")
	void unreachableRedisIsReportedAndTurnsHealthDownOnlyWhenConfigured() throws IOException {
		ApplicationContextRunner unreachable = this.contextRunner
			.withPropertyValues("spring.data.redis.host=127.0.0.1", "spring.data.redis.port=" + unusedPort(),
					"lionfuncs.executor.rate-limiter.store=redis",
					"lionfuncs.executor.rate-limiter.key-prefix=" + this.prefix,
					"lionfuncs.executor.rate-limiter.on-redis-failure=fail-open");
		unreachable.run((context) -> {
			assertThat(context).hasNotFailed();
			Health health = context.getBean(LionfuncsHealthIndicator.class).health(true);
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			Map<String, Object> redisDetails = (Map<String, Object>) ((Map<String, Object>) health.getDetails()
				.get("redis")).get("default");
			assertThat(redisDetails).containsEntry("status", "UNAVAILABLE")
				.containsEntry("mode", "LOCAL_FALLBACK")
				.containsKey("error");
			NetworkRequestEvent call = context.getBean(Executor.class)
				.submitTask(TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, "ok")))
					.build());
			call.completion().get(10, TimeUnit.SECONDS);
			assertThat(call.getStatus()).as("fail-open: calls go on with the local fallback")
				.isEqualTo(RequestStatus.COMPLETED);
		});
		unreachable.withPropertyValues("lionfuncs.health.down-when-redis-unavailable=true")
			.run((context) -> assertThat(context.getBean(LionfuncsHealthIndicator.class).health(true).getStatus())
				.isEqualTo(Status.DOWN));
	}

	@Test
	void localBucketsAddNoRedisDetails() {
		this.contextRunner.withPropertyValues(redisProperties()).run((context) -> {
			assertThat(context.getBean(LionfuncsHealthIndicator.class).health(true).getDetails())
				.doesNotContainKey("redis");
			assertThat(((Map<?, ?>) context.getBean(LionfuncsEndpoint.class).lionfuncs().get("redis"))).isEmpty();
		});
	}

	private String[] redisProperties() {
		// Generous timeouts: a loaded machine must not look like a Redis outage.
		return new String[] { "spring.data.redis.host=" + redis.host(), "spring.data.redis.port=" + redis.port(),
				"spring.data.redis.timeout=10s", "lionfuncs.executor.rate-limiter.redis-timeout=10s" };
	}

	/**
	 * Another replica of the default executor, outside the context, takes tokens.
	 */
	private void takeFromAnotherReplica(long tokens) throws Exception {
		RedisClient client = RedisClient.create(redis.uri());
		try (RedisBucketStore store = RedisBucketStore.builder(RedisConnector.of(() -> client)).build()) {
			TokenBucket bucket = store.bucketFactory(RedisBucketOptions.of(this.prefix).withTimeout(Duration.ofSeconds(10)))
				.create("default", "requests", ExecutorSettings.builder()
					.requestsPeriod(Duration.ofHours(1))
					.build()
					.requestsBucket());
			assertThat(bucket.reserveAsync(tokens).toCompletableFuture().get(10, TimeUnit.SECONDS)).isZero();
		}
		finally {
			client.shutdown();
		}
	}

	private static int unusedPort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
	}

}
