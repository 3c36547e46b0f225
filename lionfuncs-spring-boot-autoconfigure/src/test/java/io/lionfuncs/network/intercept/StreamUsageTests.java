package io.lionfuncs.network.intercept;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the usage read from streamed answers as their bytes pass
 * ({@link ResponseTap}, {@link StreamUsage}), however the bytes are split.
 */
class StreamUsageTests {

	private static final String OPENAI = "data: {\"id\":\"c\",\"choices\":[{\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}\n\n"
			+ "data: {\"id\":\"c\",\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":12,"
			+ "\"total_tokens\":21}}\n\n" + "data: [DONE]\n\n";

	private static final String ANTHROPIC = "event: message_start\r\n"
			+ "data: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":30,\"output_tokens\":1}}}\r\n\r\n"
			+ "event: content_block_delta\r\ndata: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\"usage\"}}\r\n\r\n"
			+ "event: message_delta\r\ndata: {\"type\":\"message_delta\",\"usage\":{\"output_tokens\":70}}\r\n\r\n"
			+ "event: message_stop\r\ndata: {\"type\":\"message_stop\"}\r\n\r\n";

	private static final String OLLAMA = "{\"message\":{\"content\":\"Hi\"},\"done\":false}\n"
			+ "{\"message\":{\"content\":\"\"},\"done\":true,\"prompt_eval_count\":26,\"eval_count\":290}\n";

	private static ResponseTap feed(String contentType, String body, int chunk) {
		ResponseTap tap = new ResponseTap(contentType);
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		for (int offset = 0; offset < bytes.length; offset += chunk) {
			tap.accept(bytes, offset, Math.min(chunk, bytes.length - offset));
		}
		return tap;
	}

	@Test
	void openAiFinalUsageChunk() {
		for (int chunk : new int[] { 1, 7, 64, 4096 }) {
			ResponseTap tap = feed("text/event-stream; charset=utf-8", OPENAI, chunk);
			assertThat(tap.streamUsage()).as("chunks of %d bytes", chunk).isEqualTo(21L);
			assertThat(tap.streamFinished()).isTrue();
		}
	}

	@Test
	void anthropicInputAndLatestOutputTokens() {
		for (int chunk : new int[] { 1, 5, 4096 }) {
			ResponseTap tap = feed("text/event-stream", ANTHROPIC, chunk);
			assertThat(tap.streamUsage()).isEqualTo(100L);
			assertThat(tap.streamFinished()).isTrue();
		}
	}

	@Test
	void anthropicStreamBrokenMidwayReportsTheUsageSoFar() {
		ResponseTap tap = feed("text/event-stream", ANTHROPIC.substring(0, ANTHROPIC.indexOf("event: message_delta")), 9);
		assertThat(tap.streamUsage()).isEqualTo(31L);
		assertThat(tap.streamFinished()).isFalse();
	}

	@Test
	void ollamaFinalObject() {
		ResponseTap tap = feed("application/x-ndjson", OLLAMA, 3);
		assertThat(tap.streamUsage()).isEqualTo(316L);
		assertThat(tap.streamFinished()).isTrue();
	}

	@Test
	void aLastEventWithoutItsBlankLineCountsAtTheEnd() {
		ResponseTap tap = feed("text/event-stream", "data: {\"usage\":{\"total_tokens\":5}}", 4);
		assertThat(tap.streamUsage()).isNull();
		tap.end();
		assertThat(tap.streamUsage()).isEqualTo(5L);
	}

	@Test
	void aWholeBodyIsKeptForTheUsageExtractorUpToTheBound() {
		ResponseTap tap = feed("application/json", "{\"usage\":{\"total_tokens\":3}}", 5);
		assertThat(tap.isStream()).isFalse();
		assertThat(new String(tap.keptBody(), StandardCharsets.UTF_8)).isEqualTo("{\"usage\":{\"total_tokens\":3}}");
		assertThat(tap.streamUsage()).isNull();

		ResponseTap large = new ResponseTap("application/json");
		large.accept(new byte[ResponseTap.MAX_KEPT_BYTES], 0, ResponseTap.MAX_KEPT_BYTES);
		large.accept(new byte[1], 0, 1);
		assertThat(large.keptBody()).isNull();
	}

}
