package io.lionfuncs.autoconfigure.event;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.springboot.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration;
import io.github.resilience4j.springboot.retry.autoconfigure.RetryAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsClientAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsClients;
import io.lionfuncs.autoconfigure.LionfuncsNamedClientsAutoConfiguration;
import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.TaskRequest;
import io.lionfuncs.network.client.AsyncApiClient;
import io.lionfuncs.network.connection.ConnectionEvent;
import io.lionfuncs.network.connection.ConnectionEvent.Updated;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.codec.autoconfigure.CodecsAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link LionfuncsApplicationEventsAutoConfiguration}.
 */
class LionfuncsApplicationEventsAutoConfigurationTests {

	private static final Duration BLOCK = Duration.ofSeconds(10);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, CodecsAutoConfiguration.class,
				WebClientAutoConfiguration.class, CircuitBreakerAutoConfiguration.class, RetryAutoConfiguration.class,
				LionfuncsAutoConfiguration.class, LionfuncsClientAutoConfiguration.class,
				LionfuncsNamedClientsAutoConfiguration.class, LionfuncsApplicationEventsAutoConfiguration.class));

	private final MockWebServer server = new MockWebServer();

	@BeforeEach
	void startServer() throws IOException {
		this.server.start();
	}

	@AfterEach
	void stopServer() {
		this.server.close();
	}

	@Test
	void requestAndPausePublishersArePresentByDefaultAndConnectionsOnlyWhenAskedFor() {
		this.contextRunner.run((context) -> assertThat(context).hasSingleBean(ApplicationEventPublishingListener.class)
			.hasSingleBean(ApplicationEventPausePublisher.class)
			.doesNotHaveBean(ConnectionEventPublishingListener.class));
	}

	@Test
	void disabledLeavesNoPublishers() {
		this.contextRunner.withPropertyValues("lionfuncs.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(ApplicationEventPublishingListener.class)
				.doesNotHaveBean(ApplicationEventPausePublisher.class)
				.doesNotHaveBean(ConnectionEventPublishingListener.class));
	}

	@Test
	void statusChangesArePublishedAsApplicationEventsInOrder() {
		this.contextRunner.withUserConfiguration(EventCollectorConfiguration.class).run((context) -> {
			List<RequestStatusChangedEvent> events = context.getBean(EventCollectorConfiguration.class).events;
			NetworkRequestEvent request = context.getBean(Executor.class)
				.submitTask(TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, "ok")))
					.build());
			request.completion().get();

			assertThat(events).extracting(RequestStatusChangedEvent::getStatus)
				.containsExactly(RequestStatus.QUEUED, RequestStatus.PROCESSING, RequestStatus.CALLING,
						RequestStatus.COMPLETED);
			assertThat(events).allSatisfy((event) -> {
				assertThat(event.getExecutorName()).isEqualTo("default");
				assertThat(event.getRequest().requestId()).isEqualTo(request.getRequestId());
			});
			assertThat(events.get(3).getPreviousStatus()).isEqualTo(RequestStatus.CALLING);
			assertThat(events.get(3).getRequest().responseStatusCode()).isEqualTo(200);
			// Each snapshot, read after the request ended, shows the state at its change.
			assertThat(events).extracting((event) -> event.getRequest().status())
				.containsExactly(RequestStatus.QUEUED, RequestStatus.PROCESSING, RequestStatus.CALLING,
						RequestStatus.COMPLETED);
			assertThat(events.get(0).getRequest().processingStartedAt()).isNull();
			assertThat(events.get(2).getRequest().completedAt()).isNull();
			assertThat(events.get(2).getRequest().callStartedAt()).isEqualTo(request.getCallStartedAt());
			assertThat(events.get(3).getRequest().completedAt()).isEqualTo(request.getCompletedAt());
		});
	}

	@Test
	void listenerAddedAfterStartReceivesStatusChanges() {
		this.contextRunner.run((context) -> {
			List<RequestStatusChangedEvent> events = new CopyOnWriteArrayList<>();
			Executor executor = context.getBean(Executor.class);
			executor.submitTask(TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, "ok")))
				.build()).completion().get();

			context.getSourceApplicationContext()
				.addApplicationListener((ApplicationListener<RequestStatusChangedEvent>) events::add);
			executor.submitTask(TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, "ok")))
				.build()).completion().get();

			assertThat(events).extracting(RequestStatusChangedEvent::getStatus)
				.containsExactly(RequestStatus.QUEUED, RequestStatus.PROCESSING, RequestStatus.CALLING,
						RequestStatus.COMPLETED);
		});
	}

	@Test
	void publishedStatusesAreConfigurable() {
		this.contextRunner.withUserConfiguration(EventCollectorConfiguration.class)
			.withPropertyValues("lionfuncs.events.application-event-statuses=completed,failed")
			.run((context) -> {
				context.getBean(Executor.class)
					.submitTask(TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, null)))
						.build())
					.completion()
					.get();
				assertThat(context.getBean(EventCollectorConfiguration.class).events)
					.extracting(RequestStatusChangedEvent::getStatus)
					.containsExactly(RequestStatus.COMPLETED);
			});
	}

	@Test
	void applicationEventsCanBeTurnedOff() {
		this.contextRunner.withPropertyValues("lionfuncs.events.publish-application-events=false")
			.run((context) -> assertThat(context).hasSingleBean(Executor.class)
				.doesNotHaveBean(ApplicationEventPublishingListener.class)
				.doesNotHaveBean(ApplicationEventPausePublisher.class));
	}

	@Test
	void connectionEventsArePublishedAsApplicationEventsWhenAskedFor() {
		this.server.enqueue(new MockResponse.Builder().body("ok").build());
		this.contextRunner.withUserConfiguration(ConnectionListenerConfiguration.class)
			.withPropertyValues("lionfuncs.executor.shutdown-timeout=0s",
					"lionfuncs.client.base-url=" + this.server.url("/").toString(),
					"lionfuncs.connections.publish-application-events=true")
			.run((context) -> {
				assertThat(context).hasSingleBean(ConnectionEventPublishingListener.class);
				List<ConnectionLifecycleEvent> published = context.getBean(ConnectionListenerConfiguration.class).events;

				assertThat(context.getBean(AsyncApiClient.class).request("GET", "/items").block(BLOCK)).isEqualTo("ok");

				await().atMost(BLOCK)
					.until(() -> published.stream()
						.map(ConnectionLifecycleEvent::getConnectionEvent)
						.anyMatch((event) -> event instanceof Updated updated && updated.idle()));
				ConnectionLifecycleEvent first = published.get(0);
				assertThat(first.getClientName()).isEqualTo("default");
				assertThat(first.getSource()).isEqualTo("default");
				assertThat(first.getConnectionEvent()).isInstanceOf(Updated.class);
				assertThat(published).extracting(ConnectionLifecycleEvent::getConnectionEvent)
					.hasAtLeastOneElementOfType(ConnectionEvent.RawData.class);
			});
	}

	@Test
	void connectionEventsAreNotPublishedWithoutTheClientAutoConfiguration() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(RetryOperator.class))
			.withPropertyValues("lionfuncs.connections.publish-application-events=true")
			.run((context) -> assertThat(context).doesNotHaveBean(LionfuncsClients.class)
				.hasSingleBean(ApplicationEventPublishingListener.class)
				.doesNotHaveBean(ConnectionEventPublishingListener.class));
	}

	@Configuration(proxyBeanMethods = false)
	static class EventCollectorConfiguration {

		final List<RequestStatusChangedEvent> events = new CopyOnWriteArrayList<>();

		@Bean
		ApplicationListener<RequestStatusChangedEvent> collector() {
			return this.events::add;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class ConnectionListenerConfiguration implements ApplicationListener<ConnectionLifecycleEvent> {

		final List<ConnectionLifecycleEvent> events = new CopyOnWriteArrayList<>();

		@Override
		public void onApplicationEvent(ConnectionLifecycleEvent event) {
			this.events.add(event);
		}

	}

}
