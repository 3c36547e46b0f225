package io.lionfuncs.event.handler;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.lionfuncs.event.Event;
import io.lionfuncs.event.EventDeliveryException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link WebhookEventHandler} against a real HTTP server on loopback.
 */
class WebhookEventHandlerTests {

	private final WebhookServer server;

	@TempDir
	java.nio.file.Path temp;

	WebhookEventHandlerTests() throws IOException {
		this.server = new WebhookServer();
	}

	@AfterEach
	void stop() {
		this.server.close();
	}

	private WebhookEventHandler.Builder handler(String path) {
		return WebhookEventHandler.builder(this.server.url(path))
			.timeout(Duration.ofSeconds(10))
			.retryBackoff(Duration.ofMillis(10));
	}

	@Test
	void postsTheEventInE3LayoutWithItsUidAsIdempotencyKey() throws Exception {
		MockWebServer plain = new MockWebServer();
		try (plain) {
			plain.enqueue(new MockResponse.Builder().code(204).build());
			plain.start();
			WebhookEventHandler handler = WebhookEventHandler.builder(plain.url("/hooks/events").uri()).build();
			Event event = new Event("build").set("result", "ok");
			event.close();

			assertThat(handler.sendEvent(event)).isTrue();

			RecordedRequest request = plain.takeRequest(10, TimeUnit.SECONDS);
			assertThat(request.getMethod()).isEqualTo("POST");
			assertThat(request.getTarget()).isEqualTo("/hooks/events");
			assertThat(request.getHeaders().get("Content-Type")).isEqualTo("application/json");
			assertThat(request.getHeaders().get("Idempotency-Key")).isEqualTo(event.getUid());
			assertThat(request.getBody().utf8()).startsWith("{\"data\":{\"uid\":\"" + event.getUid() + "\"")
				.contains("\"attachments\":{}", "\"closed\":true");
			java.nio.file.Path file = java.nio.file.Files.write(this.temp.resolve("posted.json"),
					request.getBody().toByteArray());
			assertThat(Event.load(file).asMap()).isEqualTo(event.asMap());
		}
	}

	@Test
	void serverErrorIsRetriedThenAFailure() {
		this.server.answer(500);
		WebhookEventHandler handler = handler("/hooks").maxRetries(2).build();

		assertThatExceptionOfType(EventDeliveryException.class).isThrownBy(() -> handler.sendEvent(new Event("build")))
			.withMessageContaining("answered 500");
		assertThat(this.server.requestCount()).isEqualTo(3);
	}

	@Test
	void clientErrorIsNotRetried() {
		this.server.answer(400);
		WebhookEventHandler handler = handler("/hooks").maxRetries(2).build();

		assertThatExceptionOfType(EventDeliveryException.class).isThrownBy(() -> handler.sendEvent(new Event("build")))
			.withMessageContaining("answered 400");
		assertThat(this.server.requestCount()).isEqualTo(1);
	}

	@Test
	void redirectIsAFailure() {
		this.server.answer(302);
		WebhookEventHandler handler = handler("/hooks").build();

		assertThatExceptionOfType(EventDeliveryException.class).isThrownBy(() -> handler.sendEvent(new Event("build")))
			.withMessageContaining("answered 302");
	}

