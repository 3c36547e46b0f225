package io.lionfuncs.benchmarks.report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.lionfuncs.event.Event;
import io.lionfuncs.event.EventJson;
import io.lionfuncs.event.EventManager;
import io.lionfuncs.event.HandlerStats;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import org.springframework.http.MediaType;
import org.springframework.util.FileSystemUtils;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Webhook delivery: {@value #EVENTS} {@code lionfuncs.request}-shaped events published to
 * an {@link EventManager} whose webhook handler posts them to a receiver on loopback (a
 * Reactor Netty server answering 200 to every post), against a raw {@link WebClient}
 * posting the same JSON bodies at the same concurrency in the same run: the handler's
 * default (one post at a time) and the starter's ({@value #CONCURRENCY} at once).
 * <p>
 * The manager's time runs from the first publish until the handler has taken every
 * event (its {@code sent} count); the raw loop's from its first post to its last answer.
 * Rounds alternate after a warm-up; figures are medians.
 */
final class WebhookScenario implements Scenario {

	static final int EVENTS = 5_000;

	static final int CONCURRENCY = 8;

	private static final int WARMUP_ROUNDS = 3;

	private static final int ROUNDS = 5;

	@Override
	public String name() {
		return "webhook";
	}

	@Override
	public Map<String, Object> run() throws Exception {
		List<Event> events = new ArrayList<>(EVENTS);
		List<byte[]> bodies = new ArrayList<>(EVENTS);
		for (int i = 0; i < EVENTS; i++) {
			Event event = RequestEvents.terminal(i);
			events.add(event);
			bodies.add(EventJson.defaults().toJson(event));
		}
		Path root = Files.createTempDirectory("lionfuncs-webhook-bench");
		try (Receiver receiver = Receiver.start()) {
			String url = receiver.url();
			WebClient raw = WebClient.create();
			for (int i = 0; i < WARMUP_ROUNDS; i++) {
				throughManager(events, url, CONCURRENCY, root.resolve("warmup-" + i));
				rawPosts(raw, bodies, url, CONCURRENCY);
			}
			double[][] manager = new double[2][ROUNDS];
			double[][] rawLoop = new double[2][ROUNDS];
			int[] concurrencies = { CONCURRENCY, 1 };
			for (int i = 0; i < ROUNDS; i++) {
				for (int c = 0; c < concurrencies.length; c++) {
					Path spool = root.resolve("round-" + i + "-" + c);
					if (i % 2 == 0) {
						manager[c][i] = throughManager(events, url, concurrencies[c], spool);
						rawLoop[c][i] = rawPosts(raw, bodies, url, concurrencies[c]);
					}
					else {
						rawLoop[c][i] = rawPosts(raw, bodies, url, concurrencies[c]);
						manager[c][i] = throughManager(events, url, concurrencies[c], spool);
					}
				}
			}
			Map<String, Object> figures = new LinkedHashMap<>();
			figures.put("webhook.concurrency", CONCURRENCY);
			figures.put("webhook.eventsPerSecond", Math.round(Stats.median(manager[0])));
			figures.put("webhook.target.eventsPerSecond", 500);
			figures.put("webhook.rawPostsPerSecond", Math.round(Stats.median(rawLoop[0])));
			figures.put("webhook.ratioToRaw", ratio(manager[0], rawLoop[0]));
			figures.put("webhook.oneAtATime.eventsPerSecond", Math.round(Stats.median(manager[1])));
			figures.put("webhook.oneAtATime.rawPostsPerSecond", Math.round(Stats.median(rawLoop[1])));
			figures.put("webhook.oneAtATime.ratioToRaw", ratio(manager[1], rawLoop[1]));
			figures.put("webhook.receivedPosts", receiver.received());
			Map<String, Object> rounds = new LinkedHashMap<>();
			rounds.put("eventsPerSecond", Stats.rounded(manager[0]));
			rounds.put("rawPostsPerSecond", Stats.rounded(rawLoop[0]));
			rounds.put("oneAtATimeEventsPerSecond", Stats.rounded(manager[1]));
			rounds.put("oneAtATimeRawPostsPerSecond", Stats.rounded(rawLoop[1]));
			figures.put("webhook.rounds", rounds);
			return figures;
		}
		finally {
			FileSystemUtils.deleteRecursively(root);
		}
	}

	private static double ratio(double[] side, double[] baseline) {
		double[] ratios = new double[side.length];
		for (int i = 0; i < side.length; i++) {
			ratios[i] = side[i] / baseline[i];
		}
		return Stats.round(Stats.median(ratios), 3);
	}

	/** Publishes every event and waits until the webhook took them all; events per second. */
	private static double throughManager(List<Event> events, String url, int concurrency, Path spool)
			throws InterruptedException {
		EventManager manager = EventManager.builder()
			.name("webhook-bench")
			.spoolDirectory(spool)
			.queueCapacity(events.size())
			.build();
		manager.addHandler("webhook", url, "timeout=10s", "retries=0", "concurrency=" + concurrency);
		manager.start();
		try {
			long started = System.nanoTime();
			events.forEach(manager::publish);
			long deadline = started + TimeUnit.SECONDS.toNanos(120);
			HandlerStats stats = manager.handlerStats().get("webhook");
			while (stats.sent() < events.size()) {
				if (System.nanoTime() > deadline || stats.failed() > 0) {
					throw new IllegalStateException("The webhook handler did not take every event: " + stats);
				}
				Thread.sleep(1);
				stats = manager.handlerStats().get("webhook");
			}
			return events.size() / ((System.nanoTime() - started) / 1e9);
		}
		finally {
			manager.close();
		}
	}

	/** The same bodies posted by a raw WebClient at a concurrency; posts per second. */
	private static double rawPosts(WebClient client, List<byte[]> bodies, String url, int concurrency) {
		long started = System.nanoTime();
		Long posted = Flux.fromIterable(bodies)
			.flatMap((body) -> client.post()
				.uri(url)
				.contentType(MediaType.APPLICATION_JSON)
				.header("Idempotency-Key", "raw")
				.bodyValue(body)
				.retrieve()
				.toBodilessEntity(), concurrency)
			.count()
			.block(Duration.ofSeconds(120));
		if (posted == null || posted != bodies.size()) {
			throw new IllegalStateException("The raw loop posted " + posted + " of " + bodies.size());
		}
		return bodies.size() / ((System.nanoTime() - started) / 1e9);
	}

	/**
	 * The receiver: answers 200 to every post once it read the body, from a scheduler of
	 * its own (see {@link LocalUpstream} on why not from the event loop).
	 */
	private static final class Receiver implements AutoCloseable {

		private final Scheduler responder;

		private final DisposableServer server;

		private final AtomicLong received;

		private Receiver(Scheduler responder, DisposableServer server, AtomicLong received) {
			this.responder = responder;
			this.server = server;
			this.received = received;
		}

		static Receiver start() {
			Scheduler responder = Schedulers.newParallel("receiver", 2, true);
			AtomicLong received = new AtomicLong();
			DisposableServer server = HttpServer.create()
				.host("127.0.0.1")
				.port(0)
				.route((routes) -> routes.post("/hook", (request, response) -> request.receive()
					.aggregate()
					.then(Mono.fromRunnable(received::incrementAndGet).subscribeOn(responder))
					.then(response.status(200).header("Content-Length", "0").send())))
				.bindNow(Duration.ofSeconds(10));
			return new Receiver(responder, server, received);
		}

		String url() {
			return "http://127.0.0.1:" + this.server.port() + "/hook";
		}

		long received() {
			return this.received.get();
		}

		@Override
		public void close() {
			this.server.disposeNow(Duration.ofSeconds(10));
			this.responder.dispose();
		}

	}

}
