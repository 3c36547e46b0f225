package io.lionfuncs.network;

import java.time.Clock;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * Where request timestamps come from, as nanoseconds since the epoch: kept as a
 * {@code long} on the hot path, and made an {@link Instant} only when asked for.
 * <p>
 * The system clock is read through {@link #system()}: the wall clock once a second and
 * the monotonic clock in between, which is cheaper than building an {@code Instant}
 * per reading and never steps backwards between two calibrations (a recalibration may,
 * by the clocks' drift over a second; an event's own stamps never do). Any other
 * {@link Clock} (a test's virtual clock, say) is read as it is. Instants outside the
 * years 1677 to 2262 do not fit and are clamped to that range.
 */
abstract class WallClock {

	/** Marks a timestamp that is not set. */
	static final long NONE = Long.MIN_VALUE;

	private static final WallClock SYSTEM = new CalibratedSystemClock();

	/**
	 * The current time.
	 * @return nanoseconds since the epoch
	 */
	abstract long epochNanos();

	/**
	 * The clock reading the given {@code Clock}.
	 * @param clock the clock
	 * @return the cheap system clock for a system clock, else one reading {@code clock}
	 */
	static WallClock of(Clock clock) {
		return (clock.getClass() == Clock.systemUTC().getClass()) ? SYSTEM : new ClockReader(clock);
	}

	static WallClock system() {
		return SYSTEM;
	}

	static long toEpochNanos(Instant instant) {
		long seconds = instant.getEpochSecond();
		if (seconds >= Long.MAX_VALUE / 1_000_000_000L) {
			return Long.MAX_VALUE;
		}
		if (seconds <= Long.MIN_VALUE / 1_000_000_000L) {
			return NONE + 1;
		}
		return seconds * 1_000_000_000L + instant.getNano();
	}

	static @Nullable Instant toInstant(long epochNanos) {
		return (epochNanos != NONE) ? Instant.ofEpochSecond(0, epochNanos) : null;
	}

	/**
	 * Reads a {@link Clock}.
	 */
	private static final class ClockReader extends WallClock {

		private final Clock clock;

		ClockReader(Clock clock) {
			this.clock = clock;
		}

		@Override
		long epochNanos() {
			return toEpochNanos(this.clock.instant());
		}

	}

	/**
	 * The system clock, calibrated against the monotonic clock once a second.
	 */
	private static final class CalibratedSystemClock extends WallClock {

		private static final long CALIBRATION_PERIOD_NANOS = 1_000_000_000L;

		private volatile Calibration calibration = Calibration.now();

		@Override
		long epochNanos() {
			Calibration current = this.calibration;
			long elapsed = System.nanoTime() - current.nanoTime();
			if (elapsed >= 0 && elapsed < CALIBRATION_PERIOD_NANOS) {
				return current.epochNanos() + elapsed;
			}
			// Racing threads may calibrate at once; any of their readings will do.
			current = Calibration.now();
			this.calibration = current;
			return current.epochNanos();
		}

		private record Calibration(long epochNanos, long nanoTime) {

			static Calibration now() {
				return new Calibration(toEpochNanos(Instant.now()), System.nanoTime());
			}

		}

	}

}
