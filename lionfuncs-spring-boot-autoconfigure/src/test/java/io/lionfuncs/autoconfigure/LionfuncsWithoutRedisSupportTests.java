package io.lionfuncs.autoconfigure;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.github.resilience4j.springboot.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration;
import io.github.resilience4j.springboot.retry.autoconfigure.RetryAutoConfiguration;
import io.lionfuncs.autoconfigure.actuate.endpoint.LionfuncsEndpoint;
import io.lionfuncs.autoconfigure.actuate.endpoint.LionfuncsEndpointAutoConfiguration;
import io.lionfuncs.autoconfigure.actuate.health.LionfuncsHealthContributorAutoConfiguration;
import io.lionfuncs.autoconfigure.actuate.health.LionfuncsHealthIndicator;
import io.lionfuncs.autoconfigure.actuate.metrics.LionfuncsMetricsAutoConfiguration;
import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.TaskRequest;
import io.lionfuncs.network.limit.BucketView;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.http.codec.autoconfigure.CodecsAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests that the Redis support is optional: without Bucket4j's Lettuce integration (which
 * the starter does not bring) or without Spring Data Redis, every auto-configuration
 * starts with local buckets, and {@code store: redis} fails start-up naming what to add.
 */
class LionfuncsWithoutRedisSupportTests {

	private static final String BUCKET4J_LETTUCE = "io.github.bucket4j.redis";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, CodecsAutoConfiguration.class,
				WebClientAutoConfiguration.class, CircuitBreakerAutoConfiguration.class, RetryAutoConfiguration.class,
				DataRedisAutoConfiguration.class, MetricsAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
				LionfuncsAutoConfiguration.class, LionfuncsClientAutoConfiguration.class,
				LionfuncsNamedClientsAutoConfiguration.class, LionfuncsEventsAutoConfiguration.class,
				LionfuncsRedisAutoConfiguration.class, LionfuncsEndpointAutoConfiguration.class,
				LionfuncsHealthContributorAutoConfiguration.class, LionfuncsMetricsAutoConfiguration.class))
		.withPropertyValues("management.endpoints.web.exposure.include=lionfuncs",
				"lionfuncs.executor.shutdown-timeout=0s", "lionfuncs.client.base-url=http://localhost");

	@Test
	void withoutBucket4jLettuceEverythingStartsWithLocalBuckets() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(BUCKET4J_LETTUCE))
			.withPropertyValues("lionfuncs.clients.openai.base-url=http://localhost")
			.run((context) -> {
				assertThat(context).hasNotFailed()
					.doesNotHaveBean(RedisTokenBuckets.class)
					.hasSingleBean(LionfuncsEndpoint.class)
					.hasSingleBean(LionfuncsHealthIndicator.class);
				Executor executor = context.getBean(Executor.class);
				assertThat(executor.requestsBucket().storeType()).isEqualTo(BucketView.LOCAL_STORE);
				assertThat(executor
					.submitTask(TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(204, null)))
						.build())
					.completion()
					.get(10, TimeUnit.SECONDS)
					.getStatus()).isEqualTo(RequestStatus.COMPLETED);
			});
	}

	@Test
	void withoutBucket4jLettuceStoreRedisFailsNamingTheDependency() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(BUCKET4J_LETTUCE))
			.withPropertyValues("lionfuncs.executor.rate-limiter.store=redis")
			.run((context) -> {
				FailureAnalysis analysis = analysis(context.getStartupFailure());
				assertThat(analysis.getDescription()).isEqualTo(
						"Invalid value 'redis' for configuration property 'lionfuncs.executor.rate-limiter.store'.");
				assertThat(analysis.getAction()).isEqualTo("Update your application's configuration: set "
						+ "'lionfuncs.executor.rate-limiter.store' to 'local', or add "
						+ "com.bucket4j:bucket4j_jdk17-lettuce:8.19.0 (the version of bucket4j_jdk17-core) to the "
						+ "application's dependencies and configure Redis with spring.data.redis.*.");
			});
	}

	@Test
	void withoutSpringDataRedisEitherStoreRedisNamesBothDependencies() {
		this.contextRunner
			.withClassLoader(new FilteredClassLoader(BUCKET4J_LETTUCE, "org.springframework.data.redis", "io.lettuce"))
			.withPropertyValues("lionfuncs.clients.openai.base-url=http://localhost",
					"lionfuncs.clients.openai.executor.rate-limiter.store=redis")
			.run((context) -> assertThat(analysis(context.getStartupFailure()).getAction())
				.isEqualTo("Update your application's configuration: set "
						+ "'lionfuncs.clients.openai.executor.rate-limiter.store' to 'local', or add "
						+ "org.springframework.boot:spring-boot-starter-data-redis and "
						+ "com.bucket4j:bucket4j_jdk17-lettuce:8.19.0 (the version of bucket4j_jdk17-core) to the "
						+ "application's dependencies and configure Redis with spring.data.redis.*."));
	}

	@Test
	void withoutSpringDataRedisLocalExecutorsStart() {
		this.contextRunner
			.withClassLoader(new FilteredClassLoader(BUCKET4J_LETTUCE, "org.springframework.data.redis", "io.lettuce"))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(RedisTokenBuckets.class)
				.hasSingleBean(LionfuncsEndpoint.class));
	}

	private static FailureAnalysis analysis(Throwable failure) {
		FailureAnalysis analysis = new InvalidLionfuncsPropertyFailureAnalyzer().analyze(failure);
		assertThat(analysis).as("analysis of %s", failure).isNotNull();
		return analysis;
	}

}
