package io.lionfuncs.autoconfigure;

import java.io.IOException;
import java.time.Duration;
import java.util.List;

import io.lionfuncs.network.client.AsyncApiClient;
import io.lionfuncs.network.connection.ConnectionEvent;
import io.lionfuncs.network.connection.ConnectionEvent.Updated;
import io.lionfuncs.network.connection.ConnectionEventRecorder;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for the connection policy and events that the auto-configuration gives every
 * client ({@code lionfuncs.connections.*}).
 */
@ExtendWith(OutputCaptureExtension.class)
class LionfuncsConnectionsAutoConfigurationTests {

	private static final Duration BLOCK = Duration.ofSeconds(10);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ClientAutoConfigurations.ALL)
		.withPropertyValues("lionfuncs.executor.shutdown-timeout=0s", "lionfuncs.client.base-url=http://localhost");

	private MockWebServer server;

	@BeforeEach
	void startServer() throws IOException {
		this.server = new MockWebServer();
		this.server.start();
	}

	@AfterEach
	void stopServer() {
		this.server.close();
	}

	@Test
	void everyClientTracksItsConnectionsAndClosesIdleOnesAfterFourSeconds() {
		this.contextRunner.withPropertyValues("lionfuncs.clients.openai.base-url=http://localhost")
			.run((context) -> {
				LionfuncsClients clients = context.getBean(LionfuncsClients.class);
				for (String name : List.of("default", "openai")) {
					AsyncApiClient client = clients.client(name);
					assertThat(client.getConnectionTracker()).isNotNull();
					assertThat(client.getConnectionTracker().getClientName()).isEqualTo(name);
					assertThat(client.getConnectionTracker().isCapturingData()).isFalse();
					assertThat(client.getMaxIdleTime()).isEqualTo(Duration.ofSeconds(4));
				}
			});
	}

	@Test
	void connectionSettingsApplyToEveryClient() {
		this.contextRunner
			.withPropertyValues("lionfuncs.clients.openai.base-url=http://localhost",
					"lionfuncs.connections.max-idle-time=2s", "lionfuncs.connections.max-connections=3",
					"lionfuncs.connections.capture-data=true")
			.run((context) -> {
				LionfuncsClients clients = context.getBean(LionfuncsClients.class);
				for (String name : List.of("default", "openai")) {
					AsyncApiClient client = clients.client(name);
					assertThat(client.getMaxIdleTime()).isEqualTo(Duration.ofSeconds(2));
					assertThat(client.getConnectionProvider().maxConnections()).isEqualTo(3);
					assertThat(client.getConnectionTracker().isCapturingData()).isTrue();
				}
			});
	}

	@Test
	void withEventsOffNothingIsAttachedButTheIdlePolicyStays() {
		this.contextRunner.withPropertyValues("lionfuncs.connections.events=false").run((context) -> {
			AsyncApiClient client = context.getBean(AsyncApiClient.class);
			assertThat(client.getConnectionTracker()).isNull();
			assertThat(client.getMaxIdleTime()).isEqualTo(Duration.ofSeconds(4));
		});
	}

	@Test
	void listenerBeansAreToldOfEveryClientsConnectionEvents() {
		this.server.enqueue(new MockResponse.Builder().body("ok").build());
		this.contextRunner.withUserConfiguration(RecorderConfiguration.class)
			.withPropertyValues("lionfuncs.client.base-url=" + this.server.url("/").toString())
			.run((context) -> {
				ConnectionEventRecorder recorder = context.getBean(ConnectionEventRecorder.class);
				AsyncApiClient client = context.getBean(AsyncApiClient.class);

				assertThat(client.request("GET", "/items").block(BLOCK)).isEqualTo("ok");

				await().atMost(BLOCK).until(() -> recorder.ofType(Updated.class).size() == 2);
				assertThat(recorder.events()).allSatisfy((event) -> assertThat(event.clientName()).isEqualTo("default"));
				assertThat(recorder.updates(recorder.connectionIds().get(0))).containsExactly(false, true);
			});
	}

	@Test
	void eachPoolHasAConnectionForEveryCallItsExecutorLetsBeInFlight(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("lionfuncs.executor.concurrency-limit=64",
					"lionfuncs.clients.openai.base-url=http://localhost",
					"lionfuncs.clients.openai.executor.concurrency-limit=40",
					"lionfuncs.clients.small.base-url=http://localhost")
			.run((context) -> {
				LionfuncsClients clients = context.getBean(LionfuncsClients.class);
				assertThat(clients.client("default").getConnectionProvider().maxConnections()).isEqualTo(64);
				assertThat(clients.client("openai").getConnectionProvider().maxConnections())
					.isEqualTo(Math.max(40, ConnectionProvider.DEFAULT_POOL_MAX_CONNECTIONS));
				assertThat(clients.client("small").getConnectionProvider().maxConnections())
					.isEqualTo(ConnectionProvider.DEFAULT_POOL_MAX_CONNECTIONS);
				assertThat(output).doesNotContain("calls be in flight");
			});
	}

	@Test
	void aConcurrencyLimitAboveThePoolSizeIsWarnedAboutAtStartUp(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("lionfuncs.connections.max-connections=2", "lionfuncs.executor.concurrency-limit=5",
					"lionfuncs.clients.openai.base-url=http://localhost",
					"lionfuncs.clients.openai.executor.concurrency-limit=2")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(output).contains("Executor 'default' lets 5 calls be in flight but client 'default' has 2 "
						+ "connections per host")
					.contains("lionfuncs.connections.max-connections")
					.contains("wait for a connection, up to the client's timeout")
					.doesNotContain("Executor 'openai'");
			});
	}

	@Test
	void theDefaultsAreNotWarnedAbout(CapturedOutput output) {
		this.contextRunner.run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(output).doesNotContain("calls be in flight");
		});
	}

	@Test
	void anInvalidMaxIdleTimeStopsStartUpNamingTheProperty() {
		assertStartUpFails("lionfuncs.connections.max-idle-time=-1s", "lionfuncs.connections.max-idle-time",
				"a positive duration");
	}

	@Test
	void anInvalidMaxConnectionsStopsStartUpNamingTheProperty() {
		assertStartUpFails("lionfuncs.connections.max-connections=0", "lionfuncs.connections.max-connections",
				"at least 1");
	}

	private void assertStartUpFails(String property, String key, String fix) {
		this.contextRunner.withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			Throwable failure = context.getStartupFailure();
			InvalidLionfuncsPropertyException invalid = null;
			for (Throwable current = failure; current != null; current = current.getCause()) {
				if (current instanceof InvalidLionfuncsPropertyException exception) {
					invalid = exception;
				}
			}
			assertThat(invalid).as(property).isNotNull();
			assertThat(invalid.getProperty()).isEqualTo(key);
			assertThat(new InvalidLionfuncsPropertyFailureAnalyzer().analyze(failure).getAction()).contains(key, fix);
		});
	}

	@Test
	void aCustomizerCanTurnTrackingOffForOneClient() {
		this.contextRunner.withUserConfiguration(NoTrackingForOpenAi.class)
			.withPropertyValues("lionfuncs.clients.openai.base-url=http://localhost")
			.run((context) -> {
				LionfuncsClients clients = context.getBean(LionfuncsClients.class);
				assertThat(clients.client("openai").getConnectionTracker()).isNull();
				assertThat(clients.client("default").getConnectionTracker()).isNotNull();
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class RecorderConfiguration {

		@Bean
		ConnectionEventRecorder connectionEventRecorder() {
			return new ConnectionEventRecorder();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class NoTrackingForOpenAi {

		@Bean
		LionfuncsClientCustomizer noTracking() {
			return (name, builder) -> {
				if (name.equals("openai")) {
					builder.connectionTracker(null);
				}
			};
		}

	}

}
