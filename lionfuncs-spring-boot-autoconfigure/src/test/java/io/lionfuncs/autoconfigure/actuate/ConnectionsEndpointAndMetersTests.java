package io.lionfuncs.autoconfigure.actuate;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import io.github.resilience4j.springboot.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration;
import io.github.resilience4j.springboot.retry.autoconfigure.RetryAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsClientAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsNamedClientsAutoConfiguration;
import io.lionfuncs.autoconfigure.actuate.endpoint.ConnectionsEndpointContributor.ClientConnectionsDescriptor;
import io.lionfuncs.autoconfigure.actuate.endpoint.LionfuncsEndpoint;
import io.lionfuncs.autoconfigure.actuate.endpoint.LionfuncsEndpointAutoConfiguration;
import io.lionfuncs.autoconfigure.actuate.metrics.LionfuncsMetricsAutoConfiguration;
import io.lionfuncs.network.client.AsyncApiClient;
import io.lionfuncs.network.connection.ConnectionEvent.Closed;
import io.lionfuncs.network.connection.ConnectionEventRecorder;
import io.lionfuncs.network.connection.ConnectionStats;
import io.micrometer.core.instrument.MeterRegistry;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.codec.autoconfigure.CodecsAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for the {@code connections} section of the {@code lionfuncs} endpoint
 * ({@link ConnectionsEndpointContributor}) and the connection meters
 * ({@link ConnectionMeterBinder}): what they show matches the connection events.
 */
class ConnectionsEndpointAndMetersTests {

