package io.lionfuncs.network;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import io.lionfuncs.network.budget.ExecutorPause;
import io.lionfuncs.network.budget.ExecutorPauseListener;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether an executor is paused and until when: no call leaves before the end of the
 * pause, which only ever moves later. Timed by the executor's monotonic clock; the wall
 * clock only stamps the {@link ExecutorPause} that its listeners are told of.
 */
final class PauseState {

	private static final Logger logger = LoggerFactory.getLogger(PauseState.class);

	private static final ExecutorPauseListener[] NO_LISTENERS = {};

	private static final long NOT_PAUSED = Long.MIN_VALUE;

	private static final AtomicLongFieldUpdater<PauseState> PAUSE_END = AtomicLongFieldUpdater
		.newUpdater(PauseState.class, "pauseEndNanos");

	private final String executorName;

	private final Clock clock;

	private final LongSupplier nanoClock;

	private final ListenerList<ExecutorPauseListener> listeners;

	private final Object monitor = new Object();

	private final LongAdder pauses = new LongAdder();

	private volatile long pauseEndNanos = NOT_PAUSED;

	private volatile @Nullable ExecutorPause lastPause;

	PauseState(String executorName, Clock clock, LongSupplier nanoClock, List<ExecutorPauseListener> listeners) {
		this.executorName = executorName;
		this.clock = clock;
		this.nanoClock = nanoClock;
		this.listeners = new ListenerList<>(NO_LISTENERS, listeners);
	}

	/**
	 * Pauses for the given time, or extends the current pause to its end; a pause ending
	 * sooner than the current one changes nothing.
	 * @return the pause, or {@code null} when it changed nothing
	 */
	@Nullable ExecutorPause pause(Duration duration, String reason, @Nullable Integer statusCode) {
		Objects.requireNonNull(reason, "reason must not be null");
		if (duration.isNegative() || duration.isZero()) {
			return null;
		}
		ExecutorPause pause;
		synchronized (this.monitor) {
			long end = this.nanoClock.getAsLong() + duration.toNanos();
			long current = this.pauseEndNanos;
			if (current != NOT_PAUSED && end - current <= 0) {
				return null;
			}
			Instant now = this.clock.instant();
			pause = new ExecutorPause(this.executorName, now, now.plus(duration), reason, statusCode);
			this.lastPause = pause;
			this.pauseEndNanos = end;
			this.pauses.increment();
		}
		logger.info("Executor '{}' paused for {} until {}: {}", this.executorName, duration, pause.pausedUntil(),
				reason);
		for (ExecutorPauseListener listener : this.listeners.current()) {
			try {
				listener.onPause(pause);
			}
			catch (RuntimeException ex) {
				logger.warn("Pause listener {} of executor '{}' failed", listener, this.executorName, ex);
			}
		}
		return pause;
	}

	/**
	 * How long dispatch stays paused.
	 * @return nanoseconds until the pause ends, zero when not paused
	 */
	long remainingNanos() {
		long end = this.pauseEndNanos;
		if (end == NOT_PAUSED) {
			return 0;
		}
		long remaining = end - this.nanoClock.getAsLong();
		if (remaining > 0) {
			return remaining;
		}
		// Over: later calls skip the clock, unless a new pause came meanwhile.
		PAUSE_END.compareAndSet(this, end, NOT_PAUSED);
		return 0;
	}

	/**
	 * The current pause.
	 * @return the pause, or {@code null} when not paused
	 */
	@Nullable ExecutorPause current() {
		ExecutorPause pause = this.lastPause;
		return (pause != null && remainingNanos() > 0) ? pause : null;
	}

	long count() {
		return this.pauses.sum();
	}

	void addListener(ExecutorPauseListener listener) {
		this.listeners.add(listener);
	}

	boolean removeListener(ExecutorPauseListener listener) {
		return this.listeners.remove(listener);
	}

}