	@Test
	void retryCanSucceed() {
		MockWebServer plain = new MockWebServer();
		try (plain) {
			plain.enqueue(new MockResponse.Builder().code(503).build());
			plain.enqueue(new MockResponse.Builder().code(200).build());
			plain.start();
			WebhookEventHandler handler = WebhookEventHandler.builder(plain.url("/").uri())
				.retryBackoff(Duration.ofMillis(10))
				.build();

			assertThat(handler.sendEvent(new Event("build"))).isTrue();
			assertThat(plain.getRequestCount()).isEqualTo(2);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Test
	void noAnswerWithinTheTimeoutIsAFailure() throws IOException {
		MockWebServer slow = new MockWebServer();
		try (slow) {
			slow.enqueue(new MockResponse.Builder().code(200).headersDelay(30, TimeUnit.SECONDS).build());
			slow.start();
			WebhookEventHandler handler = WebhookEventHandler.builder(slow.url("/").uri())
				.timeout(Duration.ofMillis(300))
				.maxRetries(0)
				.build();

			assertThatExceptionOfType(EventDeliveryException.class)
				.isThrownBy(() -> handler.sendEvent(new Event("build")))
				.withMessageContaining("no answer within PT0.3S");
		}
	}

	@Test
	void refusedConnectionIsAFailure() throws IOException {
		URI url;
		try (MockWebServer closed = new MockWebServer()) {
			closed.start();
			url = closed.url("/hooks").uri();
		}
		WebhookEventHandler handler = WebhookEventHandler.builder(url).maxRetries(1).retryBackoff(Duration.ofMillis(10)).build();

		assertThatExceptionOfType(EventDeliveryException.class).isThrownBy(() -> handler.sendEvent(new Event("build")))
			.withMessageContaining("did not take");
	}

	@Test
	void secretsInTheUrlAreNotShown() {
		this.server.answer(500);
		URI url = this.server.url("/services/T000/SECRETPATH?token=s3cr3t");
		WebhookEventHandler handler = WebhookEventHandler.builder(url).maxRetries(0).build();

		assertThatExceptionOfType(EventDeliveryException.class).isThrownBy(() -> handler.sendEvent(new Event("build")))
			.satisfies((ex) -> assertThat(stackTrace(ex)).contains("answered 500")
				.doesNotContain("SECRETPATH", "s3cr3t"));
		assertThat(handler.toString()).doesNotContain("SECRETPATH", "s3cr3t");
		assertThat(handler.encodeConfig()).as("the configuration must re-create the handler").contains("SECRETPATH");
	}

	@Test
	void secretsInTheUrlOfAnUnreachableWebhookAreNotShown() throws IOException {
		URI url;
		try (MockWebServer closed = new MockWebServer()) {
			closed.start();
			url = closed.url("/services/T000/SECRETPATH?token=s3cr3t").uri();
		}
		WebhookEventHandler handler = WebhookEventHandler.builder(url).maxRetries(0).build();

		assertThatExceptionOfType(EventDeliveryException.class).isThrownBy(() -> handler.sendEvent(new Event("build")))
			.satisfies((ex) -> assertThat(stackTrace(ex)).contains("did not take")
				.doesNotContain("SECRETPATH", "s3cr3t"));
	}

	@Test
	void configRoundTripsAndKeepsCommasOfTheUrl() {
		WebhookEventHandlerFactory factory = new WebhookEventHandlerFactory();
		WebhookEventHandler handler = (WebhookEventHandler) factory
			.create("https://hooks.example.com/a?list=1,2,3,timeout=750ms,retries=4");

		assertThat(handler.getTimeout()).isEqualTo(Duration.ofMillis(750));
		assertThat(handler.getMaxRetries()).isEqualTo(4);
		assertThat(handler.encodeConfig()).isEqualTo("https://hooks.example.com/a?list=1,2,3,timeout=750ms,retries=4");
		assertThat(((WebhookEventHandler) factory.create(handler.encodeConfig())).encodeConfig())
			.isEqualTo(handler.encodeConfig());
		assertThat(((WebhookEventHandler) factory.create("http://localhost/x")).encodeConfig())
			.isEqualTo("http://localhost/x,timeout=5s,retries=2");
	}

	@Test
	void invalidConfigIsRefused() {
		WebhookEventHandlerFactory factory = new WebhookEventHandlerFactory();
		assertThatIllegalArgumentException().isThrownBy(() -> factory.create(""));
		assertThatIllegalArgumentException().isThrownBy(() -> factory.create("ftp://example.com/x"));
		assertThatIllegalArgumentException().isThrownBy(() -> factory.create("/relative"));
		assertThatIllegalArgumentException().isThrownBy(() -> factory.create("http://example.com,timeout=soon"));
		assertThatIllegalArgumentException().isThrownBy(() -> factory.create("http://example.com,retries=-1"));
		assertThatIllegalArgumentException().isThrownBy(() -> factory.create("http://example.com,concurrency=0"))
			.withMessageContaining("between 1 and 256");
		assertThatIllegalArgumentException().isThrownBy(() -> factory.create("http://example.com,concurrency=many"))
			.withMessageContaining("Invalid webhook concurrency 'many'");
	}

	@Test
	void concurrencyIsConfiguredAndRoundTrips() {
		WebhookEventHandlerFactory factory = new WebhookEventHandlerFactory();
		WebhookEventHandler handler = (WebhookEventHandler) factory.create("http://localhost/x,concurrency=8");

		assertThat(handler.maxInFlight()).isEqualTo(8);
		assertThat(handler.encodeConfig()).isEqualTo("http://localhost/x,timeout=5s,retries=2,concurrency=8");
		assertThat(((WebhookEventHandler) factory.create(handler.encodeConfig())).maxInFlight()).isEqualTo(8);
		assertThat(((WebhookEventHandler) factory.create("http://localhost/x")).maxInFlight())
			.as("one at a time, in publication order, by default")
			.isEqualTo(1);
	}

	@Test
	void asynchronousSendCompletesWithTheOutcomeWithoutBlocking() throws Exception {
		WebhookEventHandler handler = handler("/hooks").maxRetries(0).build();

		assertThat(handler.sendEventAsync(new Event("build")).toCompletableFuture().get(10, TimeUnit.SECONDS))
			.isTrue();
		this.server.answer(500);
		assertThat(handler.sendEventAsync(new Event("build")).toCompletableFuture())
			.failsWithin(Duration.ofSeconds(10))
			.withThrowableOfType(java.util.concurrent.ExecutionException.class)
			.havingCause()
			.isInstanceOf(EventDeliveryException.class)
			.withMessageContaining("answered 500");
	}

	private static String stackTrace(Throwable failure) {
		StringWriter trace = new StringWriter();
		failure.printStackTrace(new PrintWriter(trace));
		return trace.toString();
	}

}
