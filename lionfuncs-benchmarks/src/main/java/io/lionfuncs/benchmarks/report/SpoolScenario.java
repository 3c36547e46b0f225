package io.lionfuncs.benchmarks.report;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import io.lionfuncs.event.Event;
import io.lionfuncs.event.EventHandler;
import io.lionfuncs.event.EventJson;
import io.lionfuncs.event.EventManager;
import io.lionfuncs.event.HandlerStats;

import org.springframework.util.FileSystemUtils;

/**
 * Spooling throughput: {@value #EVENTS} {@code lionfuncs.request}-shaped events
 * published by {@value #PUBLISHERS} threads (as executor threads publish them) into an
 * {@link EventManager} whose one handler is down, so that every event goes to its
 * write-ahead log and stays there, against a raw group commit of the same events in the
 * same run: the same threads appending the already encoded JSON lines to one
 * {@link FileChannel} under a lock while one more thread forces it whenever something
 * was appended (what the manager's writer does, without encoding, framing or
 * bookkeeping), and a raw append with a force per event.
 * <p>
 * A side's time runs from the first publish to the moment every event is on disk: for
 * the manager, its {@link EventManager#close()}, which returns once the logs are forced;
 * for the raw group commit, the last force. Rounds alternate after a warm-up; figures
 * are medians, and the group size of the raw group commit (events per force).
 */
final class SpoolScenario implements Scenario {

	static final int EVENTS = 40_000;

	static final int PUBLISHERS = 2;

	private static final int FORCED_EACH_EVENTS = 2_000;

	private static final int WARMUP_ROUNDS = 2;

	private static final int ROUNDS = 5;

	@Override
	public String name() {
		return "spool";
	}

	@Override
	public Map<String, Object> run() throws Exception {
		List<Event> events = new ArrayList<>(EVENTS);
		List<byte[]> lines = new ArrayList<>(EVENTS);
		for (int i = 0; i < EVENTS; i++) {
			Event event = RequestEvents.terminal(i);
			events.add(event);
			byte[] json = EventJson.defaults().toJson(event);
			byte[] line = new byte[json.length + 1];
			System.arraycopy(json, 0, line, 0, json.length);
			line[json.length] = '\n';
			lines.add(line);
		}
		Path root = Files.createTempDirectory("lionfuncs-spool-bench");
		try {
			for (int i = 0; i < WARMUP_ROUNDS; i++) {
				throughManager(events, root.resolve("warmup-" + i));
				rawGroupCommit(lines, root.resolve("raw-warmup-" + i), new AtomicLong());
			}
			double[] manager = new double[ROUNDS];
			double[] raw = new double[ROUNDS];
			double[] forcedEach = new double[ROUNDS];
			long forces = 0;
			for (int i = 0; i < ROUNDS; i++) {
				AtomicLong roundForces = new AtomicLong();
				if (i % 2 == 0) {
					manager[i] = throughManager(events, root.resolve("manager-" + i));
					raw[i] = rawGroupCommit(lines, root.resolve("raw-" + i), roundForces);
				}
				else {
					raw[i] = rawGroupCommit(lines, root.resolve("raw-" + i), roundForces);
					manager[i] = throughManager(events, root.resolve("manager-" + i));
				}
				forces += roundForces.get();
				forcedEach[i] = rawForcedEach(lines.subList(0, FORCED_EACH_EVENTS), root.resolve("each-" + i));
			}
			double[] ratios = new double[ROUNDS];
			for (int i = 0; i < ROUNDS; i++) {
				ratios[i] = manager[i] / raw[i];
			}
			Map<String, Object> figures = new LinkedHashMap<>();
			figures.put("spool.eventsPerSecond", Math.round(Stats.median(manager)));
			figures.put("spool.target.eventsPerSecond", 5_000);
			figures.put("spool.rawGroupCommitEventsPerSecond", Math.round(Stats.median(raw)));
			figures.put("spool.ratioToRawGroupCommit", Stats.round(Stats.median(ratios), 3));
			figures.put("spool.rawGroupCommitEventsPerForce", Stats.round((double) EVENTS * ROUNDS / forces, 1));
			figures.put("spool.rawForcedEachEventsPerSecond", Math.round(Stats.median(forcedEach)));
			figures.put("spool.eventBytes", lines.get(0).length);
			Map<String, Object> rounds = new LinkedHashMap<>();
			rounds.put("eventsPerSecond", Stats.rounded(manager));
			rounds.put("rawGroupCommitEventsPerSecond", Stats.rounded(raw));
			rounds.put("rawForcedEachEventsPerSecond", Stats.rounded(forcedEach));
			figures.put("spool.rounds", rounds);
			return figures;
		}
		finally {
			FileSystemUtils.deleteRecursively(root);
		}
	}

