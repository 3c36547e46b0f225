package io.lionfuncs.event;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * White-box tests for {@link HandlerLane}: races between a publisher still writing an
 * older event to the log and the lane, which holds a newer one in memory.
 */
class HandlerLaneTests {

	@TempDir
	Path temp;

	private final CountDownLatch handlerGate = new CountDownLatch(1);

	private final CountDownLatch writeGate = new CountDownLatch(1);

	private final CountDownLatch writeStarted = new CountDownLatch(1);

	private EventSpool spool;

	private HandlerLane lane;

	@AfterEach
	void release() throws InterruptedException {
		this.handlerGate.countDown();
		this.writeGate.countDown();
		if (this.lane != null) {
			this.lane.beginClose(System.nanoTime());
			this.lane.awaitClosed();
		}
		if (this.spool != null) {
			this.spool.close();
		}
	}

	@Test
	void newerEventWaitsForAnOlderOneStillBeingWrittenToTheLog() throws Exception {
		SpoolWriter writer = new SpoolWriter("spool-writer", (event) -> {
			if (Thread.currentThread().getName().equals("slow-publisher")) {
				this.writeStarted.countDown();
				awaitQuietly(this.writeGate);
			}
			return EventJson.defaults().toJson(event);
		});
		this.spool = new EventSpool(this.temp, false, EventJson.defaults(), EventSpool.DEFAULT_SEGMENT_BYTES, writer);
		this.spool.open();
		RecordingHandler handler = new RecordingHandler("h", (event) -> awaitQuietly(this.handlerGate));
		this.lane = new HandlerLane("h", handler, this.spool, 1, Duration.ofMillis(1), Duration.ofMillis(10));
		this.lane.activate();
		writer.attach(this.lane);
		this.lane.start("lane-");
		Event e0 = closed("e0");
		Event e1 = closed("e1");
		Event e2 = closed("e2");
		Event e3 = closed("e3");
		publish(e0);
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(handler.received).hasSize(1));
		publish(e1);
		// the lane holds e1 in memory (its capacity), so e2 is only on its way to the log
		Thread publisher = new Thread(() -> publish(e2), "slow-publisher");
		publisher.start();
		assertThat(this.writeStarted.await(20, TimeUnit.SECONDS)).isTrue();

		this.handlerGate.countDown();
		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(handler.taken).hasSize(2));
		// memory is free again: e3 is held there while e2 is still not in the log
		publish(e3);
		this.writeGate.countDown();
		publisher.join(TimeUnit.SECONDS.toMillis(20));

		await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(handler.taken).hasSize(4));
		assertThat(handler.taken).containsExactly(e0.getUid(), e1.getUid(), e2.getUid(), e3.getUid());
	}

	private void publish(Event event) {
		this.spool.publish(event, List.of(this.lane));
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
