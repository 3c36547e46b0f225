package io.lionfuncs.network.client;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.lionfuncs.network.client.EventStreamDecoder.Framing;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link EventStreamDecoder}: events come out the same whatever the chunk
 * boundaries, and the framing follows the content type.
 */
class EventStreamDecoderTests {

	private static final String STREAM = "\uFEFF: a comment\r\nevent: delta\r\nid: 3\r\ndata: caf\u00e9\r\ndata:  two\r\n\r\n"
			+ "retry: 100\nunknown: x\ndata\n\n" + "data: cr only\r\r" + "event: empty\n\n" + "data: last";

	private static final List<ServerSentEvent> EXPECTED = List.of(new ServerSentEvent("delta", "3", "caf\u00e9\n two"),
			ServerSentEvent.of(""), ServerSentEvent.of("cr only"), ServerSentEvent.of("last"));

	@Test
	void eventsAreTheSameWhateverTheChunkBoundaries() {
		byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
		for (int size = 1; size <= bytes.length; size++) {
			assertThat(decode(Framing.EVENT_STREAM, chunks(bytes, size))).as("chunks of %d bytes", size)
				.isEqualTo(EXPECTED);
		}
	}

	@Test
	void jsonLinesGiveOneEventPerNonBlankLine() {
		byte[] bytes = "{\"a\":1}\n\n{\"b\":\"\u00e9\"}\r\n{\"c\":3}".getBytes(StandardCharsets.UTF_8);
		for (int size = 1; size <= bytes.length; size++) {
			assertThat(decode(Framing.JSON_LINES, chunks(bytes, size))).extracting(ServerSentEvent::data)
				.containsExactly("{\"a\":1}", "{\"b\":\"\u00e9\"}", "{\"c\":3}");
		}
	}

	@Test
	void aWholeBodyIsOneEvent() {
		byte[] bytes = "{\n  \"usage\": {\"total_tokens\": 5}\n}".getBytes(StandardCharsets.UTF_8);
		assertThat(decode(Framing.WHOLE, chunks(bytes, 3))).extracting(ServerSentEvent::data)
			.containsExactly(new String(bytes, StandardCharsets.UTF_8));
	}

	@Test
	void theFramingFollowsTheContentType() {
		assertThat(Framing.of("text/event-stream; charset=utf-8")).isEqualTo(Framing.EVENT_STREAM);
		assertThat(Framing.of(null)).isEqualTo(Framing.EVENT_STREAM);
		assertThat(Framing.of("application/x-ndjson")).isEqualTo(Framing.JSON_LINES);
		assertThat(Framing.of("Application/JSONL")).isEqualTo(Framing.JSON_LINES);
		assertThat(Framing.of("application/json;charset=UTF-8")).isEqualTo(Framing.WHOLE);
		assertThat(Framing.of("application/problem+json")).isEqualTo(Framing.WHOLE);
	}

	@Test
	void anEventLargerThanTheBoundFailsInsteadOfGrowing() {
		EventStreamDecoder decoder = new EventStreamDecoder(Framing.EVENT_STREAM);
		byte[] line = new byte[64 * 1024];
		Arrays.fill(line, (byte) 'x');
		decoder.decode("data: ".getBytes(StandardCharsets.UTF_8));
		assertThatExceptionOfType(EventStreamDecoder.EventTooLargeException.class).isThrownBy(() -> {
			for (int i = 0; i <= EventStreamDecoder.MAX_EVENT_BYTES / line.length; i++) {
				decoder.decode(line);
			}
		}).withMessageContaining("larger than " + EventStreamDecoder.MAX_EVENT_BYTES + " bytes");
	}

	private static List<ServerSentEvent> decode(Framing framing, List<byte[]> chunks) {
		EventStreamDecoder decoder = new EventStreamDecoder(framing);
		List<ServerSentEvent> events = new ArrayList<>();
		chunks.forEach((chunk) -> events.addAll(decoder.decode(chunk)));
		events.addAll(decoder.end());
		return events;
	}

	private static List<byte[]> chunks(byte[] bytes, int size) {
		List<byte[]> chunks = new ArrayList<>();
		for (int from = 0; from < bytes.length; from += size) {
			chunks.add(Arrays.copyOfRange(bytes, from, Math.min(bytes.length, from + size)));
		}
		return chunks;
	}

}
