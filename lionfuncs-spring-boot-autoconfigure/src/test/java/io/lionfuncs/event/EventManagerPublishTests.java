package io.lionfuncs.event;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import io.lionfuncs.testsupport.SpoolFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link EventManager#publish(Event)}: asynchronous, per-handler, ordered
 * delivery through the spool, across failures, overflows and restarts. The spool is
 * read from disk as its format says ({@link SpoolFiles}).
 */
class EventManagerPublishTests {

	private static final Duration PATIENCE = Duration.ofSeconds(20);

	@TempDir
	Path temp;

	private final List<EventManager> managers = new ArrayList<>();

	private final List<CountDownLatch> latches = new ArrayList<>();

	@AfterEach
	void closeManagers() {
		this.latches.forEach(CountDownLatch::countDown);
		this.managers.forEach(EventManager::close);
	}

	private EventManager.Builder manager() {
		return EventManager.builder()
			.name("test")
			.spoolDirectory(this.temp.resolve("spool"))
			.retryDelay(Duration.ofMillis(10))
			.maxRetryDelay(Duration.ofMillis(100));
	}

	private EventManager started(EventManager.Builder builder, EventHandler... handlers) {
		EventManager manager = builder.build();
		this.managers.add(manager);
		for (EventHandler handler : handlers) {
			manager.addHandler(handler);
		}
		manager.start();
		return manager;
	}

	@Test
	void publishDeliversOnTheHandlersOwnThread() {
		RecordingHandler handler = new RecordingHandler("h");
		EventManager manager = started(manager(), handler);
		Event event = new Event("build");

		manager.publish(event);

		await().atMost(PATIENCE).untilAsserted(() -> assertThat(handler.taken).containsExactly(event.getUid()));
		assertThat(handler.threads).containsExactly("lionfuncs-events-test-h");
		assertThat(manager.handlerStats().get("h")).isEqualTo(new HandlerStats(1, 0, 0, 0, 0));
	}

	@Test
	void handlersReceiveAReadOnlyCopyTakenAtPublication() {
		List<Object> seen = new ArrayList<>();
		RecordingHandler handler = new RecordingHandler("h", (event) -> seen.add(event.get("step")));
		EventManager manager = started(manager(), handler);
		Event event = new Event("build").set("step", 1);

		manager.publish(event);
		event.set("step", 2);

		await().atMost(PATIENCE).untilAsserted(() -> assertThat(handler.taken).hasSize(1));
		assertThat(seen).containsExactly(1);
	}

	@Test
	void failingHandlersAreSpooledAndRetriedWithoutResendingToTheOthers() throws IOException {
		RecordingHandler throwing = RecordingHandler.throwing("throwing");
		RecordingHandler refusing = RecordingHandler.refusing("refusing");
		RecordingHandler working = new RecordingHandler("working");
		EventManager manager = started(manager().retryDelay(Duration.ofHours(1)).maxRetryDelay(Duration.ofHours(1)),
				throwing, refusing, working);
		List<String> uids = publish(manager, 3);

		await().atMost(PATIENCE).untilAsserted(() -> {
			assertThat(working.taken).containsExactlyElementsOf(uids);
			assertThat(manager.handlerStats().get("throwing").spooled()).isEqualTo(3);
			assertThat(manager.handlerStats().get("refusing").spooled()).isEqualTo(3);
		});
		// the logs are written and compacted by the spool's writer thread
		await().atMost(PATIENCE).untilAsserted(() -> {
			assertThat(spooled("throwing")).hasSize(3);
			assertThat(spooled("refusing")).hasSize(3);
			assertThat(spooled("working")).isEmpty();
		});
		assertThat(manager.handlerStats().get("working")).isEqualTo(new HandlerStats(3, 0, 0, 0, 0));
		assertThat(manager.handlerStats().get("throwing").failed()).isEqualTo(1);

		throwing.behave((event) -> true);
		refusing.behave((event) -> true);
		manager.retryNow();

		await().atMost(PATIENCE).untilAsserted(() -> {
			assertThat(throwing.taken).containsExactlyElementsOf(uids);
			assertThat(refusing.taken).containsExactlyElementsOf(uids);
		});
		assertThat(working.received).containsExactlyElementsOf(uids);
		await().atMost(PATIENCE).untilAsserted(() -> {
			assertThat(spooled("throwing")).isEmpty();
			assertThat(spooled("refusing")).isEmpty();
		});
		assertThat(manager.handlerStats().get("throwing")).isEqualTo(new HandlerStats(3, 1, 0, 0, 0));
	}