	/** Publishes every event into a manager whose handler is down; events per second. */
	private static double throughManager(List<Event> events, Path spool) throws Exception {
		EventManager manager = EventManager.builder()
			.name("spool-bench")
			.spoolDirectory(spool)
			.retryDelay(Duration.ofHours(1))
			.maxRetryDelay(Duration.ofHours(1))
			.shutdownTimeout(Duration.ZERO)
			.discoverFactories(false)
			.build();
		manager.addHandler(new DownHandler());
		manager.start();
		long started = System.nanoTime();
		inThreads((publisher) -> {
			for (int i = publisher; i < events.size(); i += PUBLISHERS) {
				manager.publish(events.get(i));
			}
		});
		manager.close();
		long elapsed = System.nanoTime() - started;
		HandlerStats stats = manager.handlerStats().get("down");
		if (stats.spooled() + stats.queued() != events.size() || manager.lostEvents() != 0) {
			throw new IllegalStateException("The spool holds " + stats + " of " + events.size() + " events");
		}
		return events.size() / (elapsed / 1e9);
	}

	/** The same lines appended by the same threads, forced by one more; events per second. */
	private static double rawGroupCommit(List<byte[]> lines, Path directory, AtomicLong forces) throws Exception {
		Files.createDirectories(directory);
		ReentrantLock appendLock = new ReentrantLock();
		ReentrantLock forceLock = new ReentrantLock();
		Condition appended = forceLock.newCondition();
		ForceState state = new ForceState();
		try (FileChannel channel = FileChannel.open(directory.resolve("raw.log"), StandardOpenOption.CREATE,
				StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
			Thread forcer = new Thread(() -> {
				try {
					while (true) {
						boolean finished;
						forceLock.lock();
						try {
							while (!state.dirty && !state.done) {
								appended.await();
							}
							finished = state.done && !state.dirty;
							state.dirty = false;
						}
						finally {
							forceLock.unlock();
						}
						if (finished) {
							return;
						}
						channel.force(false);
						forces.incrementAndGet();
					}
				}
				catch (IOException | InterruptedException ex) {
					throw new IllegalStateException(ex);
				}
			}, "raw-forcer");
			long started = System.nanoTime();
			forcer.start();
			inThreads((publisher) -> {
				for (int i = publisher; i < lines.size(); i += PUBLISHERS) {
					appendLock.lock();
					try {
						channel.write(ByteBuffer.wrap(lines.get(i)));
					}
					finally {
						appendLock.unlock();
					}
					forceLock.lock();
					try {
						state.dirty = true;
						appended.signal();
					}
					finally {
						forceLock.unlock();
					}
				}
			});
			forceLock.lock();
			try {
				state.done = true;
				appended.signal();
			}
			finally {
				forceLock.unlock();
			}
			forcer.join(TimeUnit.SECONDS.toMillis(60));
			return lines.size() / ((System.nanoTime() - started) / 1e9);
		}
	}

	/** The lines appended and forced one by one, by one thread; events per second. */
	private static double rawForcedEach(List<byte[]> lines, Path directory) throws IOException {
		Files.createDirectories(directory);
		try (FileChannel channel = FileChannel.open(directory.resolve("each.log"), StandardOpenOption.CREATE,
				StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
			long started = System.nanoTime();
			for (byte[] line : lines) {
				channel.write(ByteBuffer.wrap(line));
				channel.force(false);
			}
			return lines.size() / ((System.nanoTime() - started) / 1e9);
		}
	}

	private static void inThreads(PublisherTask task) throws InterruptedException {
		List<Thread> threads = new ArrayList<>();
		for (int p = 0; p < PUBLISHERS; p++) {
			int publisher = p;
			Thread thread = new Thread(() -> {
				try {
					task.run(publisher);
				}
				catch (IOException ex) {
					throw new IllegalStateException(ex);
				}
			}, "publisher-" + p);
			threads.add(thread);
			thread.start();
		}
		for (Thread thread : threads) {
			thread.join();
		}
	}

	/** What the raw forcer waits for; guarded by its lock. */
	private static final class ForceState {

		boolean dirty;

		boolean done;

	}

	private interface PublisherTask {

		void run(int publisher) throws IOException;

	}

	/** A handler that is down: everything waits in its log. */
	private static final class DownHandler implements EventHandler {

		@Override
		public String getName() {
			return "down";
		}

		@Override
		public boolean sendEvent(Event event) {
			return false;
		}

	}

}
