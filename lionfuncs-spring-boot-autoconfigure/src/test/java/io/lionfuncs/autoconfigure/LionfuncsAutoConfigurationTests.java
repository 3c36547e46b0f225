package io.lionfuncs.autoconfigure;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import io.github.bucket4j.Bucket;
import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.DefaultRequestObservationConvention;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.QueueFullPolicy;
import io.lionfuncs.network.Redactor;
import io.lionfuncs.network.RequestObservationContext;
import io.lionfuncs.network.RequestObservationConvention;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.RequestStatusListener;
import io.lionfuncs.network.TaskRequest;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LionfuncsAutoConfiguration} and
 * {@link LionfuncsNamedClientsAutoConfiguration}.
 */
class LionfuncsAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(LionfuncsAutoConfiguration.class,
				LionfuncsNamedClientsAutoConfiguration.class));

	@Test
	void defaultExecutorIsStartedWithTheSeedDefaults() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(Executor.class).hasBean("lionfuncsExecutor");
			Executor executor = context.getBean(Executor.class);
			assertThat(executor.isRunning()).isTrue();
			assertThat(executor.getSettings())
				.isEqualTo(ExecutorSettings.defaults().toBuilder().redactHeaders(Redactor.DEFAULT_HEADERS).build());
		});
	}

	@Test
	void executorPropertiesAreBound() {
		this.contextRunner
			.withPropertyValues("lionfuncs.executor.queue-capacity=50", "lionfuncs.executor.concurrency-limit=3",
					"lionfuncs.executor.requests-rate=2.5", "lionfuncs.executor.requests-period=2s",
					"lionfuncs.executor.requests-bucket-capacity=4", "lionfuncs.executor.api-tokens-rate=90000",
					"lionfuncs.executor.api-tokens-period=1m", "lionfuncs.executor.api-tokens-bucket-capacity=20000",
					"lionfuncs.executor.num-workers=2", "lionfuncs.executor.queue-full-policy=wait",
					"lionfuncs.executor.submit-timeout=750ms", "lionfuncs.executor.shutdown-timeout=3s",
					"lionfuncs.executor.recent-capacity=7", "lionfuncs.redact-headers=X-Tenant")
			.run((context) -> {
				ExecutorSettings settings = context.getBean(Executor.class).getSettings();
				assertThat(settings.queueCapacity()).isEqualTo(50);
				assertThat(settings.concurrencyLimit()).isEqualTo(3);
				assertThat(settings.requestsRate()).isEqualTo(2.5);
				assertThat(settings.requestsPeriod()).isEqualTo(Duration.ofSeconds(2));
				assertThat(settings.requestsBucketCapacity()).isEqualTo(4);
				assertThat(settings.apiTokensRate()).isEqualTo(90000.0);
				assertThat(settings.apiTokensPeriod()).isEqualTo(Duration.ofMinutes(1));
				assertThat(settings.apiTokensBucketCapacity()).isEqualTo(20000);
				assertThat(settings.numWorkers()).isEqualTo(2);
				assertThat(settings.queueFullPolicy()).isEqualTo(QueueFullPolicy.WAIT);
				assertThat(settings.submitTimeout()).isEqualTo(Duration.ofMillis(750));
				assertThat(settings.shutdownTimeout()).isEqualTo(Duration.ofSeconds(3));
				assertThat(settings.recentCapacity()).isEqualTo(7);
				assertThat(settings.redactHeaders()).containsExactly("X-Tenant");
			});
	}

	@Test
	void userExecutorReplacesTheDefaultAndIsStarted() {
		this.contextRunner.withUserConfiguration(UserExecutorConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(Executor.class).doesNotHaveBean("lionfuncsExecutor");
			assertThat(context.getBean(Executor.class).getName()).isEqualTo("mine");
			assertThat(context.getBean(Executor.class).isRunning()).isTrue();
		});
	}

	@Test
	void executorsBeginTheirStopWithTheWebServersGracefulShutdownAndFinishItBeforeTheConnectionPools() {
		this.contextRunner.run((context) -> {
			assertThat(context.getBean(ExecutorsGracefulShutdownLifecycle.class).getPhase())
				.isEqualTo(WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE);
			assertThat(context.getBean(ExecutorsLifecycle.class).getPhase())
				.isLessThan(WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE)
				.isGreaterThan(new ReactorResourceFactory().getPhase());
		});
	}

	@Test
	void pausingTheContextDrainsTheExecutorsAndRestartingStartsThemAgain() {
		this.contextRunner
			.withPropertyValues("lionfuncs.executor.shutdown-timeout=200ms", "lionfuncs.executor.concurrency-limit=1")
			.run((context) -> {
				Executor executor = context.getBean(Executor.class);
				List<NetworkRequestEvent> hanging = IntStream.range(0, 5)
					.mapToObj((index) -> executor
						.submitTask(TaskRequest.ofStage(CompletableFuture<CallResult>::new).build()))
					.toList();
				ConfigurableApplicationContext source = context
					.getSourceApplicationContext(ConfigurableApplicationContext.class);
				source.pause();
				assertThat(executor.isRunning()).isFalse();
				assertThat(hanging).allSatisfy(
						(event) -> assertThat(event.getStatus()).isEqualTo(RequestStatus.CANCELLED));
				assertThat(context.getBean(ExecutorsGracefulShutdownLifecycle.class).isRunning()).isFalse();
				source.restart();
				assertThat(executor.isRunning()).isTrue();
				assertThat(context.getBean(ExecutorsGracefulShutdownLifecycle.class).isRunning()).isTrue();
				NetworkRequestEvent again = executor
					.submitTask(TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, null)))
						.build());
				assertThat(again.completion().get().getStatus()).isEqualTo(RequestStatus.COMPLETED);
			});
	}

	@Test
	void disabledLeavesNoBeans() {
		this.contextRunner.withPropertyValues("lionfuncs.enabled=false").run((context) -> {
			assertThat(context).doesNotHaveBean(Executor.class);
			assertThat(context).doesNotHaveBean(ExecutorsLifecycle.class);
			assertThat(context).doesNotHaveBean(ExecutorsGracefulShutdownLifecycle.class);
			assertThat(context).doesNotHaveBean(LionfuncsProperties.class);
		});
	}

	@Test
	void backsOffWithoutBucket4j() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(Bucket.class))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean(Executor.class));
	}

	@Test
	void namedClientsGetTheirOwnExecutorsInjectableByQualifier() {
		this.contextRunner
			.withPropertyValues("lionfuncs.clients.openai.executor.requests-rate=3",
					"lionfuncs.clients.anthropic.executor.concurrency-limit=2")
			.withUserConfiguration(QualifiedInjectionConfiguration.class)
			.run((context) -> {
				assertThat(context).getBeans(Executor.class)
					.containsOnlyKeys("lionfuncsExecutor", "lionfuncsExecutor.openai", "lionfuncsExecutor.anthropic");
				Executor openai = context.getBean(QualifiedInjectionConfiguration.class).openai;
				assertThat(openai.getName()).isEqualTo("openai");
				assertThat(openai.getSettings().requestsRate()).isEqualTo(3);
				assertThat(openai.isRunning()).isTrue();
				assertThat(context.getBean("lionfuncsExecutor.anthropic", Executor.class).getSettings()
					.concurrencyLimit()).isEqualTo(2);
				assertThat(context.getBean("lionfuncsExecutor", Executor.class).getName()).isEqualTo("default");
			});
	}

	@Test
	void statusListenerBeansAreAttachedToEveryExecutor() {
		this.contextRunner.withUserConfiguration(StatusListenerConfiguration.class)
			.withPropertyValues("lionfuncs.clients.openai.base-url=http://localhost")
			.run((context) -> {
				for (Executor executor : context.getBeansOfType(Executor.class).values()) {
					executor.submitTask(TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(204, null)))
						.build()).completion().get();
				}
				assertThat(context.getBean(StatusListenerConfiguration.class).executors).containsExactlyInAnyOrder(
						"default", "openai");
			});
	}

	@Test
	void contextCloseStopsTheExecutorsGracefully() {
		CompletableFuture<CallResult> call = new CompletableFuture<>();
		this.contextRunner.withPropertyValues("lionfuncs.executor.shutdown-timeout=0s").run((context) -> {
			Executor executor = context.getBean(Executor.class);
			NetworkRequestEvent event = executor.submitTask(TaskRequest.ofStage(() -> call).build());
			context.close();
			assertThat(executor.isRunning()).isFalse();
			assertThat(event.getStatus()).isEqualTo(RequestStatus.CANCELLED);
		});
	}

	@Test
	void invalidValuesFailStartUpNamingTheKeyTheValueAndTheFix() {
		assertInvalid("lionfuncs.executor.requests-rate=-1", "lionfuncs.executor.requests-rate", "-1.0",
				"greater than 0");
		assertInvalid("lionfuncs.executor.requests-rate=0", "lionfuncs.executor.requests-rate", "0.0",
				"greater than 0");
		assertInvalid("lionfuncs.executor.queue-capacity=0", "lionfuncs.executor.queue-capacity", "0", "at least 1");
		assertInvalid("lionfuncs.executor.concurrency-limit=-5", "lionfuncs.executor.concurrency-limit", "-5",
				"at least 1");
		assertInvalid("lionfuncs.executor.num-workers=0", "lionfuncs.executor.num-workers", "0", "at least 1");
		assertInvalid("lionfuncs.executor.requests-bucket-capacity=0", "lionfuncs.executor.requests-bucket-capacity",
				"0", "at least 1");
		assertInvalid("lionfuncs.executor.api-tokens-rate=-100", "lionfuncs.executor.api-tokens-rate", "-100.0",
				"greater than 0");
		assertInvalid(new String[] { "lionfuncs.executor.api-tokens-rate=1000",
				"lionfuncs.executor.api-tokens-bucket-capacity=0" }, "lionfuncs.executor.api-tokens-bucket-capacity",
				"0", "at least 1");
		assertInvalid("lionfuncs.executor.requests-period=0s", "lionfuncs.executor.requests-period", "PT0S",
				"greater than 0");
		assertInvalid("lionfuncs.executor.submit-timeout=-1s", "lionfuncs.executor.submit-timeout", "PT-1S",
				"greater than 0");
		assertInvalid("lionfuncs.executor.shutdown-timeout=-2s", "lionfuncs.executor.shutdown-timeout", "PT-2S",
				"0 or more");
		assertInvalid("lionfuncs.executor.requests-rate=5000000000", "lionfuncs.executor.requests-rate", "5.0E9",
				"1 token per nanosecond");
		assertInvalid("lionfuncs.clients.openai.executor.requests-rate=-3",
				"lionfuncs.clients.openai.executor.requests-rate", "-3.0", "greater than 0");
		assertInvalid("lionfuncs.clients.default.base-url=http://x", "lionfuncs.clients.default", "default",
				"another name");
		assertInvalid("lionfuncs.executor.rate-limiter.store=redis", "lionfuncs.executor.rate-limiter.store", "redis",
				"spring.data.redis");
		assertInvalid("lionfuncs.clients.openai.executor.rate-limiter.store=redis",
				"lionfuncs.clients.openai.executor.rate-limiter.store", "redis", "spring-boot-starter-data-redis");
		assertInvalid(new String[] { "lionfuncs.executor.rate-limiter.store=redis",
				"lionfuncs.executor.rate-limiter.expected-replicas=0" },
				"lionfuncs.executor.rate-limiter.expected-replicas", "0", "at least 1");
		assertInvalid(new String[] { "lionfuncs.clients.openai.executor.rate-limiter.store=redis",
				"lionfuncs.clients.openai.executor.rate-limiter.redis-timeout=0s" },
				"lionfuncs.clients.openai.executor.rate-limiter.redis-timeout", "PT0S", "greater than 0");
	}

	@Test
	void unknownQueuePolicyFailsBindingWithTheKey() {
		this.contextRunner.withPropertyValues("lionfuncs.executor.queue-full-policy=drop").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("QueueFullPolicy.drop");
			assertThat(allMessages(context)).contains("lionfuncs.executor.queue-full-policy");
		});
	}

	private void assertInvalid(String property, String key, String value, String fix) {
		assertInvalid(new String[] { property }, key, value, fix);
	}

	private void assertInvalid(String[] properties, String key, String value, String fix) {
		this.contextRunner.withPropertyValues(properties).run((context) -> {
			assertThat(context).hasFailed();
			InvalidLionfuncsPropertyException cause = findCause(context.getStartupFailure());
			assertThat(cause).as("startup failure of %s", (Object) properties).isNotNull();
			assertThat(cause.getProperty()).isEqualTo(key);
			FailureAnalysis analysis = new InvalidLionfuncsPropertyFailureAnalyzer()
				.analyze(context.getStartupFailure());
			assertThat(analysis.getDescription()).contains("'" + key + "'", "'" + value + "'");
			assertThat(analysis.getAction()).contains(key, fix);
		});
	}

	private static InvalidLionfuncsPropertyException findCause(Throwable failure) {
		for (Throwable current = failure; current != null; current = current.getCause()) {
			if (current instanceof InvalidLionfuncsPropertyException invalid) {
				return invalid;
			}
		}
		return null;
	}

	private static String allMessages(AssertableApplicationContext context) {
		StringBuilder messages = new StringBuilder();
		for (Throwable current = context.getStartupFailure(); current != null; current = current.getCause()) {
			messages.append(current.getMessage()).append('\n');
		}
		return messages.toString();
	}

	@Configuration(proxyBeanMethods = false)
	static class UserExecutorConfiguration {

		@Bean
		Executor myExecutor() {
			return new Executor(ExecutorSettings.builder().name("mine").build());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class QualifiedInjectionConfiguration {

		final Executor openai;

		QualifiedInjectionConfiguration(@Qualifier("openai") Executor openai) {
			this.openai = openai;
		}

	}

	@Test
	void everyAutoConfiguredExecutorObservesItsRequestsInBootsObservationRegistry() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class))
			.withUserConfiguration(ObservationCollectorConfiguration.class)
			.withPropertyValues("lionfuncs.clients.openai.executor.requests-rate=3")
			.run((context) -> {
				List<String> observed = context.getBean(ObservationCollectorConfiguration.class).observed;
				for (String name : List.of("lionfuncsExecutor", "lionfuncsExecutor.openai")) {
					Executor executor = context.getBean(name, Executor.class);
					executor
						.submitTask(TaskRequest
							.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, null)))
							.build())
						.completion()
						.join();
				}
				assertThat(observed).containsExactlyInAnyOrder("lionfuncs.request default COMPLETED",
						"lionfuncs.request openai COMPLETED");
			});
	}

	@Test
	void theObservationsAreTurnedOffByTheirPrefix() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class))
			.withUserConfiguration(ObservationCollectorConfiguration.class)
			.withPropertyValues("management.observations.enable.lionfuncs.request=false")
			.run((context) -> {
				NetworkRequestEvent event = context.getBean(Executor.class)
					.submitTask(TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, null)))
						.build())
					.completion()
					.join();
				assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED);
				assertThat(context.getBean(ObservationCollectorConfiguration.class).observed).isEmpty();
			});
	}

	@Test
	void aRequestObservationConventionBeanNamesTheObservations() {
		this.contextRunner.withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class))
			.withUserConfiguration(ObservationCollectorConfiguration.class)
			.withBean(RequestObservationConvention.class, () -> new DefaultRequestObservationConvention() {

				@Override
				public String getName() {
					return "llm.request";
				}

			})
			.run((context) -> {
				context.getBean(Executor.class)
					.submitTask(TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, null)))
						.build())
					.completion()
					.join();
				assertThat(context.getBean(ObservationCollectorConfiguration.class).observed)
					.containsExactly("llm.request default COMPLETED");
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class ObservationCollectorConfiguration {

		final List<String> observed = new CopyOnWriteArrayList<>();

		@Bean
		ObservationHandler<RequestObservationContext> requestObservationCollector() {
			return new ObservationHandler<>() {

				@Override
				public void onStop(RequestObservationContext context) {
					ObservationCollectorConfiguration.this.observed.add(context.getName() + " "
							+ context.getExecutorName() + " " + context.getStatus());
				}

				@Override
				public boolean supportsContext(Observation.Context context) {
					return context instanceof RequestObservationContext;
				}

			};
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class StatusListenerConfiguration {

		final List<String> executors = new CopyOnWriteArrayList<>();

		@Bean
		RequestStatusListener completedListener() {
			return (event, previous, current) -> {
				if (current == RequestStatus.COMPLETED) {
					this.executors.add(event.getExecutorName());
				}
			};
		}

	}

}
