package io.lionfuncs.network;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * One virtual clock driving an executor's dispatch, timers, bucket refill and
 * timestamps, so that tests about time are exact and independent of machine load.
 */
public final class VirtualTime {

	private final VirtualTimeScheduler scheduler = VirtualTimeScheduler.create();

	private final Clock clock = new VirtualClock();

	public Executor.Builder executor(ExecutorSettings settings) {
		return Executor.builder()
			.settings(settings)
			.scheduler(this.scheduler)
			.clock(this.clock)
			.nanoClock(this::nanoTime);
	}

	public long nanoTime() {
		return this.scheduler.now(TimeUnit.NANOSECONDS);
	}

	public Instant now() {
		return this.clock.instant();
	}

	public Clock clock() {
		return this.clock;
	}

	public VirtualTimeScheduler scheduler() {
		return this.scheduler;
	}

	public void advance(Duration duration) {
		this.scheduler.advanceTimeBy(duration);
	}

	private final class VirtualClock extends Clock {

		@Override
		public ZoneId getZone() {
			return ZoneOffset.UTC;
		}

		@Override
		public Clock withZone(ZoneId zone) {
			throw new UnsupportedOperationException();
		}

		@Override
		public Instant instant() {
			return Instant.EPOCH.plusNanos(nanoTime());
		}

	}

}
