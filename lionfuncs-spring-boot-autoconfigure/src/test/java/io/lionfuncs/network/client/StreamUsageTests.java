package io.lionfuncs.network.client;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link StreamUsage}: the usage each provider's stream reports, as far as it
 * has reported it, from events or from raw bytes.
 */
class StreamUsageTests {

	@Test
	void openAiFinalUsageChunk() {
		StreamUsage usage = read(StreamingUpstream.openAi(List.of("a", "b"), 30, 12, true));

		assertThat(usage.apiTokensUsed()).isEqualTo(42);
	}

	@Test
	void openAiWithoutTheUsageChunkTellsNothing() {
		StreamUsage usage = read(StreamingUpstream.openAi(List.of("a", "b"), 30, 12, false));

		assertThat(usage.apiTokensUsed()).isNull();
	}

	@Test
	void openAiResponsesApiCompletedEvent() {
		StreamUsage usage = new StreamUsage();
		usage.accept(new ServerSentEvent("response.completed", null, "{\"type\":\"response.completed\",\"response\":"
				+ "{\"id\":\"r\",\"usage\":{\"input_tokens\":7,\"output_tokens\":5,\"total_tokens\":12}}}"));

		assertThat(usage.apiTokensUsed()).isEqualTo(12);
	}

	@Test
	void anthropicMessageStartThenCumulativeMessageDeltas() {
		StreamUsage usage = new StreamUsage();
		assertThat(usage.apiTokensUsed()).isNull();

		usage.accept(ServerSentEvent.of(data(StreamingUpstream.anthropicStart(25))));
		assertThat(usage.apiTokensUsed()).as("input 25, output 1 so far").isEqualTo(26);
		usage.accept(ServerSentEvent.of(data(StreamingUpstream.anthropicDelta(9))));
		usage.accept(ServerSentEvent.of(data(StreamingUpstream.anthropicDelta(15))));
		assertThat(usage.apiTokensUsed()).as("output counts are cumulative").isEqualTo(40);
	}

	@Test
	void ollamaFinalObject() {
		StreamUsage usage = new StreamUsage();
		StreamingUpstream.ollama(List.of("a"), 26, 9).forEach(usage::accept);

		assertThat(usage.apiTokensUsed()).isEqualTo(35);
	}

	@Test
	void rawBytesAreCutIntoEventsByContentType() {
		StreamUsage sse = StreamUsage.forContentType("text/event-stream");
		byte[] bytes = String.join("", StreamingUpstream.anthropic(List.of("x", "y"), 11, 4))
			.getBytes(StandardCharsets.UTF_8);
		for (int from = 0; from < bytes.length; from += 7) {
			sse.feed(java.util.Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + 7)));
		}
		sse.end();
		assertThat(sse.apiTokensUsed()).isEqualTo(15);

		StreamUsage ndjson = StreamUsage.forContentType("application/x-ndjson");
		ndjson.feed(String.join("", StreamingUpstream.ollama(List.of("a"), 3, 2)).getBytes(StandardCharsets.UTF_8));
		assertThat(ndjson.apiTokensUsed()).isEqualTo(5);

		StreamUsage whole = StreamUsage.forContentType("application/json");
		whole.feed("{\"usage\":{\"prompt_tokens\":2,\"completion_tokens\":3,\"total_tokens\":5}}"
			.getBytes(StandardCharsets.UTF_8));
		whole.end();
		assertThat(whole.apiTokensUsed()).isEqualTo(5);
	}

	@Test
	void aReaderOfEventsCannotBeFedBytes() {
		assertThatIllegalStateException().isThrownBy(() -> new StreamUsage().feed(new byte[1]))
			.withMessageContaining("forContentType");
	}

	@Test
	void onlyDataNamingAUsageObjectOrCountsIsParsed() {
		assertThat(StreamUsage.mayHoldUsage("{\"choices\":[],\"usage\": {\"total_tokens\":1}}")).isTrue();
		assertThat(StreamUsage.mayHoldUsage("{\"choices\":[{}],\"usage\":null}")).isFalse();
		assertThat(StreamUsage.mayHoldUsage("{\"text\":\"the \\\"usage\\\" word\"}")).isFalse();
		assertThat(StreamUsage.mayHoldUsage("{\"done\":true,\"eval_count\": 3}")).isTrue();
		assertThat(StreamUsage.mayHoldUsage("not json")).isFalse();
	}

	@Test
	void malformedOrNegativeCountsAreIgnored() {
		StreamUsage usage = new StreamUsage();
		usage.accept("{\"usage\":{");
		usage.accept("{\"usage\":{\"total_tokens\":-4}}");
		usage.accept("{\"usage\":{\"total_tokens\":\"many\"}}");

		assertThat(usage.apiTokensUsed()).isNull();
	}

	private static StreamUsage read(List<String> chunks) {
		StreamUsage usage = new StreamUsage();
		chunks.stream().map(StreamUsageTests::data).forEach(usage::accept);
		return usage;
	}

	/** The data of an event written as {@code [event: ...\n]data: ...\n\n}. */
	private static String data(String event) {
		String line = event.lines().filter((candidate) -> candidate.startsWith("data: ")).findFirst().orElseThrow();
		return line.substring("data: ".length());
	}

}
