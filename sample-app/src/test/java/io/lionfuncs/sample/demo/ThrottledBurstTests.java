package io.lionfuncs.sample.demo;

import java.time.Duration;
import java.util.List;

import io.lionfuncs.sample.DefinedPortTests;
import io.lionfuncs.sample.UpstreamExchanges;
import io.lionfuncs.sample.UpstreamExchanges.Exchange;
import io.lionfuncs.sample.upstream.FakeLlmUpstream;
import io.lionfuncs.sample.upstream.FakeLlmUpstream.UpstreamSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fake upstream admits fewer requests per second (4) than the client is configured
 * to send (10): the upstream answers 429 with {@code Retry-After}, the client retries no
 * earlier than it says, and every call of a burst ends in a terminal status that the
 * burst reports. The retry's own back-off is made tiny, so only the {@code Retry-After}
 * can explain the waits.
 */
@TestPropertySource(properties = { "sample.upstream.requests-per-second=4", "sample.upstream.latency=20ms",
		"lionfuncs.client.retry.base-delay=10ms", "lionfuncs.client.retry.jitter=false" })
@Import(ThrottledBurstTests.RecordingConfiguration.class)
class ThrottledBurstTests extends DefinedPortTests {

	@Autowired
	private FakeLlmUpstream upstream;

	@Autowired
	private UpstreamExchanges exchanges;

	@BeforeEach
	@AfterEach
	void resetUpstream() {
		this.client.delete().uri("/upstream/admin/faults").exchange().expectStatus().isOk().expectBody(Void.class);
		this.exchanges.clear();
	}

	@Test
	void everyCallOfAThrottledBurstIsTerminalAndCounted() {
		UpstreamSettings before = this.upstream.settings();
		BurstResult result = burst(30);
		UpstreamSettings after = this.upstream.settings();
		assertThat(result.count()).isEqualTo(30);
		assertThat(result.statuses().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(30);
		assertThat(result.statuses()).containsEntry("CANCELLED", 0L);
		assertThat(result.httpStatus()).containsOnlyKeys(
				result.statuses().get("FAILED") > 0 ? new String[] { "200", "429" } : new String[] { "200" });
		assertThat(result.httpStatus().get("200")).isEqualTo(result.statuses().get("COMPLETED"));
		assertThat(result.httpStatus().getOrDefault("429", 0L)).isEqualTo(result.statuses().get("FAILED"));
		// The upstream did throttle, and served exactly the calls reported completed.
		assertThat(after.throttled() - before.throttled()).isPositive();
		assertThat(after.served() - before.served()).isEqualTo(result.statuses().get("COMPLETED"));
		// Each call was attempted at most 1 + max-retries (3) times.
		assertThat(this.exchanges.exchanges()).hasSizeLessThanOrEqualTo(30 * 4)
			.hasSize((int) (after.served() - before.served() + after.throttled() - before.throttled()));
		this.client.get()
			.uri("/actuator/lionfuncs")
			.exchange()
			.expectBody()
			.jsonPath("$.executors.default.queue.depth")
			.isEqualTo(0)
			.jsonPath("$.executors.default.inFlight")
			.isEmpty();
	}

	@Test
	void retryWaitsAsLongAsRetryAfterSays() {
		// One request per second: after one admitted call the next is refused for about a
		// second. Repeat in the unlikely case the machine paused long enough for a refill.
		this.client.post().uri("/upstream/admin/faults?requestsPerSecond=1").exchange().expectStatus().isOk().expectBody(Void.class);
		List<Exchange> calls = List.of();
		for (int attempt = 0; attempt < 5 && !startsWithTooManyRequests(calls); attempt++) {
			this.client.post()
				.uri("/upstream/v1/chat/completions")
				.bodyValue("{\"max_tokens\": 5}")
				.header("Content-Type", "application/json")
				.exchange()
				.expectBody(Void.class);
			this.exchanges.clear();
			BurstResult result = burst(1);
			assertThat(result.statuses()).containsEntry("COMPLETED", 1L);
			calls = this.exchanges.exchanges();
		}
		assertThat(startsWithTooManyRequests(calls)).as("the burst's first attempt was refused: %s", calls).isTrue();
		Exchange refused = calls.get(0);
		Exchange retried = calls.get(1);
		assertThat(refused.retryAfter()).isNotNull();
		Duration retryAfter = Duration.ofSeconds(Long.parseLong(refused.retryAfter()));
		assertThat(retryAfter).isPositive();
		assertThat(Duration.ofNanos(retried.arrivedNanos() - refused.answeredNanos()))
			.isGreaterThanOrEqualTo(retryAfter);
		assertThat(calls.get(calls.size() - 1).status()).isEqualTo(200);
	}

	private static boolean startsWithTooManyRequests(List<Exchange> calls) {
		return calls.size() >= 2 && calls.get(0).status() == 429;
	}

	private BurstResult burst(int count) {
		BurstResult result = this.client.post()
			.uri("/demo/burst?count={count}&tokens=100", count)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(BurstResult.class)
			.returnResult()
			.getResponseBody();
		assertThat(result).isNotNull();
		return result;
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class RecordingConfiguration {

		@Bean
		UpstreamExchanges upstreamExchanges() {
			return new UpstreamExchanges();
		}

	}

}