	private static final Duration BLOCK = Duration.ofSeconds(10);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, CodecsAutoConfiguration.class,
				WebClientAutoConfiguration.class, CircuitBreakerAutoConfiguration.class, RetryAutoConfiguration.class,
				MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
				SimpleMetricsExportAutoConfiguration.class, LionfuncsAutoConfiguration.class,
				LionfuncsClientAutoConfiguration.class, LionfuncsNamedClientsAutoConfiguration.class,
				LionfuncsEndpointAutoConfiguration.class, LionfuncsMetricsAutoConfiguration.class))
		.withUserConfiguration(RecorderConfiguration.class)
		.withPropertyValues("management.endpoints.web.exposure.include=lionfuncs",
				"lionfuncs.executor.shutdown-timeout=0s", "lionfuncs.client.base-url=http://localhost");

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
	@SuppressWarnings("unchecked")
	void endpointAndMetersCountWhatTheEventsSay() {
		// The first response closes its connection, the second's stays idle.
		this.server.enqueue(new MockResponse.Builder().body("first").addHeader("Connection", "close").build());
		this.server.enqueue(new MockResponse.Builder().body("second").build());
		this.contextRunner
			.withPropertyValues("lionfuncs.client.base-url=" + this.server.url("/").toString(),
					"lionfuncs.connections.max-idle-time=30s")
			.run((context) -> {
				ConnectionEventRecorder recorder = context.getBean(ConnectionEventRecorder.class);
				AsyncApiClient client = context.getBean(AsyncApiClient.class);
				assertThat(client.request("GET", "/items").block(BLOCK)).isEqualTo("first");
				await().atMost(BLOCK).until(() -> recorder.closed().size() == 1);
				assertThat(client.request("GET", "/items").block(BLOCK)).isEqualTo("second");
				await().atMost(BLOCK).until(() -> recorder.expectedStats("default", 0).idle() == 1);

				ConnectionStats expected = recorder.expectedStats("default", 0);
				assertThat(expected.closed()).containsEntry(Closed.Reason.SERVER_CLOSED, 1L);
				assertThat(expected.active()).isZero();
				assertThat(expected.bytesRead()).isPositive();
				assertThat(expected.bytesWritten()).isPositive();

				Map<String, ClientConnectionsDescriptor> section = (Map<String, ClientConnectionsDescriptor>) context
					.getBean(LionfuncsEndpoint.class)
					.lionfuncs()
					.get("connections");
				assertThat(section).containsOnlyKeys("default");
				ClientConnectionsDescriptor descriptor = section.get("default");
				assertThat(descriptor.events()).isTrue();
				assertThat(descriptor.active()).isEqualTo(expected.active());
				assertThat(descriptor.idle()).isEqualTo(expected.idle());
				assertThat(descriptor.closed()).isEqualTo(expected.closedTotal());
				assertThat(descriptor.closedByReason()).containsExactly(Map.entry("idle-evicted", 0L),
						Map.entry("server-closed", 1L), Map.entry("error", 0L), Map.entry("pool-disposed", 0L));
				assertThat(descriptor.bytesRead()).isEqualTo(expected.bytesRead());
				assertThat(descriptor.bytesWritten()).isEqualTo(expected.bytesWritten());
				assertThat(descriptor.pendingAcquires()).isZero();
				assertThat(descriptor.maxConnections()).isEqualTo(ConnectionProvider.DEFAULT_POOL_MAX_CONNECTIONS);
				assertThat(descriptor.maxIdleTime()).isEqualTo("PT30S");
				assertThat(descriptor.executorQueueDepth()).isZero();
				assertThat(descriptor.executorConcurrencyLimit()).isEqualTo(10);

				MeterRegistry registry = context.getBean(MeterRegistry.class);
				assertThat(gauge(registry, "lionfuncs.connections.active")).isEqualTo((double) expected.active());
				assertThat(gauge(registry, "lionfuncs.connections.idle")).isEqualTo((double) expected.idle());
				assertThat(gauge(registry, "lionfuncs.connections.pending")).isZero();
				for (Closed.Reason reason : Closed.Reason.values()) {
					assertThat(registry.get("lionfuncs.connections.closed")
						.tags("client", "default", "reason", reason.value())
						.functionCounter()
						.count()).as(reason.value()).isEqualTo((double) expected.closed().get(reason));
				}
				assertThat(counter(registry, "lionfuncs.connections.data.read")).isEqualTo((double) expected.bytesRead());
				assertThat(counter(registry, "lionfuncs.connections.data.written"))
					.isEqualTo((double) expected.bytesWritten());
			});
	}

	@Test
	void theSectionIsJsonWithThePendingAcquiresBesideTheExecutorQueue() {
		this.contextRunner.run((context) -> {
			String json = context.getBean(JsonMapper.class)
				.writeValueAsString(context.getBean(LionfuncsEndpoint.class).lionfuncs().get("connections"));

			assertThat(json).contains("\"default\":{\"events\":true,\"active\":0,\"idle\":0,\"closed\":0,")
				.contains("\"closedByReason\":{\"idle-evicted\":0,\"server-closed\":0,\"error\":0,\"pool-disposed\":0}")
				.contains("\"pendingAcquires\":0,\"executorQueueDepth\":0,\"executorConcurrencyLimit\":10}");
		});
	}

	@Test
	void withEventsOffTheSectionShowsThePoolAndNoMetersAreRegistered() {
		this.contextRunner.withPropertyValues("lionfuncs.connections.events=false").run((context) -> {
			ClientConnectionsDescriptor descriptor = describe(context).get("default");
			assertThat(descriptor.events()).isFalse();
			assertThat(descriptor.active()).isNull();
			assertThat(descriptor.pendingAcquires()).isNull();
			assertThat(descriptor.maxConnections()).isEqualTo(ConnectionProvider.DEFAULT_POOL_MAX_CONNECTIONS);
			assertThat(descriptor.maxIdleTime()).isEqualTo("PT4S");
			assertThat(context.getBean(MeterRegistry.class).find("lionfuncs.connections.active").gauge()).isNull();
		});
	}

	@Test
	void everyNamedClientHasItsOwnEntryAndMeters() {
		this.contextRunner
			.withPropertyValues("lionfuncs.clients.openai.base-url=http://localhost",
					"lionfuncs.clients.openai.executor.concurrency-limit=3")
			.run((context) -> {
				Map<String, ClientConnectionsDescriptor> section = describe(context);
				assertThat(section).containsOnlyKeys("default", "openai");
				assertThat(section.get("openai").executorConcurrencyLimit()).isEqualTo(3);
				assertThat(context.getBean(MeterRegistry.class)
					.get("lionfuncs.connections.idle")
					.tag("client", "openai")
					.gauge()
					.value()).isZero();
			});
	}

	@SuppressWarnings("unchecked")
	private static Map<String, ClientConnectionsDescriptor> describe(AssertableApplicationContext context) {
		return (Map<String, ClientConnectionsDescriptor>) context.getBean(LionfuncsEndpoint.class)
			.lionfuncs()
			.get("connections");
	}

	private static double gauge(MeterRegistry registry, String name) {
		return registry.get(name).tag("client", "default").gauge().value();
	}

	private static double counter(MeterRegistry registry, String name) {
		return registry.get(name).tag("client", "default").functionCounter().count();
	}

	@Configuration(proxyBeanMethods = false)
	static class RecorderConfiguration {

		@Bean
		ConnectionEventRecorder connectionEventRecorder() {
			return new ConnectionEventRecorder();
		}

	}

}
