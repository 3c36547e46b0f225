package io.lionfuncs.reliability;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.lionfuncs.event.Event;
import io.lionfuncs.event.EventManager;
import io.lionfuncs.event.HandlerStats;

/**
 * The process {@link CrashRecoveryTests} kills: an {@link EventManager} with one webhook
 * handler and a spool directory, announcing facts on standard output so that the test
 * waits on them, not on time.
 * <ul>
 * <li>{@code publish <spool> <url> <count>}: publishes {@code count} events
 * ({@code e0}, {@code e1}...), prints {@code PUBLISHED <count>}, then
 * {@code SPOOLED <n>} whenever the handler's spooled count changes; runs until
 * killed.</li>
 * <li>{@code replay <spool> <url> <count>}: starts (which re-sends the spool), prints
 * {@code DRAINED <sent>} once the spool is empty and at least {@code count} events were
 * sent, closes and exits.</li>
 * </ul>
 */
public final class SpoolingChild {

	private SpoolingChild() {
	}

	public static void main(String[] args) throws Exception {
		String mode = args[0];
		Path spool = Path.of(args[1]);
		String url = args[2];
		int count = Integer.parseInt(args[3]);
		EventManager manager = EventManager.builder()
			.name("crash-child")
			.spoolDirectory(spool)
			.queueCapacity(50)
			.retryDelay(Duration.ofMillis(100))
			.maxRetryDelay(Duration.ofMillis(400))
			.build();
		manager.addHandler("webhook", url, "timeout=2s", "retries=0");
		manager.start();
		announce("READY");
		ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor();
		if (mode.equals("publish")) {
			long[] last = { -1 };
			reporter.scheduleAtFixedRate(() -> {
				long spooled = stats(manager).spooled();
				if (spooled != last[0]) {
					last[0] = spooled;
					announce("SPOOLED " + spooled);
				}
			}, 0, 10, TimeUnit.MILLISECONDS);
			for (int i = 0; i < count; i++) {
				manager.publish(Event.builder("crash.test").uid("e" + i).put("index", i).build());
			}
			announce("PUBLISHED " + count);
			// runs until killed
			reporter.awaitTermination(1, TimeUnit.DAYS);
		}
		else {
			CountDownLatch drained = new CountDownLatch(1);
			reporter.scheduleAtFixedRate(() -> {
				HandlerStats stats = stats(manager);
				if (stats.spooled() == 0 && stats.sent() >= count) {
					drained.countDown();
				}
			}, 0, 10, TimeUnit.MILLISECONDS);
			drained.await(60, TimeUnit.SECONDS);
			HandlerStats stats = stats(manager);
			reporter.shutdownNow();
			manager.close();
			announce("DRAINED " + stats.sent() + " " + stats.spooled());
			System.exit((stats.spooled() == 0) ? 0 : 1);
		}
	}

	private static HandlerStats stats(EventManager manager) {
		return manager.handlerStats().get("webhook");
	}

	private static synchronized void announce(String fact) {
		System.out.println(fact);
		System.out.flush();
	}

}
