package io.lionfuncs.autoconfigure;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.client.ApiRequest;
import io.lionfuncs.network.client.AsyncApiClient;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for the warm-up of every client as the application starts
 * ({@link ClientsWarmup}): the client's WebClient is built from Spring Boot's builder in
 * the background rather than during start-up, its executor's first calls wait for it,
 * {@code lionfuncs.connections.preconnect} opens a connection, and the client's writes
 * are paced by its executor's request bucket.
 */
@ExtendWith(OutputCaptureExtension.class)
class LionfuncsClientsWarmupTests {

	private static final Duration BLOCK = Duration.ofSeconds(10);

	private final MockWebServer server = new MockWebServer();

	private ApplicationContextRunner contextRunner;

	@BeforeEach
	void start() throws IOException {
		this.server.start();
		this.contextRunner = new ApplicationContextRunner()
			.withConfiguration(ClientAutoConfigurations.ALL)
			.withPropertyValues("lionfuncs.executor.shutdown-timeout=0s",
					"lionfuncs.client.base-url=" + this.server.url("/v1"));
	}

	@AfterEach
	void stop() {
		this.server.close();
	}

	@Test
	void theWebClientIsBuiltFromBootsBuilderAfterStartUpOffTheMainThread() {
		this.server.enqueue(new MockResponse.Builder().body("ok").build());
		this.contextRunner.withUserConfiguration(CustomizerRecorder.class).run((context) -> {
			CustomizerRecorder recorder = context.getBean(CustomizerRecorder.class);
			await().atMost(BLOCK).until(() -> !recorder.threads.isEmpty());
			assertThat(recorder.threads).singleElement().asString().startsWith("boundedElastic");

			assertThat(context.getBean(AsyncApiClient.class).request("GET", "/items").block(BLOCK)).isEqualTo("ok");
			assertThat(recorder.threads).as("built once").hasSize(1);
		});
	}

	@Test
	void theExecutorsFirstCallsWaitForTheWarmUp() {
		this.server.enqueue(new MockResponse.Builder().body("ok").build());
		this.contextRunner.withUserConfiguration(SlowCustomizer.class).run((context) -> {
			SlowCustomizer slow = context.getBean(SlowCustomizer.class);
			assertThat(slow.building.await(10, TimeUnit.SECONDS)).isTrue();
			AsyncApiClient client = context.getBean(AsyncApiClient.class);
			NetworkRequestEvent event = client.submitTask(context.getBean(Executor.class),
					ApiRequest.get("/items").build());

			assertThat(event.getStatus()).isEqualTo(RequestStatus.QUEUED);
			assertThat(this.server.getRequestCount()).isZero();

			slow.release.countDown();
			event.completion().get(10, TimeUnit.SECONDS);
			assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED);
		});
	}

	@Test
	void noRequestReachesTheServerAtStartUpUnlessPreconnectIsOn() throws Exception {
		this.contextRunner.withUserConfiguration(CustomizerRecorder.class).run((context) -> {
			CustomizerRecorder recorder = context.getBean(CustomizerRecorder.class);
			await().atMost(BLOCK).until(() -> !recorder.threads.isEmpty());
		});
		assertThat(this.server.getRequestCount()).isZero();

		this.server.enqueue(new MockResponse.Builder().code(404).build());
		this.contextRunner.withPropertyValues("lionfuncs.connections.preconnect=true").run((context) -> {
			RecordedRequest head = this.server.takeRequest(10, TimeUnit.SECONDS);
			assertThat(head).isNotNull();
			assertThat(head.getMethod()).isEqualTo("HEAD");
			assertThat(head.getHeaders().get("Authorization")).isNull();
		});
	}

	@Test
	void anUnreachableBaseUrlIsLoggedAndTheExecutorGoesOn(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("lionfuncs.client.base-url=http://127.0.0.1:1/v1",
					"lionfuncs.connections.preconnect=true", "lionfuncs.client.retry.enabled=false")
			.run((context) -> {
				await().atMost(BLOCK)
					.until(() -> output.toString().contains("Client 'default' could not connect to its base URL"));
				NetworkRequestEvent event = context.getBean(AsyncApiClient.class)
					.submitTask(context.getBean(Executor.class), ApiRequest.get("/items").build());
				event.completion().get(10, TimeUnit.SECONDS);
				assertThat(event.getStatus()).isEqualTo(RequestStatus.FAILED);
			});
	}

	@Test
	void theClientsWritesArePacedByItsExecutorsRequestBucketRetriesIncluded() {
		this.server.enqueue(new MockResponse.Builder().code(503).build());
		this.server.enqueue(new MockResponse.Builder().code(503).build());
		this.server.enqueue(new MockResponse.Builder().body("ok").build());
		this.contextRunner
			.withPropertyValues("lionfuncs.executor.requests-rate=1", "lionfuncs.executor.requests-period=1d",
					"lionfuncs.executor.requests-bucket-capacity=2", "lionfuncs.client.retry.base-delay=1ms",
					"lionfuncs.client.retry.jitter=false", "lionfuncs.client.circuit-breaker.enabled=false")
			.run((context) -> {
				AsyncApiClient client = context.getBean(AsyncApiClient.class);
				Executor executor = context.getBean(Executor.class);
				List<NetworkRequestEvent> events = List.of(client.submitTask(executor, ApiRequest.get("/a").build()),
						client.submitTask(executor, ApiRequest.get("/b").build()));

				await().atMost(BLOCK).until(() -> this.server.getRequestCount() == 2);
				// Both retries are due after a millisecond, but the bucket's two writes are spent.
				// A direct request is answered with what a retry sent before it would have taken.
				assertThat(client.request("GET", "/direct").block(BLOCK)).isEqualTo("ok");
				assertThat(this.server.getRequestCount()).isEqualTo(3);
				assertThat(events)
					.allSatisfy((event) -> assertThat(event.getStatus()).isEqualTo(RequestStatus.CALLING));
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class CustomizerRecorder {

		final List<String> threads = new CopyOnWriteArrayList<>();

		@Bean
		WebClientCustomizer threadRecordingCustomizer() {
			return (builder) -> this.threads.add(Thread.currentThread().getName());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class SlowCustomizer {

		final CountDownLatch building = new CountDownLatch(1);

		final CountDownLatch release = new CountDownLatch(1);

		@Bean
		WebClientCustomizer slowCustomizer() {
			return (builder) -> {
				this.building.countDown();
				try {
					this.release.await(30, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			};
		}

	}

}
