package io.lionfuncs.autoconfigure.actuate.health;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.lionfuncs.autoconfigure.LionfuncsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsNamedClientsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsRedisAutoConfiguration;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.TaskRequest;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link LionfuncsHealthContributorAutoConfiguration} and
 * {@link LionfuncsHealthIndicator}.
 */
class LionfuncsHealthContributorAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(LionfuncsAutoConfiguration.class,
				LionfuncsNamedClientsAutoConfiguration.class, LionfuncsHealthContributorAutoConfiguration.class));

	@Test
	void withRedisSupportTheRedisStateIsAdded() {
		this.contextRunner
			.withConfiguration(
					AutoConfigurations.of(DataRedisAutoConfiguration.class, LionfuncsRedisAutoConfiguration.class))
			.run((context) -> assertThat(context).hasSingleBean(RedisRateLimiterHealthDetailsContributor.class));
	}

	@Test
	void withoutTheRedisAutoConfigurationNoRedisStateIsAdded() {
		this.contextRunner
			.run((context) -> assertThat(context).doesNotHaveBean(RedisRateLimiterHealthDetailsContributor.class));
	}

	@Test
	void runShouldCreateIndicator() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(LionfuncsHealthIndicator.class)
			.hasBean("lionfuncsHealthIndicator"));
	}

	@Test
	void runWhenDisabledShouldNotCreateIndicator() {
		this.contextRunner.withPropertyValues("management.health.lionfuncs.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(LionfuncsHealthIndicator.class));
	}

	@Test
	void runWithoutHealthSupportShouldNotCreateIndicator() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(LionfuncsHealthIndicator.class));
	}

	@Test
	@SuppressWarnings("unchecked")
	void upWhileRunningAndDownOnceAnExecutorStops() {
		this.contextRunner.withPropertyValues("lionfuncs.clients.openai.base-url=http://localhost").run((context) -> {
			LionfuncsHealthIndicator indicator = context.getBean(LionfuncsHealthIndicator.class);
			Health up = indicator.health(true);
			assertThat(up.getStatus()).isEqualTo(Status.UP);
			Map<String, Object> executors = (Map<String, Object>) up.getDetails().get("executors");
			assertThat(executors).containsOnlyKeys("default", "openai");
			assertThat((Map<String, Object>) executors.get("default")).containsEntry("running", true)
				.containsEntry("queueCapacity", 1000)
				.containsEntry("requestsAvailable", 10L);

			context.getBean("lionfuncsExecutor.openai", Executor.class).stop(false);

			Health down = indicator.health(true);
			assertThat(down.getStatus()).isEqualTo(Status.DOWN);
			assertThat((Map<String, Object>) ((Map<String, Object>) down.getDetails().get("executors")).get("openai"))
				.containsEntry("running", false);
		});
	}

	@Test
	@SuppressWarnings("unchecked")
	void fullQueueIsReportedAndOnlyTurnsDownWhenConfigured() {
		this.contextRunner
			.withPropertyValues("lionfuncs.executor.queue-capacity=1", "lionfuncs.executor.concurrency-limit=1",
					"lionfuncs.executor.shutdown-timeout=0s")
			.run((context) -> {
				fill(context.getBean(Executor.class));
				Health health = context.getBean(LionfuncsHealthIndicator.class).health(true);
				assertThat(health.getStatus()).isEqualTo(Status.UP);
				assertThat((Map<String, Object>) ((Map<String, Object>) health.getDetails().get("executors"))
					.get("default")).containsEntry("queueFull", true);
			});
		this.contextRunner
			.withPropertyValues("lionfuncs.executor.queue-capacity=1", "lionfuncs.executor.concurrency-limit=1",
					"lionfuncs.executor.shutdown-timeout=0s",
					"lionfuncs.health.down-when-queue-full=true")
			.run((context) -> {
				fill(context.getBean(Executor.class));
				assertThat(context.getBean(LionfuncsHealthIndicator.class).health(true).getStatus())
					.isEqualTo(Status.DOWN);
			});
	}

	/**
	 * Puts one call in flight and one in the queue.
	 */
	static void fill(Executor executor) {
		executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());
		await().atMost(Duration.ofSeconds(10)).until(() -> executor.stats().calling() == 1);
		executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());
	}

}
