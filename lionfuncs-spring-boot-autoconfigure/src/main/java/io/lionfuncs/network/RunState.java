package io.lionfuncs.network;

import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Where an executor is in its run, from start to stop: whether it accepts requests,
 * whether everything is being cancelled and why, the timer, and the stop that completes
 * once every request accepted is terminal.
 */
final class RunState {

	private final ExecutorSettings settings;

	private final String name;

	private final @Nullable Scheduler providedScheduler;

	private final DispatchLanes lanes;

	private final Counters counters;

	private final Object monitor = new Object();

	private volatile State state = State.NEW;

	/** Why everything is being cancelled, once everything is. */
	private volatile @Nullable String cancelReason;

	private volatile Scheduler.@Nullable Worker timer;

	private @Nullable Scheduler ownedScheduler;

	private @Nullable CompletableFuture<Void> stopped;

	private @Nullable Disposable shutdownTimer;

	private final AtomicInteger dispatchHolds = new AtomicInteger();

	RunState(ExecutorSettings settings, @Nullable Scheduler providedScheduler, DispatchLanes lanes,
			Counters counters) {
		this.settings = settings;
		this.name = settings.name();
		this.providedScheduler = providedScheduler;
		this.lanes = lanes;
		this.counters = counters;
	}

	boolean isRunning() {
		return this.state == State.RUNNING;
	}

	String stateName() {
		return this.state.name().toLowerCase(Locale.ROOT);
	}

	/**
	 * Why every request is being cancelled.
	 * @return the reason, or {@code null} while requests may still run
	 */
	@Nullable String cancelReason() {
		return this.cancelReason;
	}

	/**
	 * Sets why everything is cancelled; the first reason holds.
	 * @return the reason in force
	 */
	String cancelAll(String reason) {
		synchronized (this.monitor) {
			if (this.cancelReason == null) {
				this.cancelReason = reason;
			}
			return Objects.requireNonNull(this.cancelReason);
		}
	}

	/**
	 * Starts the dispatcher loops. Starting a running executor does nothing; a stopped
	 * one may be started again.
	 */
	void start(DispatchLanes.Pass pass) {
		synchronized (this.monitor) {
			if (this.state == State.RUNNING) {
				return;
			}
			if (this.state == State.STOPPING) {
				throw new IllegalStateException("Executor '" + this.name + "' is still stopping");
			}
			Scheduler scheduler = this.providedScheduler;
			if (scheduler == null) {
				scheduler = Schedulers.newParallel("lionfuncs-" + this.name, this.settings.numWorkers(), true);
				this.ownedScheduler = scheduler;
			}
			this.lanes.start(scheduler, this.settings.numWorkers(), this.settings.concurrencyLimit(), pass);
			this.timer = scheduler.createWorker();
			this.cancelReason = null;
			this.state = State.RUNNING;
		}
	}

	/**
	 * Whether dispatch is held ({@link #holdDispatch}): while running only, so that a
	 * stop drains the queue at once.
	 */
	boolean isDispatchHeld() {
		return this.dispatchHolds.get() > 0 && this.state == State.RUNNING;
	}

	/**
	 * Holds dispatch until the stage completes, however, or the time has passed; then
	 * signals the dispatchers.
	 */
	void holdDispatch(CompletionStage<?> ready, long maxNanos) {
		this.dispatchHolds.incrementAndGet();
		CompletableFuture<Void> ended = new CompletableFuture<>();
		ready.whenComplete((result, ex) -> ended.complete(null));
		ended.completeOnTimeout(null, maxNanos, TimeUnit.NANOSECONDS).thenRun(() -> {
			this.dispatchHolds.decrementAndGet();
			this.lanes.signal();
		});
	}

	/**
	 * Runs a task on the executor's timer after a delay.
	 * @throws IllegalStateException if the executor was never started
	 */
	Disposable schedule(Runnable task, long delayNanos) {
		Scheduler.Worker worker = this.timer;
		if (worker == null) {
			throw new IllegalStateException("Executor '" + this.name + "' was never started");
		}
		return worker.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
	}

	/**
	 * Stops accepting requests.
	 * @param onShutdownTimeout what a graceful stop does once the shutdown timeout
	 * elapsed, or {@code null} for an immediate stop
	 * @return the stop, completing once every request is terminal; done at once when the
	 * executor was not running
	 */
	CompletableFuture<Void> beginStop(@Nullable Runnable onShutdownTimeout) {
		CompletableFuture<Void> stop = stopping(onShutdownTimeout);
		if (onShutdownTimeout != null && !stop.isDone() && this.dispatchHolds.get() > 0) {
			// A graceful stop ends the holds: what is queued is drained now.
			this.lanes.signal();
		}
		return stop;
	}

	private CompletableFuture<Void> stopping(@Nullable Runnable onShutdownTimeout) {
		synchronized (this.monitor) {
			if (this.state == State.NEW || this.state == State.STOPPED) {
				return CompletableFuture.completedFuture(null);
			}
			if (this.state == State.RUNNING) {
				this.state = State.STOPPING;
				this.stopped = new CompletableFuture<>();
				if (onShutdownTimeout != null) {
					this.shutdownTimer = schedule(onShutdownTimeout, this.settings.shutdownTimeout().toNanos());
				}
			}
			return Objects.requireNonNull(this.stopped);
		}
	}

	/**
	 * Called once a request is terminal: completes a stop once every request is.
	 */
	void afterTerminal() {
		if (this.state == State.STOPPING) {
			checkStopped();
		}
	}

	void checkStopped() {
		if (this.state != State.STOPPING || !this.counters.allFinished()) {
			return;
		}
		CompletableFuture<Void> done;
		Scheduler toDispose = null;
		synchronized (this.monitor) {
			if (this.state != State.STOPPING || !this.counters.allFinished()) {
				return;
			}
			this.state = State.STOPPED;
			if (this.shutdownTimer != null) {
				this.shutdownTimer.dispose();
				this.shutdownTimer = null;
			}
			if (this.ownedScheduler != null) {
				toDispose = this.ownedScheduler;
				this.ownedScheduler = null;
			}
			else {
				this.lanes.dispose();
				Scheduler.Worker timerWorker = this.timer;
				if (timerWorker != null) {
					timerWorker.dispose();
				}
			}
			done = this.stopped;
		}
		if (done != null) {
			done.complete(null);
		}
		if (toDispose != null) {
			disposeOwned(toDispose);
		}
	}

	/**
	 * Shuts the executor's own scheduler down at once: every task is terminal, so nothing
	 * it would run is needed. Its threads are interrupted, this one too when it is one of
	 * them, so that flag is cleared again: the thread is on its way out. (A graceful
	 * dispose would leave behind a non-daemon thread that keeps the JVM alive for
	 * seconds.)
	 */
	private static void disposeOwned(Scheduler scheduler) {
		boolean wasInterrupted = Thread.currentThread().isInterrupted();
		scheduler.dispose();
		if (!wasInterrupted) {
			Thread.interrupted();
		}
	}

	private enum State {

		NEW, RUNNING, STOPPING, STOPPED

	}

}
