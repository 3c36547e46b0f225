package io.lionfuncs.sample.demo;

import java.time.Duration;
import java.util.List;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.sample.DefinedPortTests;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code /demo/ai}: Spring AI's {@code ChatClient} calls the embedded fake upstream in
 * OpenAI's format, streamed and not, and the starter governs those calls through
 * {@code lionfuncs.clients.ai.base-url} alone: they run under the {@code ai} executor,
 * with their usage, and show in the endpoint's in-flight list while they stream.
 */
class AiDemoTests extends DefinedPortTests {

	@Autowired
	@Qualifier("ai")
	private Executor executor;

	@Test
	void callsAreGovernedByTheExecutorOfTheirBaseUrl() {
		AiDemoController.AiResult result = this.client.get()
			.uri("/demo/ai?count=3")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(AiDemoController.AiResult.class)
			.returnResult()
			.getResponseBody();

		assertThat(result.answers()).hasSize(3).containsOnly("This is a fake answer.");
		List<NetworkRequestEvent> calls = this.executor.recent().subList(0, 3);
		assertThat(calls).allSatisfy((event) -> {
			assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED);
			assertThat(event.getMetadata()).containsEntry("intercepted", "Spring AI OpenAI");
			assertThat(event.getEndpointUrl()).endsWith("/upstream/v1/chat/completions");
			assertThat(event.getApiTokensUsed()).isPositive();
		});
	}

	@Test
	void streamedCallsShowInFlightUntilTheyEnd() {
		Mono<AiDemoController.AiResult> streaming = Mono.fromCallable(() -> this.client.get()
			.uri("/demo/ai?stream=true&count=2")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(AiDemoController.AiResult.class)
			.returnResult()
			.getResponseBody()).subscribeOn(reactor.core.scheduler.Schedulers.boundedElastic()).cache();
		streaming.subscribe();

		await().atMost(Duration.ofSeconds(20)).until(() -> {
			JsonNode inFlight = this.client.get()
				.uri("/actuator/lionfuncs")
				.exchange()
				.expectBody(JsonNode.class)
				.returnResult()
				.getResponseBody()
				.at("/executors/ai/inFlight");
			return inFlight.size() > 0
					&& inFlight.get(0).get("endpointUrl").asString().endsWith("/upstream/v1/chat/completions");
		});
		AiDemoController.AiResult result = streaming.block(Duration.ofSeconds(30));
		assertThat(result.streamed()).isTrue();
		assertThat(result.answers()).as("the fake upstream's 20 chunks, joined")
			.hasSize(2)
			.allSatisfy((answer) -> assertThat(answer).startsWith("word0 word1 ").endsWith("word19 "));
		await().atMost(Duration.ofSeconds(10)).until(() -> this.executor.inFlight().isEmpty());
		assertThat(this.executor.recent().subList(0, 2)).allSatisfy((event) -> {
			assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED);
			assertThat(event.getApiTokensUsed()).as("usage from the final chunk").isPositive();
			assertThat(event.getFirstByteAt()).isNotNull();
		});
	}

	@Test
	void aCountOutOfRangeIsRefused() {
		this.client.get().uri("/demo/ai?count=0").exchange().expectStatus().isBadRequest();
	}

}
