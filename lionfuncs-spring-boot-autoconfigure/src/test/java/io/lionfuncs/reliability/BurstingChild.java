package io.lionfuncs.reliability;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.lionfuncs.event.EventManager;
import io.lionfuncs.event.HandlerStats;
import io.lionfuncs.event.request.RequestEventPublisher;
import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.TaskRequest;

/**
 * The process {@link KilledBurstTests} kills: an {@link Executor} running a burst of
 * calls whose terminal changes go, through the {@link RequestEventPublisher}, to an
 * {@link EventManager} with a webhook handler, as the starter wires them. It announces
 * facts on standard output, so that the test waits on them, not on time.
 * <ul>
 * <li>{@code burst <spool> <url> <count> <rate>}: prints {@code SPOOL <directory>} and
 * {@code READY}, submits {@code count} calls at {@code rate} per second, and prints
 * {@code TERMINAL <event uid>} once a call is terminal and its event published; runs
 * until killed.</li>
 * <li>{@code drain <spool> <url>}: starts on the same spool (which re-sends what is left
 * there), prints {@code SPOOL <directory>}, waits until the handler has nothing left,
 * closes and prints {@code DRAINED <sent>}.</li>
 * </ul>
 */
public final class BurstingChild {

	private BurstingChild() {
	}

	public static void main(String[] args) throws Exception {
		String mode = args[0];
		Path spool = Path.of(args[1]);
		String url = args[2];
		EventManager manager = EventManager.builder()
			.name("burst-child")
			.spoolDirectoryOrFreeSibling(spool)
			.retryDelay(Duration.ofMillis(100))
			.maxRetryDelay(Duration.ofMillis(500))
			.shutdownTimeout(Duration.ofSeconds(30))
			.build();
		manager.addHandler("webhook", url, "timeout=2s", "retries=0", "concurrency=8");
		manager.start();
		announce("SPOOL " + manager.getSpoolDirectory());
		if (mode.equals("burst")) {
			burst(manager, Integer.parseInt(args[3]), Integer.parseInt(args[4]));
		}
		else {
			drain(manager);
		}
	}

	private static void burst(EventManager manager, int count, int rate) throws InterruptedException {
		Executor executor = new Executor(ExecutorSettings.builder()
			.name("burst")
			.queueCapacity(count)
			.concurrencyLimit(16)
			.requestsRate(rate)
			.numWorkers(2)
			.build());
		RequestEventPublisher publisher = new RequestEventPublisher(manager);
		executor.addListener((request, previous, current) -> {
			publisher.onStatusChange(request, previous, current);
			if (current.isTerminal()) {
				// announced after publish() returned
				announce("TERMINAL " + request.getRequestId() + "-" + current.name().toLowerCase(Locale.ROOT));
			}
		});
		executor.start();
		announce("READY");
		for (int i = 0; i < count; i++) {
			executor.submitTask(TaskRequest.ofStage(() -> CompletableFuture.supplyAsync(
					() -> new CallResult(200, Map.of(), null),
					CompletableFuture.delayedExecutor(5, TimeUnit.MILLISECONDS))).build());
		}
		// runs until killed
		new CountDownLatch(1).await();
	}

	private static void drain(EventManager manager) throws InterruptedException {
		CountDownLatch drained = new CountDownLatch(1);
		ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
		watcher.scheduleAtFixedRate(() -> {
			HandlerStats stats = manager.handlerStats().get("webhook");
			if (stats.queued() == 0 && stats.spooled() == 0) {
				drained.countDown();
			}
		}, 0, 10, TimeUnit.MILLISECONDS);
		drained.await(120, TimeUnit.SECONDS);
		watcher.shutdownNow();
		// close() waits for the posts still in flight
		manager.close();
		HandlerStats stats = manager.handlerStats().get("webhook");
		announce("DRAINED " + stats.sent() + " " + stats.spooled());
		System.exit((stats.spooled() == 0) ? 0 : 1);
	}

	private static synchronized void announce(String fact) {
		System.out.println(fact);
		System.out.flush();
	}

}
