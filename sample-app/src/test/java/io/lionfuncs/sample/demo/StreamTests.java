package io.lionfuncs.sample.demo;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.client.ApiStream;
import io.lionfuncs.sample.DefinedPortTests;
import io.lionfuncs.sample.upstream.FakeLlmUpstream;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /demo/stream} at the default settings: the fake upstream's streamed answer
 * is relayed chunk by chunk through the default executor, whose event records the stream
 * with its first byte and the usage of its last chunk; a caller that goes away midway
 * cancels the call.
 */
class StreamTests extends DefinedPortTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(30);

	private static final ParameterizedTypeReference<ServerSentEvent<String>> EVENT = new ParameterizedTypeReference<>() {
	};

	@Autowired
	private FakeLlmUpstream upstream;

	@Autowired
	@Qualifier("default")
	private Executor executor;

	@Autowired
	private MeterRegistry meters;

	private Flux<ServerSentEvent<String>> stream(String query) {
		return this.client.get()
			.uri("/demo/stream" + query)
			.accept(MediaType.TEXT_EVENT_STREAM)
			.exchange()
			.expectStatus()
			.isOk()
			.returnResult(EVENT)
			.getResponseBody();
	}

	@Test
	void aStreamedCompletionIsRelayedAndTrackedToItsEnd() {
		long streamedBefore = this.upstream.settings().streamed();

		List<String> data = stream("?tokens=400&prompt=Hello").map((event) -> Objects.requireNonNull(event.data()))
			.collectList()
			.block(TIMEOUT);

		// 20 content chunks, the chunk that stops, the usage chunk and [DONE].
		assertThat(data).hasSize(23).last().isEqualTo("[DONE]");
		assertThat(data.get(0)).contains("\"object\":\"chat.completion.chunk\"").contains("\"content\":\"word0 \"");
		assertThat(data.get(21)).contains("\"usage\":{");
		assertThat(this.upstream.settings().streamed()).isEqualTo(streamedBefore + 1);
		NetworkRequestEvent event = await().atMost(TIMEOUT).until(this::lastStream, (found) -> found != null
				&& found.isTerminal());
		assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED);
		assertThat(event.getFirstByteAt()).isNotNull();
		assertThat(event.getApiTokensUsed()).as("from the usage chunk").isNotNull().isBetween(2L, 201L);
		assertThat(this.meters.get("lionfuncs.requests.first-byte")
			.tags("executor", "default", "status", "COMPLETED")
			.timer()
			.count()).isPositive();
	}

	@Test
	void aCallerGoingAwayMidwayCancelsTheStream() {
		List<ServerSentEvent<String>> first = stream("?tokens=300").take(2).collectList().block(TIMEOUT);

		assertThat(first).hasSize(2);
		NetworkRequestEvent event = await().atMost(TIMEOUT).until(this::lastStream, (found) -> found != null
				&& found.isTerminal());
		assertThat(event.getStatus()).isEqualTo(RequestStatus.CANCELLED);
		assertThat(event.getErrorMessage()).isEqualTo("cancelled by the lease holder");
	}

	@Test
	void aNegativeReservationIsRefused() {
		this.client.get()
			.uri("/demo/stream?tokens=-1")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.detail")
			.isEqualTo("tokens must be 0 or more but was -1");
	}

	private NetworkRequestEvent lastStream() {
		return this.executor.recent()
			.stream()
			.filter((event) -> Boolean.TRUE.equals(event.getMetadata().get(ApiStream.METADATA_KEY)))
			.findFirst()
			.orElse(null);
	}

}
