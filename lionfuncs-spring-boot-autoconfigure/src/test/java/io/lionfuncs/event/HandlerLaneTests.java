package io.lionfuncs.event;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * White-box tests for {@link HandlerLane}: races between publishers that overflow to
 * the spool and the lane's own deliveries.
 */
class HandlerLaneTests {

	@TempDir
	Path temp;

	private final CountDownLatch handlerGate = new CountDownLatch(1);

	private final CountDownLatch writeGate = new CountDownLatch(1);

	private final CountDownLatch writeStarted = new CountDownLatch(1);

	private HandlerLane lane;

	@AfterEach
	void release() throws InterruptedException {
		this.handlerGate.countDown();
		this.writeGate.countDown();
		if (this.lane != null) {
			this.lane.beginClose(System.nanoTime());
			this.lane.awaitClosed();
		}
	}

	@Test
	void newerEventWaitsForAnOlderOneStillBeingSpooledByItsPublisher() throws Exception {
		EventSpool spool = new EventSpool(this.temp, EventJson.defaults()) {

			@Override
			Path write(String handler, long seq, Event event) {
				if (Thread.currentThread().getName().equals("overflowing-publisher")) {
					HandlerLaneTests.this.writeStarted.countDown();
					awaitQuietly(HandlerLaneTests.this.writeGate);
				}
				return super.write(handler, seq, event);
			}

		};
		RecordingHandler handler = new RecordingHandler("h", (event) -> awaitQuietly(this.handlerGate));
		this.lane = new HandlerLane("h", handler, spool, 1, Duration.ofMillis(1), Duration.ofMillis(10));
		this.lane.start("lane-");
		Event e0 = closed("e0");
		Event e1 = closed("e1");
		Event e2 = closed("e2");
		Event e3 = closed("e3");
		this.lane.offer(e0);
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(handler.received).hasSize(1));
		this.lane.offer(e1);
		Thread publisher = new Thread(() -> this.lane.offer(e2), "overflowing-publisher");
		publisher.start();
		assertThat(this.writeStarted.await(20, TimeUnit.SECONDS)).isTrue();

		this.handlerGate.countDown();
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(handler.taken).hasSize(2));
		this.lane.offer(e3);
		this.writeGate.countDown();
		publisher.join(TimeUnit.SECONDS.toMillis(20));

		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(handler.taken).hasSize(4));
		assertThat(handler.taken).containsExactly(e0.getUid(), e1.getUid(), e2.getUid(), e3.getUid());
	}

	private static Event closed(String uid) {
		Event event = new Event("build", uid);
		event.close();
		return event;
	}

	private static boolean awaitQuietly(CountDownLatch latch) {
		try {
			return latch.await(1, TimeUnit.MINUTES);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			return false;
		}
	}

}
