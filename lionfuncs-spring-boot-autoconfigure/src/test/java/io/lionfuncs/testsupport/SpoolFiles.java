package io.lionfuncs.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import tools.jackson.databind.json.JsonMapper;

/**
 * Reads a handler's spool directory as its documented format says, independently of
 * the code that writes it: the events still waiting for the handler are the records of
 * its {@code events-<seq>.wal} segments at or above the {@code checkpoint}, then the
 * {@code <seq>-<uid>.json} files of events spooled one file each.
 */
public final class SpoolFiles {

	private static final String HEADER = "lionfuncs-event-spool 1";

	private static final Pattern RECORD = Pattern.compile("(\\d{1,19}) ([0-9a-f]{8}) (.*)");

	private static final Pattern FILE = Pattern.compile("\\d{19}-(.+)\\.json");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private SpoolFiles() {
	}

	/**
	 * The uids of the events waiting in a handler's spool directory, oldest first.
	 * Damaged records and a torn last line are not events, and not counted.
	 * @param handlerDirectory {@code <spool>/<handler>}
	 * @return the uids
	 */
	public static List<String> pendingUids(Path handlerDirectory) {
		List<String> uids = new ArrayList<>();
		if (!Files.isDirectory(handlerDirectory)) {
			return uids;
		}
		for (int attempt = 0;; attempt++) {
			try {
				uids.clear();
				long watermark = checkpoint(handlerDirectory);
				for (Path segment : list(handlerDirectory, "events-\\d{19}\\.wal")) {
					readSegment(segment, watermark, uids);
				}
				for (Path file : list(handlerDirectory, FILE.pattern())) {
					Matcher matcher = FILE.matcher(file.getFileName().toString());
					if (matcher.matches()) {
						uids.add(matcher.group(1));
					}
				}
				return uids;
			}
			catch (NoSuchFileException ex) {
				// compacted while being read: read it again
				if (attempt == 20) {
					throw new UncheckedIOException(ex);
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
	}

	private static long checkpoint(Path handlerDirectory) throws IOException {
		Path checkpoint = handlerDirectory.resolve("checkpoint");
		try {
			return Long.parseLong(Files.readString(checkpoint, StandardCharsets.US_ASCII).strip());
		}
		catch (NoSuchFileException ex) {
			return 0;
		}
	}

	private static void readSegment(Path segment, long watermark, List<String> uids) throws IOException {
		String content = Files.readString(segment, StandardCharsets.US_ASCII);
		String[] lines = content.split("\n", -1);
		if (lines.length == 0 || !lines[0].equals(HEADER)) {
			throw new IllegalStateException(segment + " does not start with '" + HEADER + "'");
		}
		// the last element follows the last line feed: empty, or a torn record
		for (int i = 1; i < lines.length - 1; i++) {
			Matcher matcher = RECORD.matcher(lines[i]);
			if (!matcher.matches()) {
				continue;
			}
			CRC32C crc = new CRC32C();
			crc.update((matcher.group(1) + " " + matcher.group(3)).getBytes(StandardCharsets.US_ASCII));
			if (!String.format(Locale.ROOT, "%08x", crc.getValue()).equals(matcher.group(2))) {
				continue;
			}
			if (Long.parseLong(matcher.group(1)) >= watermark) {
				Map<?, ?> document = JSON.readValue(matcher.group(3), Map.class);
				uids.add((String) ((Map<?, ?>) document.get("data")).get("uid"));
			}
		}
	}

	private static List<Path> list(Path directory, String regex) throws IOException {
		try (Stream<Path> files = Files.list(directory)) {
			return files.filter((file) -> file.getFileName().toString().matches(regex)).sorted().toList();
		}
	}

}
