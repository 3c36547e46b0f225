package io.lionfuncs.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import io.lionfuncs.autoconfigure.event.ExecutorPausedEvent;
import io.lionfuncs.autoconfigure.event.LionfuncsApplicationEventsAutoConfiguration;
import io.lionfuncs.event.Event;
import io.lionfuncs.event.EventHandler;
import io.lionfuncs.event.request.ExecutorPauseEventPublisher;
import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.TaskRequest;
import io.lionfuncs.network.budget.BudgetSettings;
import io.lionfuncs.network.UsageExtractor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for the budget properties of the executors ({@code usage.*},
 * {@code provider-headers.*}, {@code pause.*}), the {@link UsageExtractor} bean, and
 * the publication of pauses.
 */
class LionfuncsBudgetAutoConfigurationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	@TempDir
	Path spool;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(LionfuncsAutoConfiguration.class,
				LionfuncsNamedClientsAutoConfiguration.class, LionfuncsEventsAutoConfiguration.class,
				LionfuncsApplicationEventsAutoConfiguration.class));

	private ApplicationContextRunner runner() {
		return this.contextRunner.withPropertyValues("lionfuncs.events.spool-directory=" + this.spool);
	}

	@Test
	void everyBudgetFeatureIsOnByDefault() {
		runner().run((context) -> {
			assertThat(context.getBean(Executor.class).getSettings().budget()).isEqualTo(BudgetSettings.defaults());
			assertThat(context).hasSingleBean(ExecutorPauseEventPublisher.class);
		});
	}

	@Test
	void budgetPropertiesAreBound() {
		runner()
			.withPropertyValues("lionfuncs.executor.usage.json-pointers=/usage/input_tokens,/usage/output_tokens",
					"lionfuncs.executor.provider-headers.enabled=false", "lionfuncs.executor.pause.default-duration=250ms",
					"lionfuncs.executor.pause.max-duration=30s")
			.run((context) -> assertThat(context.getBean(Executor.class).getSettings().budget())
				.isEqualTo(BudgetSettings.builder()
					.usageJsonPointers(List.of("/usage/input_tokens", "/usage/output_tokens"))
					.providerHeadersEnabled(false)
					.defaultPause(Duration.ofMillis(250))
					.maxPause(Duration.ofSeconds(30))
					.build()));
	}

	@Test
	void everyFeatureCanBeSwitchedOff() {
		runner()
			.withPropertyValues("lionfuncs.executor.usage.enabled=false",
					"lionfuncs.executor.provider-headers.enabled=false", "lionfuncs.executor.pause.enabled=false")
			.run((context) -> {
				Executor executor = context.getBean(Executor.class);
				assertThat(executor.getSettings().budget().readsResponses()).isFalse();
				NetworkRequestEvent refused = executor.submitTask(call(
						new CallResult(429, Map.of("Retry-After", "30"), Map.of("usage", Map.of("total_tokens", 9)))))
					.completion()
					.get();
				assertThat(refused.getApiTokensUsed()).isNull();
				assertThat(executor.pausedUntil()).isNull();
			});
	}

	@Test
	void namedClientExecutorsHaveTheirOwnBudget() {
		runner()
			.withPropertyValues("lionfuncs.clients.anthropic.base-url=http://localhost",
					"lionfuncs.clients.anthropic.executor.usage.json-pointers=/usage/input_tokens,/usage/output_tokens",
					"lionfuncs.clients.anthropic.executor.pause.max-duration=10s",
					"lionfuncs.clients.anthropic.executor.provider-headers.enabled=false")
			.run((context) -> {
				BudgetSettings named = context
					.getBean(NamedClientsRegistrar.EXECUTOR_BEAN_PREFIX + "anthropic", Executor.class)
					.getSettings()
					.budget();
				assertThat(named.usageJsonPointers()).containsExactly("/usage/input_tokens", "/usage/output_tokens");
				assertThat(named.maxPause()).isEqualTo(Duration.ofSeconds(10));
				assertThat(named.providerHeadersEnabled()).isFalse();
				assertThat(context.getBean("lionfuncsExecutor", Executor.class).getSettings().budget())
					.isEqualTo(BudgetSettings.defaults());
			});
	}

	@Test
	void invalidJsonPointerFailsStartUpNamingTheKey() {
		runner().withPropertyValues("lionfuncs.executor.usage.json-pointers=usage.total_tokens")
			.run((context) -> assertThat(invalidProperty(context.getStartupFailure()).getProperty())
				.isEqualTo("lionfuncs.executor.usage.json-pointers"));
		runner()
			.withPropertyValues("lionfuncs.clients.openai.base-url=http://localhost",
					"lionfuncs.clients.openai.executor.pause.max-duration=0s")
			.run((context) -> assertThat(invalidProperty(context.getStartupFailure()).getProperty())
				.isEqualTo("lionfuncs.clients.openai.executor.pause.max-duration"));
	}

	@Test
	void usageExtractorBeanReadsTheUsage() {
		runner().withBean(UsageExtractor.class, () -> (result) -> Long.valueOf(result.headers().get("x-usage")))
			.run((context) -> {
				NetworkRequestEvent event = context.getBean(Executor.class)
					.submitTask(call(new CallResult(200, Map.of("x-usage", "33"),
							Map.of("usage", Map.of("total_tokens", 900)))))
					.completion()
					.get();
				assertThat(event.getApiTokensUsed()).isEqualTo(33);
			});
	}

	@Test
	void usageExtractorBeanIsNotUsedWhenUsageIsSwitchedOff() {
		runner().withBean(UsageExtractor.class, () -> (result) -> 33L)
			.withPropertyValues("lionfuncs.executor.usage.enabled=false")
			.run((context) -> assertThat(context.getBean(Executor.class)
				.submitTask(call(CallResult.of(200, null)))
				.completion()
				.get()
				.getApiTokensUsed()).isNull());
	}

	@Test
	void pausesArePublishedAsApplicationEventsAndToTheEventManager() {
		runner().withUserConfiguration(PauseRecordingConfiguration.class).run((context) -> {
			Executor executor = context.getBean(Executor.class);
			executor.submitTask(call(new CallResult(429, Map.of("Retry-After", "1"), null))).completion().get();

			PauseRecordingConfiguration recording = context.getBean(PauseRecordingConfiguration.class);
			assertThat(recording.applicationEvents).singleElement().satisfies((event) -> {
				assertThat(event.getExecutorName()).isEqualTo("default");
				assertThat(event.getPause().reason()).isEqualTo("429 Too Many Requests (Retry-After)");
				assertThat(event.getPausedUntil()).isEqualTo(event.getPause().pausedAt().plusSeconds(1));
			});
			Event event = await().atMost(WAIT)
				.until(() -> recording.handler.events.stream()
					.filter((sent) -> sent.getName().equals("lionfuncs.executor.paused"))
					.toList(), (paused) -> paused.size() == 1)
				.get(0);
			assertThat(event.get("executor")).isEqualTo("default");
			assertThat(event.get("status_code")).isEqualTo(429);
			assertThat(((Number) event.get("duration_ms")).longValue()).isEqualTo(1000L);
			assertThat(event.get("reason")).isEqualTo("429 Too Many Requests (Retry-After)");
		});
	}

	@Test
	void pausesAreNotPublishedAsApplicationEventsWhenSwitchedOff() {
		runner().withUserConfiguration(PauseRecordingConfiguration.class)
			.withPropertyValues("lionfuncs.events.publish-application-events=false")
			.run((context) -> {
				context.getBean(Executor.class)
					.submitTask(call(new CallResult(429, Map.of("Retry-After", "1"), null)))
					.completion()
					.get();

				PauseRecordingConfiguration recording = context.getBean(PauseRecordingConfiguration.class);
				await().atMost(WAIT)
					.until(() -> recording.handler.events.stream()
						.anyMatch((sent) -> sent.getName().equals("lionfuncs.executor.paused")));
				assertThat(recording.applicationEvents).as("published to the event manager only").isEmpty();
			});
	}

	private static TaskRequest call(CallResult result) {
		return TaskRequest.ofStage(() -> CompletableFuture.completedFuture(result)).build();
	}

	private static InvalidLionfuncsPropertyException invalidProperty(Throwable failure) {
		for (Throwable current = failure; current != null; current = current.getCause()) {
			if (current instanceof InvalidLionfuncsPropertyException invalid) {
				return invalid;
			}
		}
		throw new AssertionError("No InvalidLionfuncsPropertyException in " + failure);
	}

	@Configuration(proxyBeanMethods = false)
	static class PauseRecordingConfiguration {

		final List<ExecutorPausedEvent> applicationEvents = new CopyOnWriteArrayList<>();

		final RecordingHandler handler = new RecordingHandler();

		@Bean
		ApplicationListener<ExecutorPausedEvent> pauseListener() {
			return this.applicationEvents::add;
		}

		@Bean
		EventHandler recordingHandler() {
			return this.handler;
		}

	}

	static class RecordingHandler implements EventHandler {

		final List<Event> events = new CopyOnWriteArrayList<>();

		@Override
		public String getName() {
			return "recording";
		}

		@Override
		public boolean sendEvent(Event event) {
			this.events.add(event);
			return true;
		}

	}

}
