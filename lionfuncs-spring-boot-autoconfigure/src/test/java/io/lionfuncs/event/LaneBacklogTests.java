package io.lionfuncs.event;

import io.lionfuncs.event.LaneBacklog.Delivery;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LaneBacklog}: events go out in sequence order, from memory while it
 * holds the next one and from the log otherwise; a failed one is tried again first.
 */
class LaneBacklogTests {

	private final LaneBacklog backlog = new LaneBacklog(2);

	@Test
	void keepsUpToItsCapacityInMemoryAndTheRestComesFromTheLog() {
		accept(4);

		assertThat(this.backlog.queued()).as("nothing written yet: all in memory or on the way").isEqualTo(4);
		this.backlog.appended(4);
		assertThat(this.backlog.queued()).isEqualTo(2);
		assertThat(this.backlog.spooled()).isEqualTo(2);
		assertThat(this.backlog.takeFromMemory().seq()).isZero();
		assertThat(this.backlog.takeFromMemory().seq()).isEqualTo(1);
		assertThat(this.backlog.takeFromMemory()).isNull();
		assertThat(this.backlog.mustReadLog()).isTrue();
		Delivery fromLog = this.backlog.fromLog(2, 4, 2, event(2));
		assertThat(fromLog.seq()).isEqualTo(2);
		assertThat(this.backlog.watermark()).as("nothing taken yet").isZero();
		this.backlog.taken(0);
		this.backlog.taken(1);
		assertThat(this.backlog.watermark()).isEqualTo(2);
	}

	@Test
	void eventsNotYetInTheLogAreWaitedFor() {
		accept(3);
		this.backlog.takeFromMemory();
		this.backlog.takeFromMemory();

		assertThat(this.backlog.mustReadLog()).as("seq 2 is still being written").isFalse();
		this.backlog.appended(3);
		assertThat(this.backlog.mustReadLog()).isTrue();
	}

	@Test
	void failedEventIsTriedAgainFirstAndNewerOnesWaitInTheLog() {
		accept(2);
		this.backlog.appended(2);
		Delivery first = this.backlog.takeFromMemory();

		this.backlog.failed(first.seq(), first.event());

		assertThat(this.backlog.hasRetries()).isTrue();
		assertThat(this.backlog.queued()).isZero();
		assertThat(this.backlog.spooled()).as("the failed one and the one behind it").isEqualTo(2);
		accept(1);
		assertThat(this.backlog.takeFromMemory()).as("nothing is kept in memory while one waits").isNull();
		this.backlog.appended(3);
		Delivery retry = this.backlog.takeRetry();
		assertThat(retry.seq()).isZero();
		assertThat(retry.retry()).isTrue();
		this.backlog.taken(retry.seq());
		assertThat(this.backlog.watermark()).isEqualTo(1);
		assertThat(this.backlog.fromLog(1, 3, 1, event(1)).seq()).isEqualTo(1);
	}

	@Test
	void eventsInNeitherMemoryNorTheLogAreCountedLost() {
		accept(3);
		this.backlog.appended(3);
		this.backlog.takeFromMemory();
		this.backlog.failed(0, event(0));
		this.backlog.takeRetry();
		this.backlog.taken(0);

		Delivery found = this.backlog.fromLog(1, 3, 2, event(2));

		assertThat(found.seq()).isEqualTo(2);
		assertThat(this.backlog.lost()).as("seq 1 could not be written").isEqualTo(1);
		assertThat(this.backlog.fromLog(3, 3, -1, null)).isNull();
		this.backlog.taken(2);
		assertThat(this.backlog.isCaughtUp()).isTrue();
	}

	@Test
	void unreadableRecordIsSkippedWithoutBeingCountedLost() {
		accept(2);
		this.backlog.appended(2);
		this.backlog.takeFromMemory();
		this.backlog.failed(0, event(0));
		this.backlog.takeRetry();
		this.backlog.taken(0);

		assertThat(this.backlog.fromLog(1, 2, 1, null)).isNull();

		assertThat(this.backlog.cursor()).isEqualTo(2);
		assertThat(this.backlog.lost()).isZero();
	}

	@Test
	void startsFromTheLogsCheckpoint() {
		this.backlog.recovered(5, 9);

		assertThat(this.backlog.spooled()).isEqualTo(4);
		assertThat(this.backlog.watermark()).isEqualTo(5);
		assertThat(this.backlog.mustReadLog()).isTrue();
		assertThat(this.backlog.accept(event(9))).isEqualTo(9);
	}

	private void accept(int count) {
		for (int i = 0; i < count; i++) {
			this.backlog.accept(event(i));
		}
	}

	private static Event event(long seq) {
		Event event = new Event("build", "u" + seq);
		event.close();
		return event;
	}

}