	@Test
	void orderIsKeptPerHandlerThroughFailuresAndRetries() {
		AtomicInteger attempts = new AtomicInteger();
		// the 4th, 5th and 6th attempts fail: the 4th event and two retries of it
		RecordingHandler flaky = new RecordingHandler("flaky", (event) -> {
			int attempt = attempts.incrementAndGet();
			return attempt < 4 || attempt > 6;
		});
		RecordingHandler steady = new RecordingHandler("steady");
		EventManager manager = started(manager(), flaky, steady);

		List<String> uids = publish(manager, 30);

		await().atMost(PATIENCE).untilAsserted(() -> assertThat(flaky.taken).containsExactlyElementsOf(uids));
		assertThat(steady.taken).containsExactlyElementsOf(uids);
		assertThat(manager.handlerStats().get("flaky")).isEqualTo(new HandlerStats(30, 3, 0, 0, 0));
		await().atMost(PATIENCE).untilAsserted(() -> assertThat(spooled("flaky")).isEmpty());
	}

	@Test
	void eventsOverflowingTheQueueAreSpooledAndDeliveredInOrder() throws Exception {
		CountDownLatch release = latch();
		RecordingHandler slow = new RecordingHandler("slow", (event) -> waitFor(release));
		EventManager manager = started(manager().queueCapacity(2), slow);
		List<String> uids = new ArrayList<>(publish(manager, 1));
		await().atMost(PATIENCE).untilAsserted(() -> assertThat(slow.received).hasSize(1));

		uids.addAll(publish(manager, 9));

		// counted as spooled once the spool's writer thread has written them to the log
		await().atMost(PATIENCE).untilAsserted(() -> {
			assertThat(manager.handlerStats().get("slow").queued()).isEqualTo(2);
			assertThat(manager.handlerStats().get("slow").spooled()).isEqualTo(7);
		});
		// the log holds every event not taken yet: the 7 above, the 2 in memory, the one in flight
		await().atMost(PATIENCE).untilAsserted(() -> assertThat(spooled("slow")).hasSize(10));
		release.countDown();
		await().atMost(PATIENCE).untilAsserted(() -> assertThat(slow.taken).containsExactlyElementsOf(uids));
		await().atMost(PATIENCE).untilAsserted(() -> assertThat(spooled("slow")).isEmpty());
		assertThat(slow.received).containsExactlyElementsOf(uids);
	}

	@Test
	void concurrentPublishersThroughOverflowsAndFailuresLoseNothingAndKeepEachPublishersOrder() throws Exception {
		AtomicInteger attempts = new AtomicInteger();
		RecordingHandler flaky = new RecordingHandler("flaky", (event) -> attempts.incrementAndGet() % 7 != 0);
		EventManager manager = started(manager().queueCapacity(4).retryDelay(Duration.ofMillis(1)), flaky);
		int publishers = 4;
		int perPublisher = 200;
		List<List<String>> published = new ArrayList<>();
		List<Thread> threads = new ArrayList<>();
		for (int p = 0; p < publishers; p++) {
			List<String> uids = new java.util.concurrent.CopyOnWriteArrayList<>();
			published.add(uids);
			threads.add(new Thread(() -> uids.addAll(publish(manager, perPublisher))));
		}
		threads.forEach(Thread::start);
		for (Thread thread : threads) {
			thread.join(TimeUnit.SECONDS.toMillis(60));
		}

		await().atMost(Duration.ofSeconds(60))
			.untilAsserted(() -> assertThat(flaky.taken).hasSize(publishers * perPublisher));
		assertThat(flaky.taken).doesNotHaveDuplicates();
		for (List<String> uids : published) {
			assertThat(flaky.taken.stream().filter(uids::contains).toList()).containsExactlyElementsOf(uids);
		}
		await().atMost(PATIENCE).untilAsserted(() -> assertThat(spooled("flaky")).isEmpty());
		assertThat(manager.lostEvents()).isZero();
		assertThat(manager.handlerStats().get("flaky").sent()).isEqualTo(publishers * perPublisher);
	}

