package io.lionfuncs.event.handler;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.lionfuncs.event.Event;
import io.lionfuncs.event.EventManager;
import io.lionfuncs.testsupport.SpoolFiles;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * End-to-end tests of the {@link EventManager} with a {@link WebhookEventHandler}
 * against a real HTTP server: failures are spooled and replayed, and nothing is lost
 * across a restart. The spool is read from disk as its format says ({@link SpoolFiles}).
 */
class WebhookDeliveryTests {

	private static final Duration PATIENCE = Duration.ofSeconds(20);

	@TempDir
	Path temp;

	private final List<AutoCloseable> resources = new ArrayList<>();

	@AfterEach
	void close() throws Exception {
		for (AutoCloseable resource : this.resources) {
			resource.close();
		}
	}

	private WebhookServer server() throws IOException {
		WebhookServer server = new WebhookServer();
		this.resources.add(server);
		return server;
	}

	private EventManager started(URI url, Duration retryDelay) {
		EventManager manager = EventManager.builder()
			.spoolDirectory(this.temp.resolve("spool"))
			.retryDelay(retryDelay)
			.maxRetryDelay(retryDelay.multipliedBy(4))
			.factory(new WebhookEventHandlerFactory(WebhookEventHandler.NAME, null))
			.build();
		this.resources.add(0, manager);
		manager.addHandler(WebhookEventHandler.NAME, url + ",timeout=5s,retries=0");
		manager.start();
		return manager;
	}

	@Test
	void publishedEventsReachTheWebhook() throws IOException {
		WebhookServer server = server();
		EventManager manager = started(server.url("/hooks"), Duration.ofMillis(50));

		List<String> uids = publish(manager, 3);

		await().atMost(PATIENCE).untilAsserted(() -> assertThat(server.accepted).containsExactlyElementsOf(uids));
		assertThat(server.idempotencyKeys).containsExactlyElementsOf(uids);
		// what the handler took is deleted from its log by the spool's writer thread
		await().atMost(PATIENCE).untilAsserted(() -> assertThat(spooled()).isEmpty());
		assertThat(manager.handlerStats().get("webhook").sent()).isEqualTo(3);
	}

	@Test
	void serverErrorsAreSpooledAndReplayedWhenTheServerIsBack() throws IOException {
		WebhookServer server = server();
		server.answer(500);
		EventManager manager = started(server.url("/hooks"), Duration.ofMillis(50));

		List<String> uids = publish(manager, 4);

		await().atMost(PATIENCE).untilAsserted(() -> {
			assertThat(spooled()).hasSize(4);
			assertThat(server.requestCount()).isGreaterThanOrEqualTo(2);
			// counted once the handler has seen the answer, a moment after the server
			assertThat(manager.handlerStats().get("webhook").failed()).isGreaterThanOrEqualTo(2);
		});
		assertThat(server.accepted).isEmpty();

		server.answer(200);

		await().atMost(PATIENCE).untilAsserted(() -> assertThat(server.accepted).containsExactlyElementsOf(uids));
		await().atMost(PATIENCE).untilAsserted(() -> assertThat(spooled()).isEmpty());
		assertThat(manager.handlerStats().get("webhook").sent()).isEqualTo(4);
		assertThat(manager.handlerStats().get("webhook").spooled()).isZero();
	}

	@Test
	void nothingIsLostAcrossARestartWhileTheServerIsDown() throws IOException {
		URI downUrl;
		try (MockWebServer down = new MockWebServer()) {
			down.start();
			downUrl = down.url("/hooks").uri();
		}
		EventManager first = started(downUrl, Duration.ofHours(1));
		List<String> uids = publish(first, 5);
		await().atMost(PATIENCE)
			.untilAsserted(() -> assertThat(first.handlerStats().get("webhook").spooled()).isEqualTo(5));
		first.close();
		assertThat(spooled()).hasSize(5);
		this.resources.remove(first);

		WebhookServer server = server();
		EventManager second = started(server.url("/hooks"), Duration.ofMillis(50));

		await().atMost(PATIENCE).untilAsserted(() -> assertThat(server.accepted).containsExactlyElementsOf(uids));
		await().atMost(PATIENCE).untilAsserted(() -> assertThat(spooled()).isEmpty());
		assertThat(server.received).allSatisfy((event) -> assertThat(event.isClosed()).isTrue());
		assertThat(second.handlerStats().get("webhook").sent()).isEqualTo(5);
	}

	@Test
	void severalEventsAreInFlightAtOnceAndNoneIsLostThroughFailures() throws Exception {
		int concurrency = 8;
		CountDownLatch allInside = new CountDownLatch(concurrency);
		AtomicInteger inside = new AtomicInteger();
		AtomicInteger mostInside = new AtomicInteger();
		AtomicInteger failuresLeft = new AtomicInteger(3);
		Set<String> accepted = ConcurrentHashMap.newKeySet();
		MockWebServer server = new MockWebServer();
		this.resources.add(server);
		server.setDispatcher(new Dispatcher() {

			@Override
			public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
				mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
				try {
					// the first requests wait for each other: only concurrent posts get through
					allInside.countDown();
					allInside.await(20, TimeUnit.SECONDS);
					if (failuresLeft.getAndDecrement() > 0) {
						return new MockResponse.Builder().code(503).build();
					}
					accepted.add(request.getHeaders().get("Idempotency-Key"));
					return new MockResponse.Builder().code(200).build();
				}
				finally {
					inside.decrementAndGet();
				}
			}

		});
		server.start();
		EventManager manager = EventManager.builder()
			.spoolDirectory(this.temp.resolve("spool"))
			.retryDelay(Duration.ofMillis(50))
			.maxRetryDelay(Duration.ofMillis(200))
			.build();
		this.resources.add(0, manager);
		manager.addHandler(WebhookEventHandler.NAME,
				server.url("/hooks").uri() + ",timeout=30s,retries=0,concurrency=" + concurrency);
		manager.start();

		List<String> uids = publish(manager, 40);

		await().atMost(PATIENCE).untilAsserted(() -> assertThat(accepted).containsExactlyInAnyOrderElementsOf(uids));
		assertThat(mostInside.get()).isEqualTo(concurrency);
		assertThat(manager.handlerStats().get("webhook").sent()).isEqualTo(40);
		assertThat(manager.handlerStats().get("webhook").failed()).isEqualTo(3);
		await().atMost(PATIENCE).untilAsserted(() -> assertThat(spooled()).isEmpty());
		assertThat(manager.lostEvents()).isZero();
	}

	private static List<String> publish(EventManager manager, int count) {
		List<String> uids = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			Event event = new Event("build");
			try (event) {
				event.set("index", i);
			}
			manager.publish(event);
			uids.add(event.getUid());
		}
		return uids;
	}

	private List<String> spooled() {
		return SpoolFiles.pendingUids(this.temp.resolve("spool").resolve(WebhookEventHandler.NAME));
	}

}
