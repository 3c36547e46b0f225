package io.lionfuncs.reliability;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import io.lionfuncs.reliability.Upstream.Reply;
import io.lionfuncs.testsupport.SpoolFiles;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A process delivering events to a webhook that is down is killed with SIGKILL; started
 * again on the same spool directory with the webhook up, it re-sends what it spooled, and
 * the webhook receives every event at least once.
 */
@Tag("slow")
@ExtendWith(SuiteDuration.class)
class CrashRecoveryTests {

	private static final Duration FACT_TIMEOUT = Duration.ofSeconds(60);

	@TempDir
	Path spool;

	@Test
	void killedOnceEverythingIsSpooledItDeliversEveryEventAfterTheRestart() throws Exception {
		Figures figures = Figures.start("crash-replay");
		int events = 300;
		int port = freePort();
		String url = "http://127.0.0.1:" + port + "/hook";
		try (ChildJvm publisher = ChildJvm.start(SpoolingChild.class, "publish", this.spool.toString(), url,
				String.valueOf(events))) {
			publisher.awaitLine((fact) -> fact.equals("SPOOLED " + events), FACT_TIMEOUT);
			publisher.kill();
		}
		Set<String> spooled = spooledUids();
		assertThat(spooled).hasSize(events);

		Set<String> received = replayTo(port, url, events);
		Set<String> published = IntStream.range(0, events).mapToObj((i) -> "e" + i).collect(Collectors.toSet());
		assertThat(received).as("every event reached the webhook at least once").containsAll(published);
		assertThat(spooledUids()).as("nothing left in the spool").isEmpty();
		figures.put("published", events)
			.put("spooledBeforeKill", spooled.size())
			.put("received", received.size())
			.put("lost", published.size() - received.size())
			.report();
	}

	@Test
	void killedInTheMiddleOfSpoolingItDeliversEveryEventItHadSpooled() throws Exception {
		Figures figures = Figures.start("crash-mid-spool");
		int events = 20_000;
		int port = freePort();
		String url = "http://127.0.0.1:" + port + "/hook";
		long announced;
		try (ChildJvm publisher = ChildJvm.start(SpoolingChild.class, "publish", this.spool.toString(), url,
				String.valueOf(events))) {
			String line = publisher.awaitLine((fact) -> fact.startsWith("SPOOLED ")
					&& Long.parseLong(fact.substring("SPOOLED ".length())) >= 500, FACT_TIMEOUT);
			announced = Long.parseLong(line.substring("SPOOLED ".length()));
			publisher.kill();
		}
		// Records are written whole or cut short at the end of the log: what is there whole was
		// spooled, and can be read.
		Set<String> spooled = spooledUids();
		long partial = countFiles("*.tmp");
		assertThat(spooled).as("events announced as spooled are on disk").hasSizeGreaterThanOrEqualTo((int) announced);

		Set<String> received = replayTo(port, url, spooled.size());
		assertThat(received).as("every spooled event reached the webhook at least once").containsAll(spooled);
		assertThat(spooledUids()).as("nothing left in the spool").isEmpty();
		assertThat(countFiles("*.tmp")).as("partly written files cleaned up").isZero();
		assertThat(Files.exists(this.spool.resolve("webhook").resolve("dead-letter"))).as("nothing dead-lettered")
			.isFalse();
		figures.put("published", events)
			.put("announcedBeforeKill", announced)
			.put("spooledAtKill", spooled.size())
			.put("partialFilesAtKill", partial)
			.put("received", received.size())
			.put("lostOfSpooled", spooled.stream().filter((uid) -> !received.contains(uid)).count())
			.report();
	}

	/**
	 * Starts the webhook on the port the killed child posted to, and a new child on the
	 * same spool; returns the uids the webhook received once the spool is drained.
	 */
	private Set<String> replayTo(int port, String url, int expected) throws Exception {
		Set<String> received = ConcurrentHashMap.newKeySet();
		try (Upstream webhook = new Upstream("webhook", port, (request) -> {
			received.add(request.requestHeaders().get("Idempotency-Key"));
			return Reply.status(200);
		}); ChildJvm replayer = ChildJvm.start(SpoolingChild.class, "replay", this.spool.toString(), url,
				String.valueOf(expected))) {
			replayer.awaitLine((fact) -> fact.startsWith("DRAINED "), FACT_TIMEOUT);
			assertThat(replayer.awaitExit(FACT_TIMEOUT)).as("replay output: %s", replayer.output()).isZero();
		}
		return received;
	}

	private Set<String> spooledUids() {
		return new TreeSet<>(SpoolFiles.pendingUids(this.spool.resolve("webhook")));
	}

	private long countFiles(String glob) throws IOException {
		Path directory = this.spool.resolve("webhook");
		if (!Files.isDirectory(directory)) {
			return 0;
		}
		try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, glob)) {
			long count = 0;
			for (Path file : files) {
				count++;
			}
			return count;
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

}