	@Test
	void spooledEventsAreSentAtTheNextStartInOrder() throws IOException {
		EventManager first = started(manager().retryDelay(Duration.ofHours(1)).maxRetryDelay(Duration.ofHours(1)),
				RecordingHandler.refusing("h"));
		List<String> uids = publish(first, 5);
		await().atMost(PATIENCE).untilAsserted(() -> assertThat(first.handlerStats().get("h").spooled()).isEqualTo(5));
		first.close();
		assertThat(spooled("h")).hasSize(5);

		RecordingHandler handler = new RecordingHandler("h");
		EventManager second = started(manager(), handler);

		assertThat(second.handlerStats().get("h").spooled()).isLessThanOrEqualTo(5);
		await().atMost(PATIENCE).untilAsserted(() -> assertThat(handler.taken).containsExactlyElementsOf(uids));
		await().atMost(PATIENCE).untilAsserted(() -> assertThat(spooled("h")).isEmpty());
	}

	@Test
	void closeDeliversWhatIsQueued() {
		AtomicInteger delivered = new AtomicInteger();
		RecordingHandler handler = new RecordingHandler("h", (event) -> delivered.incrementAndGet() > 0);
		EventManager manager = started(manager(), handler);
		List<String> uids = publish(manager, 50);

		manager.close();

		assertThat(handler.taken).containsExactlyElementsOf(uids);
		assertThat(spooled("h")).isEmpty();
		assertThat(manager.isRunning()).isFalse();
	}

	@Test
	void closeSpoolsWhatAHandlerStuckPastTheTimeoutHolds() {
		CountDownLatch release = latch();
		RecordingHandler stuck = new RecordingHandler("h", (event) -> awaitUninterruptibly(release));
		EventManager first = started(manager().shutdownTimeout(Duration.ofMillis(100)), stuck);
		List<String> uids = publish(first, 4);
		await().atMost(PATIENCE).untilAsserted(() -> assertThat(stuck.received).hasSize(1));

		first.close();

		assertThat(spooled("h")).hasSize(4);
		release.countDown();
		RecordingHandler handler = new RecordingHandler("h");
		started(manager(), handler);
		await().atMost(PATIENCE).untilAsserted(() -> assertThat(handler.taken).containsExactlyElementsOf(uids));
	}

	@Test
	void interruptibleHandlerStuckPastTheTimeoutIsInterruptedAndItsEventSpooled() {
		CountDownLatch never = latch();
		RecordingHandler stuck = new RecordingHandler("h", (event) -> waitFor(never));
		EventManager first = started(manager().shutdownTimeout(Duration.ofMillis(100)), stuck);
		List<String> uids = publish(first, 3);
		await().atMost(PATIENCE).untilAsserted(() -> assertThat(stuck.received).hasSize(1));

		first.close();

		assertThat(spooled("h")).hasSize(3);
		assertThat(first.lostEvents()).isZero();
		RecordingHandler handler = new RecordingHandler("h");
		started(manager(), handler);
		await().atMost(PATIENCE).untilAsserted(() -> assertThat(handler.taken).containsExactlyElementsOf(uids));
	}

	@Test
	void eventsPublishedAfterCloseAreSpooledForTheNextStart() {
		EventManager first = started(manager(), new RecordingHandler("h"));
		first.close();
		List<String> uids = publish(first, 2);

		assertThat(spooled("h")).hasSize(2);
		RecordingHandler handler = new RecordingHandler("h");
		started(manager(), handler);
		await().atMost(PATIENCE).untilAsserted(() -> assertThat(handler.taken).containsExactlyElementsOf(uids));
	}

	@Test
	void eventsPublishedBeforeStartAreDeliveredOnceStarted() {
		RecordingHandler handler = new RecordingHandler("h");
		EventManager manager = manager().build();
		this.managers.add(manager);
		manager.addHandler(handler);
		List<String> uids = publish(manager, 3);
		assertThat(handler.received).isEmpty();

		manager.start();

		await().atMost(PATIENCE).untilAsserted(() -> assertThat(handler.taken).containsExactlyElementsOf(uids));
	}

	@Test
	void handlerAddedLaterReceivesItsSpooledBacklog() {
		EventManager first = started(manager().retryDelay(Duration.ofHours(1)).maxRetryDelay(Duration.ofHours(1)),
				RecordingHandler.refusing("late"));
		List<String> uids = publish(first, 2);
		await().atMost(PATIENCE).untilAsserted(() -> assertThat(spooled("late")).hasSize(2));
		first.close();
		EventManager second = started(manager());

		RecordingHandler late = new RecordingHandler("late");
		second.addHandler(late);

		await().atMost(PATIENCE).untilAsserted(() -> assertThat(late.taken).containsExactlyElementsOf(uids));
	}

