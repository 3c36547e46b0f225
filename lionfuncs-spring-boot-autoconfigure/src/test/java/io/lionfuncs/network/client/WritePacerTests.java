package io.lionfuncs.network.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

import io.github.bucket4j.TimeMeter;
import io.lionfuncs.network.limit.BucketSettings;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.scheduler.VirtualTimeScheduler;
import reactor.util.context.Context;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WritePacer}: writes within the bucket go at once, the others wait
 * first come first served, and however late the pacer's timer runs, the writes it lets
 * through at any instant keep the bucket's shape.
 */
class WritePacerTests {

	private final VirtualTimeScheduler scheduler = VirtualTimeScheduler.create();

	private final List<Long> written = new CopyOnWriteArrayList<>();

	/** The bucket's time, which a late timer lets run ahead of the scheduler's. */
	private final AtomicLong nanos = new AtomicLong();

	/** 10 writes per second, bursts of 2. */
	private final WritePacer pacer = new WritePacer(new BucketSettings(2, 10, Duration.ofSeconds(1)),
			new VirtualTimeMeter(), this.scheduler);

	private void advance(Duration duration) {
		this.nanos.addAndGet(duration.toNanos());
		this.scheduler.advanceTimeBy(duration);
	}

	private Disposable write(int id) {
		return this.pacer.turn().subscribe(null, null, () -> this.written.add((long) id));
	}

	@Test
	void writesWithinTheBurstGoAtOnceAndTheOthersOnePerRefill() {
		for (int i = 0; i < 5; i++) {
			write(i);
		}
		assertThat(this.written).containsExactly(0L, 1L);
		assertThat(this.pacer.waiting()).isEqualTo(3);

		advance(Duration.ofMillis(99));
		assertThat(this.written).hasSize(2);
		advance(Duration.ofMillis(1));
		assertThat(this.written).containsExactly(0L, 1L, 2L);
		advance(Duration.ofMillis(200));
		assertThat(this.written).containsExactly(0L, 1L, 2L, 3L, 4L);
		assertThat(this.pacer.waiting()).isZero();
	}

	@Test
	void aLateReleaseLetsThroughNoMoreThanTheBucketHolds() {
		for (int i = 0; i < 8; i++) {
			write(i);
		}
		assertThat(this.written).hasSize(2);

		// The timer due in 100 ms runs a whole second late: ten tokens' worth of time
		// has passed, but the bucket holds two, so two writes go at that instant.
		this.nanos.addAndGet(Duration.ofSeconds(1).toNanos());
		this.scheduler.advanceTimeBy(Duration.ofMillis(100));
		assertThat(this.written).hasSize(4);
		advance(Duration.ofMillis(100));
		assertThat(this.written).hasSize(5);
	}

	@Test
	void aWriteArrivingWhileOthersWaitQueuesBehindThem() {
		write(0);
		write(1);
		write(2);
		advance(Duration.ofMillis(150));
		assertThat(this.written).containsExactly(0L, 1L, 2L);

		// Half a token is back: a new write waits for it rather than overtaking anyone.
		write(3);
		write(4);
		assertThat(this.written).hasSize(3);
		advance(Duration.ofMillis(50));
		assertThat(this.written).containsExactly(0L, 1L, 2L, 3L);
		advance(Duration.ofMillis(100));
		assertThat(this.written).containsExactly(0L, 1L, 2L, 3L, 4L);
	}

	@Test
	void aWriteThatStopsWaitingTakesNoToken() {
		write(0);
		write(1);
		Disposable abandoned = write(2);
		write(3);
		abandoned.dispose();
		assertThat(this.pacer.waiting()).isEqualTo(1);

		advance(Duration.ofMillis(100));
		assertThat(this.written).containsExactly(0L, 1L, 3L);
	}

	@Test
	void requestsAreMarkedPacedInTheirContextOnly() {
		assertThat(WritePacer.isPaced(WritePacer.paced(Context.empty()))).isTrue();
		assertThat(WritePacer.isPaced(Context.empty())).isFalse();
	}

	private final class VirtualTimeMeter implements TimeMeter {

		@Override
		public long currentTimeNanos() {
			return WritePacerTests.this.nanos.get();
		}

		@Override
		public boolean isWallClockBased() {
			return false;
		}

	}

}
