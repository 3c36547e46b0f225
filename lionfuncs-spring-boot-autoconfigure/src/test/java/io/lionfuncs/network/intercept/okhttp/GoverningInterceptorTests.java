package io.lionfuncs.network.intercept.okhttp;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.intercept.ApiTokenEstimator;
import io.lionfuncs.network.intercept.CallGovernor;
import io.lionfuncs.network.intercept.InterceptRoute;
import io.lionfuncs.network.intercept.InterceptRoutes;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link GoverningInterceptor} with a real OkHttp client and server: one
 * executor of concurrency 1 and 100 API tokens.
 */
class GoverningInterceptorTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private static final MediaType JSON = MediaType.get("application/json");

	private final MockWebServer server = new MockWebServer();

	private Executor executor;

	private OkHttpClient client;

	@BeforeEach
	void start() throws IOException {
		this.server.start();
		this.executor = new Executor(ExecutorSettings.builder()
			.name("api")
			.concurrencyLimit(1)
			.requestsRate(1000)
			.apiTokensRate(100.0)
			.apiTokensPeriod(Duration.ofSeconds(1))
			.build());
		this.executor.start();
		this.client = client(Duration.ofSeconds(30));
	}

	private OkHttpClient client(Duration maxWait) {
		InterceptRoute route = InterceptRoute.of("api", this.server.url("/v1").toString(), () -> this.executor);
		CallGovernor governor = CallGovernor.of(InterceptRoutes.of(List.of(route)), ApiTokenEstimator.ofJsonBody(0),
				maxWait);
		return new OkHttpClient.Builder().addInterceptor(new GoverningInterceptor(governor)).build();
	}

	@AfterEach
	void stop() {
		this.executor.stop(false);
		this.server.close();
		this.client.dispatcher().executorService().shutdownNow();
	}

	private Call call(String path, String body) {
		return this.client.newCall(new Request.Builder().url(this.server.url(path)).post(RequestBody.create(body, JSON)).build());
	}

	@Test
	void aGovernedCallIsTrackedWithItsEstimateAndUsage() throws IOException {
		this.server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/json")
			.body("{\"usage\":{\"input_tokens\":4,\"output_tokens\":6}}")
			.build());

		try (Response response = call("/v1/messages", "{\"max_tokens\":20,\"prompt\":\"12345678\"}").execute()) {
			assertThat(response.body().string()).contains("usage");
		}

		NetworkRequestEvent event = this.executor.recent().get(0);
		assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED);
		assertThat(event.getNumApiTokensNeeded()).isEqualTo(22);
		assertThat(event.getApiTokensUsed()).isEqualTo(10);
		assertThat(event.getMetadata()).containsEntry("intercepted", "OkHttp").containsEntry("client", "api");
	}

	@Test
	void otherOriginsAndPathsAreUntouched() throws IOException {
		this.server.enqueue(new MockResponse.Builder().body("ok").build());
		try (Response response = call("/v2/other", "{}").execute()) {
			assertThat(response.code()).isEqualTo(200);
		}
		assertThat(this.executor.recent()).isEmpty();
	}

	@Test
	void aStreamedBodyHoldsTheSlotUntilItIsClosed() throws Exception {
		this.server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
			.body("data: {\"usage\":{\"total_tokens\":7}}\n\ndata: [DONE]\n\n")
			.build());
		this.server.enqueue(new MockResponse.Builder().body("{}").build());
		Response stream = call("/v1/chat", "{\"stream\":true}").execute();
		assertThat(this.executor.inFlight()).hasSize(1);

		CompletableFuture<Integer> second = CompletableFuture.supplyAsync(() -> {
			try (Response response = call("/v1/chat", "{}").execute()) {
				return response.code();
			}
			catch (IOException ex) {
				throw new IllegalStateException(ex);
			}
		});
		await().atMost(WAIT).until(() -> this.executor.queued().size() == 1);
		assertThat(this.server.getRequestCount()).isEqualTo(1);

		assertThat(stream.body().string()).contains("[DONE]");
		stream.close();
		assertThat(second.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(200);
		NetworkRequestEvent streamed = this.executor.recent().get(1);
		assertThat(streamed.getApiTokensUsed()).isEqualTo(7);
		assertThat(streamed.getFirstByteAt()).isNotNull();
	}

	@Test
	void aStreamClosedEarlyIsCancelledWithTheUsageSoFar() throws IOException {
		this.server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
			.body("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":"
					+ "{\"input_tokens\":5,\"output_tokens\":1}}}\n\n" + "data: " + "x".repeat(100_000) + "\n\n")
			.build());
		Response stream = call("/v1/messages", "{\"max_tokens\":50,\"stream\":true}").execute();
		stream.body().source().request(200);
		stream.body().source().readUtf8(150);
		stream.close();

		NetworkRequestEvent event = this.executor.recent().get(0);
		assertThat(event.getStatus()).isEqualTo(RequestStatus.CANCELLED);
		assertThat(this.executor.apiTokensBucket().availableTokens()).as("the unused estimate given back")
			.isGreaterThanOrEqualTo(100 - 6);
	}

	@Test
	void aRequestLargerThanTheBucketFailsWithAnIoErrorThatSaysWhy() {
		assertThatExceptionOfType(IOException.class).isThrownBy(() -> call("/v1/chat", "{\"max_tokens\":1000}").execute())
			.withMessageContaining("POST " + this.server.url("/v1/chat"))
			.withMessageContaining("executor 'api' granted no lease (TOO_LARGE)");
		assertThat(this.server.getRequestCount()).isZero();
	}

	@Test
	void noLeaseWithinTheMaximumWaitIsAnInterruptedIoError() throws IOException {
		this.server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
			.body("data: {}\n\n")
			.build());
		OkHttpClient impatient = client(Duration.ofMillis(300));
		try (Response holding = call("/v1/chat", "{\"stream\":true}").execute()) {
			assertThatExceptionOfType(InterruptedIOException.class)
				.isThrownBy(() -> impatient
					.newCall(new Request.Builder().url(this.server.url("/v1/chat")).post(RequestBody.create("{}", JSON)).build())
					.execute())
				.withMessageContaining("no lease of executor 'api' within PT0.3S")
				.withMessageContaining("lionfuncs.intercept.max-wait");
		}
		assertThat(this.executor.recent()).extracting(NetworkRequestEvent::getStatus).contains(RequestStatus.CANCELLED);
	}

	@Test
	void aCallCancelledWhileWaitingStopsWaiting() throws Exception {
		this.server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
			.body("data: {}\n\n")
			.build());
		try (Response holding = call("/v1/chat", "{\"stream\":true}").execute()) {
			Call waiting = call("/v1/chat", "{}");
			CompletableFuture<Throwable> failure = CompletableFuture.supplyAsync(() -> {
				try {
					waiting.execute().close();
					return null;
				}
				catch (IOException ex) {
					return ex;
				}
			});
			await().atMost(WAIT).until(() -> this.executor.queued().size() == 1);
			waiting.cancel();
			assertThat(failure.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(IOException.class)
				.hasMessageContaining("cancelled while it waited");
			await().atMost(WAIT).until(() -> this.executor.queued().isEmpty());
		}
	}

	@Test
	void aNonBlockingThreadIsRefusedRatherThanBlocked() {
		Throwable failure = Mono.fromCallable(() -> call("/v1/chat", "{}").execute())
			.subscribeOn(Schedulers.parallel())
			.map(Response::code)
			.onErrorResume((ex) -> Mono.error(ex))
			.materialize()
			.block(WAIT)
			.getThrowable();
		assertThat(failure).isInstanceOf(IOException.class).hasMessageContaining("would block non-blocking thread");
	}

}