	@Test
	void undeliverableEventGoesToDeadLetterAndDoesNotBlockTheLane() throws IOException {
		RecordingHandler picky = new RecordingHandler("picky", (event) -> {
			if (event.get("poison") != null) {
				throw new UndeliverableEventException("cannot ever take this");
			}
			return true;
		});
		EventManager manager = started(manager(), picky);
		Event poison = new Event("build").set("poison", true);
		manager.publish(poison);
		List<String> uids = publish(manager, 2);

		await().atMost(PATIENCE).untilAsserted(() -> assertThat(picky.taken).containsExactlyElementsOf(uids));
		assertThat(deadLetters("picky")).singleElement()
			.satisfies((file) -> assertThat(Event.load(file).getUid()).isEqualTo(poison.getUid()));
		assertThat(manager.handlerStats().get("picky")).isEqualTo(new HandlerStats(2, 1, 1, 0, 0));
	}

	@Test
	void unreadableSpoolFileIsMovedAsideAndTheRestDelivered() throws IOException {
		Path directory = Files.createDirectories(this.temp.resolve("spool").resolve("h"));
		Files.writeString(directory.resolve("0000000000000000001-garbled.json"), "{\"data\": ");
		Event good = new Event("build");
		Files.write(directory.resolve("0000000000000000002-" + good.getUid() + ".json"),
				EventJson.defaults().toJson(good));
		Files.writeString(directory.resolve("0000000000000000003-leftover.json.tmp"), "half");
		RecordingHandler handler = new RecordingHandler("h");

		EventManager manager = started(manager(), handler);

		await().atMost(PATIENCE).untilAsserted(() -> assertThat(handler.taken).containsExactly(good.getUid()));
		await().atMost(PATIENCE).untilAsserted(() -> assertThat(spooled("h")).isEmpty());
		assertThat(deadLetters("h")).extracting((file) -> file.getFileName().toString())
			.containsExactly("0000000000000000001-garbled.json");
		assertThat(directory.resolve("0000000000000000003-leftover.json.tmp")).doesNotExist();
		assertThat(manager.handlerStats().get("h").rejected()).isEqualTo(1);
	}

	@Test
	void spoolDirectoryIsNotSharedBetweenRunningManagers() {
		started(manager(), new RecordingHandler("h"));
		EventManager second = manager().build();

		assertThatIllegalStateException().isThrownBy(second::start)
			.withMessageContaining("is in use by another EventManager");
	}

	@Test
	void closedManagerCannotBeRestarted() {
		EventManager manager = started(manager());
		manager.close();
		assertThatIllegalStateException().isThrownBy(manager::start).withMessageContaining("closed");
	}

	@Test
	void removedHandlerKeepsItsSpooledEvents() {
		EventManager manager = started(manager().retryDelay(Duration.ofHours(1)).maxRetryDelay(Duration.ofHours(1)),
				RecordingHandler.refusing("h"));
		publish(manager, 2);
		await().atMost(PATIENCE).untilAsserted(() -> assertThat(spooled("h")).hasSize(2));

		assertThat(manager.removeHandler("h")).isTrue();

		assertThat(manager.getHandlers()).isEmpty();
		assertThat(spooled("h")).hasSize(2);
	}

	// ---------------------------------------------------------------- helpers

	private static List<String> publish(EventManager manager, int count) {
		List<String> uids = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			Event event = new Event("build").set("index", i);
			event.close();
			manager.publish(event);
			uids.add(event.getUid());
		}
		return uids;
	}

	private List<String> spooled(String handler) {
		return SpoolFiles.pendingUids(this.temp.resolve("spool").resolve(handler));
	}

	private List<Path> deadLetters(String handler) {
		return list(this.temp.resolve("spool").resolve(handler).resolve(EventSpool.DEAD_LETTER));
	}

	private static List<Path> list(Path directory) {
		if (!Files.isDirectory(directory)) {
			return List.of();
		}
		try (Stream<Path> files = Files.list(directory)) {
			return files.filter((file) -> file.getFileName().toString().endsWith(".json")).sorted().toList();
		}
		catch (IOException ex) {
			throw new java.io.UncheckedIOException(ex);
		}
	}

	private CountDownLatch latch() {
		CountDownLatch latch = new CountDownLatch(1);
		this.latches.add(latch);
		return latch;
	}

	private static boolean waitFor(CountDownLatch latch) {
		try {
			return latch.await(1, TimeUnit.MINUTES);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted", ex);
		}
	}

	private static boolean awaitUninterruptibly(CountDownLatch latch) {
		long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
		while (System.nanoTime() < deadline) {
			try {
				if (latch.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
					return true;
				}
			}
			catch (InterruptedException ex) {
				// ignore, as a badly written handler does
			}
		}
		return false;
	}

}
