package io.lionfuncs.event;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SpoolRecords}: a record is one ASCII line whose checksum covers its
 * sequence number and its event.
 */
class SpoolRecordsTests {

	private static final byte[] JSON = "{\"data\":{\"uid\":\"u1\",\"name\":\"caf\\u00e9\"},\"closed\":true}"
		.getBytes(StandardCharsets.US_ASCII);

	@Test
	void recordIsOneLineThatDecodesBack() {
		byte[] line = SpoolRecords.encode(42, JSON);
		String text = new String(line, StandardCharsets.US_ASCII);

		assertThat(text).matches("42 [0-9a-f]{8} \\{.*\\}\n").containsOnlyOnce("\n");
		SpoolRecords.Record record = SpoolRecords.decode(withoutLineFeed(line));
		assertThat(record.seq()).isEqualTo(42);
		assertThat(record.json()).isEqualTo(JSON);
	}

	@Test
	void anyChangedByteMakesTheLineNoRecord() {
		byte[] line = withoutLineFeed(SpoolRecords.encode(7, JSON));
		for (int i = 0; i < line.length; i++) {
			byte[] damaged = line.clone();
			damaged[i] ^= 0x01;
			assertThat(SpoolRecords.decode(damaged)).as("byte %d", i).isNull();
		}
	}

	@Test
	void framingErrorsAreNoRecord() {
		assertThat(SpoolRecords.decode(new byte[0])).isNull();
		assertThat(SpoolRecords.decode(ascii("1 0000000"))).isNull();
		assertThat(SpoolRecords.decode(ascii("x 00000000 {}"))).isNull();
		assertThat(SpoolRecords.decode(ascii("99999999999999999999 00000000 {}"))).isNull();
		String valid = new String(withoutLineFeed(SpoolRecords.encode(1, JSON)), StandardCharsets.US_ASCII);
		assertThat(SpoolRecords.decode(ascii(valid.substring(0, 2) + valid.substring(2, 10).toUpperCase()
				+ valid.substring(10)))).as("checksum in upper case").isNull();
	}

	@Test
	void segmentNamesCarryTheirFirstSequenceNumber() {
		assertThat(SpoolRecords.segmentName(12)).isEqualTo("events-0000000000000000012.wal");
		assertThat(SpoolRecords.firstSeqOf("events-0000000000000000012.wal")).isEqualTo(12);
		assertThat(SpoolRecords.firstSeqOf("0000000000000000012-uid.json")).isEqualTo(-1);
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

	private static byte[] withoutLineFeed(byte[] line) {
		byte[] trimmed = new byte[line.length - 1];
		System.arraycopy(line, 0, trimmed, 0, trimmed.length);
		return trimmed;
	}

}
