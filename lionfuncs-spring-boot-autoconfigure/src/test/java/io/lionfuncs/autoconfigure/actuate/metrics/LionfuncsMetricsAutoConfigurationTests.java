package io.lionfuncs.autoconfigure.actuate.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.lionfuncs.autoconfigure.LionfuncsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsNamedClientsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsRedisAutoConfiguration;
import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.Lease;
import io.lionfuncs.network.TaskRequest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link LionfuncsMetricsAutoConfiguration} and {@link ExecutorMeterBinder}.
 */
class LionfuncsMetricsAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
				CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
				LionfuncsAutoConfiguration.class, LionfuncsNamedClientsAutoConfiguration.class,
				LionfuncsMetricsAutoConfiguration.class));

	@Test
	void withRedisSupportTheRedisStateIsAdded() {
		this.contextRunner
			.withConfiguration(
					AutoConfigurations.of(DataRedisAutoConfiguration.class, LionfuncsRedisAutoConfiguration.class))
			.run((context) -> assertThat(context).hasSingleBean(RedisRateLimiterMeterBinder.class));
	}

	@Test
	void withoutTheRedisAutoConfigurationNoRedisStateIsAdded() {
		this.contextRunner
			.run((context) -> assertThat(context).doesNotHaveBean(RedisRateLimiterMeterBinder.class));
	}

	@Test
	void executorMetersAreRegisteredPerExecutor() {
		this.contextRunner
			.withPropertyValues("lionfuncs.executor.api-tokens-rate=1000",
					"lionfuncs.clients.openai.base-url=http://localhost")
			.run((context) -> {
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				for (String executor : new String[] { "default", "openai" }) {
					assertThat(registry.get("lionfuncs.executor.queued").tag("executor", executor).gauge().value())
						.isZero();
					assertThat(registry.get("lionfuncs.executor.queue.remaining")
						.tag("executor", executor)
						.gauge()
						.value()).isEqualTo(1000);
					assertThat(registry.get("lionfuncs.executor.active").tag("executor", executor).gauge()).isNotNull();
					assertThat(registry.get("lionfuncs.executor.rejected").tag("executor", executor).functionCounter())
						.isNotNull();
					assertThat(registry.get("lionfuncs.ratelimiter.available")
						.tags("executor", executor, "bucket", "requests")
						.gauge()
						.value()).isEqualTo(10);
					assertThat(registry.get("lionfuncs.ratelimiter.wait").tag("executor", executor).functionTimer())
						.isNotNull();
				}
				assertThat(registry.get("lionfuncs.ratelimiter.available")
					.tags("executor", "default", "bucket", "api-tokens")
					.gauge()
					.value()).isEqualTo(1000);
				assertThat(registry.find("lionfuncs.ratelimiter.available")
					.tags("executor", "openai", "bucket", "api-tokens")
					.gauge()).isNull();
			});
	}

	@Test
	void requestsAreTimedByStatus() {
		this.contextRunner.run((context) -> {
			Executor executor = context.getBean(Executor.class);
			executor.submitTask(TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, null)))
				.build()).completion().get();
			executor.submitTask(TaskRequest
				.ofStage(() -> CompletableFuture.<CallResult>failedFuture(new IllegalStateException("x")))
				.build()).completion().get();

			MeterRegistry registry = context.getBean(MeterRegistry.class);
			Timer completed = registry.get("lionfuncs.requests").tags("executor", "default", "status", "COMPLETED").timer();
			Timer failed = registry.get("lionfuncs.requests").tags("executor", "default", "status", "FAILED").timer();
			assertThat(completed.count()).isEqualTo(1);
			assertThat(failed.count()).isEqualTo(1);
		});
	}

	@Test
	void theTimeToTheFirstByteIsTimedForTheCallsThatReportIt() {
		this.contextRunner.run((context) -> {
			Executor executor = context.getBean(Executor.class);
			Lease stream = executor.leaseAsync(TaskRequest.lease().build()).join();
			stream.markFirstByte();
			stream.complete(200, Map.of(), 0);
			executor.submitTask(TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, null)))
				.build()).completion().get();
			Lease cancelled = executor.leaseAsync(TaskRequest.lease().build()).join();
			cancelled.markFirstByte();
			cancelled.cancel();

			MeterRegistry registry = context.getBean(MeterRegistry.class);
			assertThat(registry.get("lionfuncs.requests.first-byte")
				.tags("executor", "default", "status", "COMPLETED")
				.timer()
				.count()).as("the task reported no first byte").isEqualTo(1);
			assertThat(registry.get("lionfuncs.requests.first-byte")
				.tags("executor", "default", "status", "CANCELLED")
				.timer()
				.count()).isEqualTo(1);
			assertThat(registry.get("lionfuncs.requests").tags("executor", "default", "status", "COMPLETED").timer()
				.count()).isEqualTo(2);
		});
	}

	@Test
	void rejectionsAreCounted() {
		this.contextRunner
			.withPropertyValues("lionfuncs.executor.queue-capacity=1", "lionfuncs.executor.concurrency-limit=1",
					"lionfuncs.executor.shutdown-timeout=0s")
			.run((context) -> {
				Executor executor = context.getBean(Executor.class);
				fill(executor);
				try {
					executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());
				}
				catch (RuntimeException expected) {
					// counted below
				}
				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(registry.get("lionfuncs.executor.rejected").functionCounter().count()).isEqualTo(1);
				assertThat(registry.get("lionfuncs.executor.queued").gauge().value()).isEqualTo(1);
				assertThat(registry.get("lionfuncs.executor.active").gauge().value()).isEqualTo(1);
			});
	}

	@Test
	void backsOffWithoutMicrometer() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("io.micrometer.core"))
			.run((context) -> assertThat(context).doesNotHaveBean(ExecutorMeterBinder.class));
	}

	/**
	 * Puts one call in flight and one in the queue.
	 */
	private static void fill(Executor executor) {
		executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());
		await().atMost(Duration.ofSeconds(10)).until(() -> executor.stats().calling() == 1);
		executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());
	}

}
