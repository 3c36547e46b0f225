package io.lionfuncs.sample;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.lionfuncs.sample.demo.BurstResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.test.util.TestSocketUtils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample application as a process, stopped by SIGTERM while {@code /demo/burst} waits
 * on a thousand calls queued at ten per second: the executor drains alongside the web
 * server's graceful shutdown, the burst is answered (what completed, what was cancelled
 * after {@code shutdown-timeout}), and the process exits within the shutdown timeout plus
 * five seconds, not after the web server's phase timeout.
 */
class SigtermShutdownTests {

	private static final Logger logger = LoggerFactory.getLogger(SigtermShutdownTests.class);

	private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

	private static final int CALLS = 1000;

	private final JsonMapper json = JsonMapper.builder().build();

	private final HttpClient http = HttpClient.newHttpClient();

	@Test
	void sigtermDuringABurstAnswersItAndExitsWithinTheShutdownTimeout(@TempDir Path spool) throws Exception {
		int port = TestSocketUtils.findAvailableTcpPort();
		try (SampleAppProcess app = SampleAppProcess.start(Duration.ofSeconds(90), "--server.port=" + port,
				"--lionfuncs.executor.shutdown-timeout=" + SHUTDOWN_TIMEOUT.toSeconds() + "s",
				"--lionfuncs.events.spool-directory=" + spool)) {
			CompletableFuture<HttpResponse<String>> burst = this.http.sendAsync(
					HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/demo/burst?count=" + CALLS + "&tokens=10"))
						.POST(HttpRequest.BodyPublishers.noBody())
						.timeout(Duration.ofSeconds(120))
						.build(),
					HttpResponse.BodyHandlers.ofString());
			await().atMost(Duration.ofSeconds(30)).until(() -> completed(port) >= 20);

			long terminated = System.nanoTime();
			app.terminate();
			boolean exited = app.awaitExit(SHUTDOWN_TIMEOUT.plusSeconds(5));
			long exitMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - terminated);

			assertThat(exited).as("exited within the shutdown timeout plus 5s; output:%n%s", app.output()).isTrue();
			HttpResponse<String> response = burst.get(1, TimeUnit.SECONDS);
			assertThat(response.statusCode()).isEqualTo(200);
			BurstResult result = this.json.readValue(response.body(), BurstResult.class);
			assertThat(result.count()).isEqualTo(CALLS);
			assertThat(result.statuses().values().stream().mapToLong(Long::longValue).sum())
				.as("every call terminal")
				.isEqualTo(CALLS);
			assertThat(result.statuses().get("COMPLETED")).isGreaterThanOrEqualTo(20);
			assertThat(result.statuses().get("CANCELLED")).as("cancelled after the shutdown timeout").isPositive();
			assertThat(app.output()).doesNotContain("still running after timeout")
				.contains("Commencing graceful stop of executor 'default'");
			logger.info("SIGTERM during a burst of {}: exited after {} ms (shutdown-timeout {}), answered with {}",
					CALLS, exitMillis, SHUTDOWN_TIMEOUT, result.statuses());
		}
	}

	private long completed(int port) throws Exception {
		HttpResponse<String> response = this.http.send(
				HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/actuator/lionfuncs")).build(),
				HttpResponse.BodyHandlers.ofString());
		JsonNode counts = this.json.readTree(response.body()).get("executors").get("default").get("counts");
		return counts.get("COMPLETED").asLong();
	}

}
