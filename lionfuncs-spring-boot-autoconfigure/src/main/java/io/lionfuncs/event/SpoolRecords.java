package io.lionfuncs.event;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

import org.jspecify.annotations.Nullable;

/**
 * The format of a handler's write-ahead log: segment files of text lines, one event per
 * line, so that a log can be read with {@code less} and never holds anything but ASCII.
 * <p>
 * A segment is named {@code events-<first seq, 19 digits>.wal} and starts with the
 * header line {@value #HEADER_TEXT}. Every other line is a record:
 * <pre class="code">
 * &lt;seq&gt; &lt;crc&gt; &lt;event&gt;\n
 * </pre>
 * where {@code seq} is the event's sequence number in the handler's log (decimal,
 * increasing), {@code crc} the CRC-32C of {@code "<seq> <event>"} as 8 lowercase hex
 * digits, and {@code event} the event in e3's JSON layout, compact, with every
 * non-ASCII character escaped (so it never holds a line break). A line without its
 * {@code \n}, or whose checksum does not match, is not a record.
 */
final class SpoolRecords {

	static final String HEADER_TEXT = "lionfuncs-event-spool 1";

	static final byte[] HEADER = (HEADER_TEXT + "\n").getBytes(StandardCharsets.US_ASCII);

	private static final Pattern SEGMENT = Pattern.compile("events-(\\d{19})\\.wal");

	private static final int MAX_SEQ_DIGITS = 19;

	private static final int CRC_DIGITS = 8;

	private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

	private SpoolRecords() {
	}

	static String segmentName(long firstSeq) {
		return String.format(Locale.ROOT, "events-%019d.wal", firstSeq);
	}

	/**
	 * The first sequence number of a segment file's name.
	 * @return the number, or {@code -1} if the name is not a segment's
	 */
	static long firstSeqOf(String fileName) {
		Matcher matcher = SEGMENT.matcher(fileName);
		return matcher.matches() ? Long.parseLong(matcher.group(1)) : -1;
	}

	/**
	 * Encodes a record, line feed included.
	 * @param seq the sequence number
	 * @param json the event, compact e3 JSON in ASCII
	 * @return the line
	 */
	static byte[] encode(long seq, byte[] json) {
		byte[] seqText = Long.toString(seq).getBytes(StandardCharsets.US_ASCII);
		long crc = crc(seqText, json, 0, json.length);
		byte[] line = new byte[seqText.length + 1 + CRC_DIGITS + 1 + json.length + 1];
		int position = 0;
		System.arraycopy(seqText, 0, line, position, seqText.length);
		position += seqText.length;
		line[position++] = ' ';
		for (int shift = (CRC_DIGITS - 1) * 4; shift >= 0; shift -= 4) {
			line[position++] = HEX[(int) (crc >>> shift) & 0xf];
		}
		line[position++] = ' ';
		System.arraycopy(json, 0, line, position, json.length);
		position += json.length;
		line[position] = '\n';
		return line;
	}

	/**
	 * Decodes a record line.
	 * @param line the line without its line feed
	 * @return the record, or {@code null} if the line is not a valid record
	 */
	static @Nullable Record decode(byte[] line) {
		int firstSpace = indexOf(line, 0);
		if (firstSpace < 1 || firstSpace > MAX_SEQ_DIGITS) {
			return null;
		}
		long seq = 0;
		for (int i = 0; i < firstSpace; i++) {
			int digit = line[i] - '0';
			if (digit < 0 || digit > 9) {
				return null;
			}
			seq = seq * 10 + digit;
			if (seq < 0) {
				return null;
			}
		}
		int jsonStart = firstSpace + 1 + CRC_DIGITS + 1;
		if (line.length <= jsonStart || line[jsonStart - 1] != ' ') {
			return null;
		}
		long expected = 0;
		for (int i = firstSpace + 1; i < jsonStart - 1; i++) {
			int digit = Character.digit(line[i], 16);
			if (digit < 0 || Character.isUpperCase(line[i])) {
				return null;
			}
			expected = (expected << 4) | digit;
		}
		byte[] seqText = new byte[firstSpace];
		System.arraycopy(line, 0, seqText, 0, firstSpace);
		if (crc(seqText, line, jsonStart, line.length - jsonStart) != expected) {
			return null;
		}
		byte[] json = new byte[line.length - jsonStart];
		System.arraycopy(line, jsonStart, json, 0, json.length);
		return new Record(seq, json);
	}

	static boolean isHeader(byte[] line) {
		return new String(line, StandardCharsets.US_ASCII).equals(HEADER_TEXT);
	}

	private static long crc(byte[] seqText, byte[] bytes, int offset, int length) {
		CRC32C crc = new CRC32C();
		crc.update(seqText);
		crc.update(' ');
		crc.update(bytes, offset, length);
		return crc.getValue();
	}

	private static int indexOf(byte[] line, int from) {
		for (int i = from; i < line.length; i++) {
			if (line[i] == ' ') {
				return i;
			}
		}
		return -1;
	}

	/**
	 * A record of the log.
	 * @param seq its sequence number
	 * @param json the event's JSON
	 */
	record Record(long seq, byte[] json) {
	}

}
