package io.lionfuncs.reliability;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.lionfuncs.reliability.Upstream.Reply;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The promise of the event spool, as a process: an application publishing the terminal
 * changes of a burst of calls to a webhook is killed with SIGKILL at a random point;
 * started again on the same spool, it delivers every event of every call that was
 * terminal more than 100 ms before the kill. Once with the webhook up all along, once
 * with it down until the restart. "Terminal" is what the test saw: the child announces a
 * call once its event was published, and the test notes when it read the line, so an
 * event counts as expected only if its announcement reached the test more than 100 ms
 * before the kill.
 */
@Tag("slow")
@ExtendWith(SuiteDuration.class)
class KilledBurstTests {

	private static final Duration FACT_TIMEOUT = Duration.ofSeconds(60);

	private static final long PROMISE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	private static final int RUNS = 3;

	private static final int CALLS = 3000;

	private static final int RATE = 400;

	private final Random random = new Random();

	@TempDir
	Path temp;

	@Test
	void killedWhileTheWebhookIsUpItDeliversEveryEarlierEventAfterTheRestart() throws Exception {
		long seed = this.random.nextLong();
		Random kills = new Random(seed);
		Figures figures = Figures.start("killed-burst-webhook-up").put("seed", seed);
		for (int run = 0; run < RUNS; run++) {
			Set<String> received = ConcurrentHashMap.newKeySet();
			ConcurrentLinkedQueue<String> arrivals = new ConcurrentLinkedQueue<>();
			// a receiver that takes a while, so that the handler's backlog is not always empty
			try (Upstream webhook = new Upstream("webhook-up", (request) -> {
				String uid = request.requestHeaders().get("Idempotency-Key");
				received.add(uid);
				arrivals.add(uid);
				return Reply.ok().after(Duration.ofMillis(ThreadLocalRandom.current().nextInt(20)));
			})) {
				String url = webhook.baseUrl() + "/hook";
				Path spool = this.temp.resolve("up-" + run);
				Killed killed = burstAndKill(spool, url, 100 + kills.nextInt(CALLS * 3 / 4));
				drain(spool, url, killed.spoolDirectory());
				assertDeliveredAndRecord(figures, run, seed, killed, received, arrivals);
			}
		}
		figures.report();
	}

	@Test
	void killedWhileTheWebhookIsDownItDeliversEveryEarlierEventOnceItIsBack() throws Exception {
		long seed = this.random.nextLong();
		Random kills = new Random(seed);
		Figures figures = Figures.start("killed-burst-webhook-down").put("seed", seed);
		for (int run = 0; run < RUNS; run++) {
			AtomicBoolean up = new AtomicBoolean();
			Set<String> received = ConcurrentHashMap.newKeySet();
			ConcurrentLinkedQueue<String> arrivals = new ConcurrentLinkedQueue<>();
			// down: every connection reset, on a port the test holds all along
			try (Upstream webhook = new Upstream("webhook-down", (request) -> {
				if (!up.get()) {
					return Reply.reset();
				}
				String uid = request.requestHeaders().get("Idempotency-Key");
				received.add(uid);
				arrivals.add(uid);
				return Reply.status(200);
			})) {
				String url = webhook.baseUrl() + "/hook";
				Path spool = this.temp.resolve("down-" + run);
				Killed killed = burstAndKill(spool, url, 100 + kills.nextInt(CALLS * 3 / 4));
				assertThat(received).isEmpty();
				up.set(true);
				drain(spool, url, killed.spoolDirectory());
				assertDeliveredAndRecord(figures, run, seed, killed, received, arrivals);
			}
		}
		figures.report();
	}

	/**
	 * Runs a burst and kills it once {@code killAfter} calls were announced terminal.
	 */
	private Killed burstAndKill(Path spool, String url, int killAfter) throws Exception {
		try (ChildJvm child = ChildJvm.start(BurstingChild.class, "burst", spool.toString(), url,
				String.valueOf(CALLS), String.valueOf(RATE))) {
			String directory = child.awaitLine((line) -> line.startsWith("SPOOL "), FACT_TIMEOUT)
				.substring("SPOOL ".length());
			child.awaitLine("READY"::equals, FACT_TIMEOUT);
			await().atMost(FACT_TIMEOUT).until(() -> terminalLines(child.output()) >= killAfter);
			long killedAt = System.nanoTime();
			child.kill();
			Set<String> expected = new TreeSet<>();
			List<String> output = child.output();
			for (int i = 0; i < output.size(); i++) {
				String line = output.get(i);
				if (line.startsWith("TERMINAL ") && killedAt - child.arrivalNanos(i) > PROMISE_NANOS) {
					expected.add(line.substring("TERMINAL ".length()));
				}
			}
			return new Killed(directory, terminalLines(output), expected);
		}
	}

	/** Starts the application again on the spool and waits until it sent everything. */
	private void drain(Path spool, String url, String spoolDirectory) throws Exception {
		try (ChildJvm child = ChildJvm.start(BurstingChild.class, "drain", spool.toString(), url)) {
			assertThat(child.awaitLine((line) -> line.startsWith("SPOOL "), FACT_TIMEOUT))
				.as("the restart takes the directory of the killed process over")
				.isEqualTo("SPOOL " + spoolDirectory);
			child.awaitLine((line) -> line.startsWith("DRAINED "), Duration.ofSeconds(150));
			assertThat(child.awaitExit(FACT_TIMEOUT)).as("drain output: %s", child.output()).isZero();
		}
	}

	private static long terminalLines(List<String> output) {
		return output.stream().filter((line) -> line.startsWith("TERMINAL ")).count();
	}

	/**
	 * Asserts that every event announced terminal before the kill was delivered, and
	 * records the run's figures.
	 */
	private static void assertDeliveredAndRecord(Figures figures, int run, long seed, Killed killed,
			Set<String> received, Collection<String> arrivals) {
		assertThat(received).as("run %d (seed %d): every event terminal 100 ms before the kill", run, seed)
			.containsAll(killed.expected());
		figures.put("run" + run, "killAfter=" + killed.announced() + " expected=" + killed.expected().size()
				+ " delivered=" + count(received, killed.expected()) + " received=" + arrivals.size() + " distinct="
				+ received.size());
	}

	private static long count(Set<String> received, Set<String> expected) {
		return expected.stream().filter(received::contains).count();
	}

	/**
	 * What a kill left.
	 * @param spoolDirectory the directory the killed process held
	 * @param announced the calls it announced terminal
	 * @param expected the events announced more than 100 ms before the kill
	 */
	private record Killed(String spoolDirectory, long announced, Set<String> expected) {
	}

}
