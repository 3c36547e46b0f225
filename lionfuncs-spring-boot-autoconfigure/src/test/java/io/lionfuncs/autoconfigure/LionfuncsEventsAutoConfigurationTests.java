package io.lionfuncs.autoconfigure;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import io.lionfuncs.event.Event;
import io.lionfuncs.event.EventHandler;
import io.lionfuncs.event.EventManager;
import io.lionfuncs.event.request.RequestEventPublisher;
import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.TaskRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.config.ConfigurableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.context.LifecycleAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Scope;
import org.springframework.util.FileSystemUtils;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link LionfuncsEventsAutoConfiguration}.
 */
class LionfuncsEventsAutoConfigurationTests {

	@TempDir
	Path spool;

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(LionfuncsAutoConfiguration.class,
				LionfuncsEventsAutoConfiguration.class));

	private ApplicationContextRunner runner() {
		return this.contextRunner.withPropertyValues("lionfuncs.events.spool-directory=" + this.spool);
	}

	@Test
	void eventManagerIsStartedWithoutHandlersByDefault() {
		runner().run((context) -> {
			EventManager manager = context.getBean(EventManager.class);
			assertThat(manager.isRunning()).isTrue();
			assertThat(manager.getHandlers()).isEmpty();
			assertThat(manager.getSpoolDirectory()).isEqualTo(this.spool);
			assertThat(context).hasSingleBean(RequestEventPublisher.class);
		});
	}

	@Test
	void handlerBeansAreCollectedByTypeAndReceiveTerminalRequestEvents() {
		runner().withUserConfiguration(RecordingHandlerConfiguration.class).run((context) -> {
			EventManager manager = context.getBean(EventManager.class);
			assertThat(manager.getHandlers()).containsOnlyKeys("recording", "other");
			context.getBean(Executor.class)
				.submitTask(TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, null)))
					.endpointUrl("https://api.example.com/v1?key=s3cret")
					.build())
				.completion()
				.get();

			List<Event> received = context.getBean(RecordingHandlerConfiguration.class).recording.events;
			await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
			Event event = received.get(0);
			assertThat(event.getName()).isEqualTo("lionfuncs.request");
			assertThat(event.get("status")).isEqualTo("COMPLETED");
			assertThat(event.get("executor")).isEqualTo("default");
			assertThat(event.get("endpoint_url")).isEqualTo("https://api.example.com/v1?key=******");
			await().atMost(Duration.ofSeconds(10))
				.until(() -> manager.handlerStats().get("recording").sent() == 1
						&& manager.handlerStats().get("other").sent() == 1);
		});
	}

	@Test
	void handlerStatusesAreConfigurable() {
		runner().withUserConfiguration(RecordingHandlerConfiguration.class)
			.withPropertyValues("lionfuncs.events.handler-statuses=queued,completed")
			.run((context) -> {
				context.getBean(Executor.class)
					.submitTask(TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, null)))
						.build())
					.completion()
					.get();
				List<Event> received = context.getBean(RecordingHandlerConfiguration.class).recording.events;
				await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
				assertThat(received).extracting((event) -> event.get("status")).containsExactly("QUEUED", "COMPLETED");
			});
	}

	@Test
	void builtInHandlersAreEnabledByProperties(@TempDir Path files) {
		runner()
			.withPropertyValues("lionfuncs.events.logging.enabled=true", "lionfuncs.events.logging.logger=audit",
					"lionfuncs.events.file.enabled=true", "lionfuncs.events.file.directory=" + files,
					"lionfuncs.events.webhook.enabled=true", "lionfuncs.events.webhook.url=http://localhost:9/hook")
			.run((context) -> assertThat(context.getBean(EventManager.class).getHandlers()).containsOnlyKeys("logging",
					"file", "webhook"));
	}

	@Test
	void webhookClientIsBuiltOnlyForAWebhookHandler() {
		runner().withUserConfiguration(CountingWebClientBuilderConfiguration.class).run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context.getBean(CountingWebClientBuilderConfiguration.class).built).hasValue(0);
		});
		runner().withUserConfiguration(CountingWebClientBuilderConfiguration.class)
			.withPropertyValues("lionfuncs.events.webhook.enabled=true",
					"lionfuncs.events.webhook.url=http://localhost:9/hook")
			.run((context) -> {
				assertThat(context.getBean(EventManager.class).getHandlers()).containsOnlyKeys("webhook");
				assertThat(context.getBean(CountingWebClientBuilderConfiguration.class).built).hasValue(1);
			});
	}

	@Test
	void handlersAreLoadedFromTheEnvironmentVariable() {
		runner().withPropertyValues("E3_EVENT_HANDLERS=logging=audit.events,INFO")
			.run((context) -> assertThat(context.getBean(EventManager.class).getHandlers()).containsOnlyKeys("logging"));
		runner()
			.withPropertyValues("lionfuncs.events.handlers-env-variable=MY_HANDLERS",
					"MY_HANDLERS=logging=audit.events")
			.run((context) -> assertThat(context.getBean(EventManager.class).getHandlers()).containsOnlyKeys("logging"));
	}

	@Test
	void unknownHandlerInTheEnvironmentVariableFailsStartUp() {
		runner().withPropertyValues("E3_EVENT_HANDLERS=logging=x|com.example.Evil=payload").run((context) -> {
			assertThat(context).hasFailed();
			InvalidLionfuncsPropertyException cause = find(context.getStartupFailure());
			assertThat(cause.getProperty()).contains("E3_EVENT_HANDLERS");
			assertThat(new InvalidLionfuncsPropertyFailureAnalyzer().analyze(context.getStartupFailure()).getAction())
				.contains("[file, logging, webhook]");
		});
	}

	@Test
	void enabledBuiltInsWithoutTheirTargetFailStartUp() {
		runner().withPropertyValues("lionfuncs.events.file.enabled=true")
			.run((context) -> assertThat(find(context.getStartupFailure()).getProperty())
				.isEqualTo("lionfuncs.events.file.directory"));
		runner().withPropertyValues("lionfuncs.events.webhook.enabled=true", "lionfuncs.events.webhook.url=ftp://x")
			.run((context) -> assertThat(find(context.getStartupFailure()).getProperty())
				.isEqualTo("lionfuncs.events.webhook.url"));
	}

	@Test
	void contextsOfOneApplicationNeverShareTheDefaultSpool() {
		ApplicationContextRunner defaults = this.contextRunner
			.withPropertyValues("spring.application.name=lionfuncs-spool-test-" + ProcessHandle.current().pid());
		defaults.run((first) -> defaults.run((second) -> {
			Path one = first.getBean(EventManager.class).getSpoolDirectory();
			Path two = second.getBean(EventManager.class).getSpoolDirectory();
			assertThat(first.getBean(EventManager.class).isRunning()).isTrue();
			assertThat(second.getBean(EventManager.class).isRunning()).isTrue();
			assertThat(one).isNotEqualTo(two);
			assertThat(one.getFileName().toString()).startsWith("lionfuncs-spool-test-");
		}));
	}

	@Test
	void replicasOnOneHostKeepTheirOwnDefaultSpoolAcrossRestarts() throws IOException {
		String application = "lionfuncs-replica-test-" + ProcessHandle.current().pid();
		ApplicationContextRunner replicas = this.contextRunner
			.withPropertyValues("spring.application.name=" + application);
		Path base = EventManager.defaultSpoolDirectory(application);
		try {
			replicas.withPropertyValues("server.port=18081").run((a) -> replicas.withPropertyValues("server.port=18082")
				.run((b) -> replicas.withPropertyValues("server.port=18081").run((c) -> {
					assertThat(a.getBean(EventManager.class).getSpoolDirectory())
						.isEqualTo(base.resolveSibling(application + "-18081"));
					assertThat(b.getBean(EventManager.class).getSpoolDirectory())
						.isEqualTo(base.resolveSibling(application + "-18082"));
					assertThat(c.getBean(EventManager.class).getSpoolDirectory())
						.as("a directory a running replica holds is never shared")
						.isEqualTo(base.resolveSibling(application + "-18081-2"));
				})));
			replicas.withPropertyValues("server.port=18081")
				.run((restarted) -> assertThat(restarted.getBean(EventManager.class).getSpoolDirectory())
					.as("the same directory after a restart")
					.isEqualTo(base.resolveSibling(application + "-18081")));
			replicas.withPropertyValues("server.port=0")
				.run((randomPort) -> assertThat(randomPort.getBean(EventManager.class).getSpoolDirectory())
					.isEqualTo(base));
		}
		finally {
			for (String suffix : List.of("", "-18081", "-18082", "-18081-2")) {
				FileSystemUtils.deleteRecursively(base.resolveSibling(application + suffix));
			}
		}
	}

	@Test
	void webhookPostsSeveralEventsAtOnceByDefault() {
		runner().withPropertyValues("lionfuncs.events.webhook.enabled=true",
				"lionfuncs.events.webhook.url=http://localhost:9/hook")
			.run((context) -> assertThat(context.getBean(EventManager.class).getHandlers().get("webhook").maxInFlight())
				.isEqualTo(8));
		runner().withPropertyValues("lionfuncs.events.webhook.enabled=true",
				"lionfuncs.events.webhook.url=http://localhost:9/hook", "lionfuncs.events.webhook.concurrency=1")
			.run((context) -> assertThat(context.getBean(EventManager.class).getHandlers().get("webhook").maxInFlight())
				.isEqualTo(1));
		runner().withPropertyValues("lionfuncs.events.webhook.enabled=true",
				"lionfuncs.events.webhook.url=http://localhost:9/hook", "lionfuncs.events.webhook.concurrency=0")
			.run((context) -> assertThat(find(context.getStartupFailure()).getProperty())
				.isEqualTo("lionfuncs.events.webhook.concurrency"));
	}

	@Test
	void pausingTheContextKeepsTheEventManagerAndRestartsTheExecutors() {
		runner().run((context) -> {
			EventManager manager = context.getBean(EventManager.class);
			Executor executor = context.getBean(Executor.class);
			context.getSourceApplicationContext(ConfigurableApplicationContext.class).pause();
			assertThat(manager.isRunning()).isTrue();
			assertThat(executor.isRunning()).isFalse();
			context.getSourceApplicationContext(ConfigurableApplicationContext.class).restart();
			assertThat(executor.isRunning()).isTrue();
			executor.submitTask(TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, null)))
				.build()).completion().get();
		});
	}

	@Test
	void eventManagerClosesAfterTheExecutorsStopped() {
		runner().withUserConfiguration(RecordingHandlerConfiguration.class).run((context) -> {
			EventManager manager = context.getBean(EventManager.class);
			context.close();
			assertThat(manager.isRunning()).isFalse();
		});
	}

	@Test
	void drainOutlastingThePhaseTimeoutEndsBeforeTheEventManagerCloses() {
		runner().withConfiguration(AutoConfigurations.of(LifecycleAutoConfiguration.class))
			.withUserConfiguration(RecordingHandlerConfiguration.class)
			.withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=200ms",
					"lionfuncs.executor.shutdown-timeout=1s", "lionfuncs.executor.requests-rate=10")
			.run((context) -> {
				Executor executor = context.getBean(Executor.class);
				List<Event> received = context.getBean(RecordingHandlerConfiguration.class).recording.events;
				List<NetworkRequestEvent> events = IntStream.range(0, 60)
					.mapToObj((index) -> executor.submitTask(TaskRequest
						.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, null)))
						.build()))
					.toList();
				context.close();
				assertThat(events).allSatisfy((event) -> assertThat(event.isTerminal()).isTrue());
				assertThat(events).filteredOn((event) -> event.getStatus() == RequestStatus.CANCELLED)
					.as("cancelled after the shutdown timeout, which outlasts the phase timeout")
					.isNotEmpty();
				assertThat(received).as("every terminal request reached the handler before it closed")
					.hasSize(events.size());
			});
	}

	private static InvalidLionfuncsPropertyException find(Throwable failure) {
		for (Throwable current = failure; current != null; current = current.getCause()) {
			if (current instanceof InvalidLionfuncsPropertyException invalid) {
				return invalid;
			}
		}
		throw new AssertionError("No InvalidLionfuncsPropertyException in " + failure);
	}

	@Configuration(proxyBeanMethods = false)
	static class CountingWebClientBuilderConfiguration {

		final AtomicInteger built = new AtomicInteger();

		@Bean
		@Scope(ConfigurableBeanFactory.SCOPE_PROTOTYPE)
		WebClient.Builder webClientBuilder() {
			this.built.incrementAndGet();
			return WebClient.builder();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class RecordingHandlerConfiguration {

		final RecordingHandler recording = new RecordingHandler("recording");

		@Bean
		EventHandler recordingHandler() {
			return this.recording;
		}

		@Bean
		EventHandler otherHandler() {
			return new RecordingHandler("other");
		}

	}

	static class RecordingHandler implements EventHandler {

		final List<Event> events = new CopyOnWriteArrayList<>();

		private final String name;

		RecordingHandler(String name) {
			this.name = name;
		}

		@Override
		public String getName() {
			return this.name;
		}

		@Override
		public boolean sendEvent(Event event) {
			this.events.add(event);
			return true;
		}

	}

}
