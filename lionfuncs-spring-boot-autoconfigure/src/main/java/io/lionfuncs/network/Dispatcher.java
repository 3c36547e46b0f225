package io.lionfuncs.network;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import io.lionfuncs.network.limit.ConcurrencyLimiter;
import org.jspecify.annotations.Nullable;

/**
 * One dispatcher loop's pass: while a slot is free and a task is queued, take tasks,
 * reserve their tokens, and start each when its tokens exist (and the budget gate lets
 * it leave) by handing it to the {@link CallRunner}.
 */
final class Dispatcher implements DispatchLanes.Pass {

	/** Queued tasks per extra task that a dispatcher takes at once. */
	private static final int BACKLOG_PER_BATCHED_TASK = 32;

	private final String name;

	private final TaskQueue queue;

	private final ConcurrencyLimiter limiter;

	private final InFlightTasks inFlight;

	private final Reservations reservations;

	private final BudgetGate budget;

	private final CallRunner runner;

	private final Completion completion;

	private final WaitingRoom waiting;

	private final Counters counters;

	private final RunState runState;

	private final Shutdown shutdown;

	private final WallClock clock;

	Dispatcher(String name, TaskQueue queue, ConcurrencyLimiter limiter, InFlightTasks inFlight,
			Reservations reservations, BudgetGate budget, CallRunner runner, Completion completion,
			WaitingRoom waiting, Counters counters, RunState runState, Shutdown shutdown, WallClock clock) {
		this.name = name;
		this.queue = queue;
		this.limiter = limiter;
		this.inFlight = inFlight;
		this.reservations = reservations;
		this.budget = budget;
		this.runner = runner;
		this.completion = completion;
		this.waiting = waiting;
		this.counters = counters;
		this.runState = runState;
		this.shutdown = shutdown;
		this.clock = clock;
	}

	@Override
	public void run(DispatchLanes.Lane lane) {
		ExecutorTask[] batch = lane.batch;
		for (;;) {
			if (this.runState.cancelReason() != null) {
				this.shutdown.cancelEverything();
				return;
			}
			int size = take(lane);
			if (size == 0) {
				return;
			}
			this.waiting.admit();
			if (!this.queue.isEmpty() && this.limiter.available() > 0) {
				lane.wakeNextIfIdle();
			}
			long now = this.clock.epochNanos();
			// Tasks that must wait for their tokens are PROCESSING while the others start;
			// a task whose tokens exist goes from QUEUED to CALLING in one step when its
			// turn comes, as a lone task does.
			for (int i = 0; i < size; i++) {
				if (!startsAtOnce(lane, i) && !process(batch[i], lane.pendingDelays[i], now)) {
					batch[i] = null;
				}
			}
			// Calls that end inside their start need not signal: this pass takes again.
			lane.startingBatch = true;
			try {
				startBatch(lane, size, now);
			}
			finally {
				lane.startingBatch = false;
			}
		}
	}

	private void startBatch(DispatchLanes.Lane lane, int size, long now) {
		ExecutorTask[] batch = lane.batch;
		for (int i = 0; i < size; i++) {
			ExecutorTask task = batch[i];
			CompletionStage<Long> pendingDelay = lane.pendingDelays[i];
			boolean atOnce = startsAtOnce(lane, i);
			batch[i] = null;
			lane.pendingDelays[i] = null;
			if (task == null) {
				continue;
			}
			// The first task starts at the instant it left the queue; later ones read the clock.
			if (atOnce && this.runState.cancelReason() == null) {
				startAtOnce(task, (i == 0) ? now : this.clock.epochNanos(), lane);
			}
			else if (atOnce) {
				cancelAtOnce(task, now);
			}
			else {
				startWhenReserved(task, lane.delays[i], pendingDelay, lane, (i == 0) ? now : WallClock.NONE);
			}
		}
	}

	/**
	 * Whether a task of the batch has its tokens already: it may start without waiting.
	 */
	private static boolean startsAtOnce(DispatchLanes.Lane lane, int index) {
		return lane.pendingDelays[index] == null && lane.delays[index] <= 0;
	}

	/**
	 * Takes tasks from the queue into the lane's batch, each with a concurrency slot and
	 * its tokens reserved. Polling and reserving under the queue's consumer lock keeps
	 * reservations in queue order; a lane that finds the lock held leaves the taking to
	 * its holder, which takes again, rather than wait. A lane takes one task at a time
	 * unless a backlog builds up; then it takes several (at most its share of the
	 * concurrency limit), so that a burst costs fewer hand-overs.
	 * @return how many tasks were taken
	 */
	private int take(DispatchLanes.Lane lane) {
		// Dispatch held: the hold's end signals again.
		if (this.runState.isDispatchHeld()) {
			return 0;
		}
		for (;;) {
			boolean sweep = this.queue.needsSweep();
			// Nothing to take, or no slot: a later submission or freed slot signals again.
			if (!sweep && (this.queue.isEmpty() || this.limiter.available() == 0)) {
				return 0;
			}
			if (!this.queue.lockOrAsk()) {
				return 0;
			}
			int size;
			boolean asked;
			try {
				if (sweep) {
					this.queue.sweep();
				}
				size = takeLocked(lane);
			}
			finally {
				asked = this.queue.unlock();
			}
			// A lane that takes tasks comes back for more; one that took none takes again
			// only for a lane that asked meanwhile.
			if (size > 0 || !asked) {
				return size;
			}
		}
	}

	private int takeLocked(DispatchLanes.Lane lane) {
		int slots = this.limiter
			.tryAcquireUpTo(Math.min(lane.batch.length, 1 + this.queue.size() / BACKLOG_PER_BATCHED_TASK));
		int size = 0;
		boolean synchronous = this.reservations.isSynchronous();
		while (size < slots) {
			ExecutorTask task = this.queue.poll();
			if (task == null) {
				break;
			}
			this.budget.noteReservation(task);
			if (!synchronous) {
				lane.pendingDelays[size] = this.reservations.reserveAsync(task);
			}
			this.inFlight.add(task);
			lane.batch[size++] = task;
		}
		this.limiter.release(slots - size);
		this.queue.taken(size);
		if (synchronous && size > 0) {
			this.reservations.reserve(lane.batch, lane.delays, size);
		}
		return size;
	}

	/**
	 * Moves a task just taken from the queue to {@code PROCESSING}.
	 * @return {@code false} if it was cancelled while queued
	 */
	private boolean process(ExecutorTask task, @Nullable CompletionStage<Long> pendingDelay, long now) {
		if (task.advance(RequestStatus.PROCESSING, now) != null) {
			return true;
		}
		// Cancelled while queued: the cancel left the slot and tokens to us.
		this.inFlight.remove(task);
		this.limiter.release();
		if (pendingDelay != null) {
			pendingDelay.whenComplete((delay, ex) -> this.reservations.refundIfReserved(task));
		}
		else {
			this.reservations.refundIfReserved(task);
		}
		return false;
	}

	/**
	 * Cancels a task taken from the queue whose start a stop prevented: it holds a slot
	 * and its tokens, which the cancellation gives back once it is {@code PROCESSING}.
	 */
	private void cancelAtOnce(ExecutorTask task, long now) {
		if (process(task, null, now)) {
			this.completion.cancel(task, "cancelled: executor '" + this.name + "' stopped");
		}
	}

	/**
	 * Starts a lone task whose tokens exist: {@code PROCESSING} and {@code CALLING} in one
	 * step, stamped with the instant it left the queue.
	 */
	private void startAtOnce(ExecutorTask task, long now, DispatchLanes.Lane lane) {
		if (this.budget.isActive() && this.budget.mustHold(task)) {
			// Paused, or held by API-token debt: take the path that defers the start.
			if (process(task, null, now)) {
				startWhenReserved(task, 0, null, lane, now);
			}
			return;
		}
		if (!task.startCall(now)) {
			process(task, null, now);
			return;
		}
		this.runner.call(task, lane);
	}

	private void startWhenReserved(ExecutorTask task, long delayNanos, @Nullable CompletionStage<Long> pendingDelay,
			DispatchLanes.Lane lane, long now) {
		try {
			String cancelReason = this.runState.cancelReason();
			if (cancelReason != null) {
				this.completion.cancel(task, cancelReason);
				return;
			}
			if (pendingDelay == null) {
				startAfter(task, delayNanos, lane, now);
				return;
			}
			pendingDelay.whenComplete((delay, ex) -> lane.run(() -> {
				if (ex != null) {
					Throwable cause = unwrap(ex);
					this.completion.fail(task, new IllegalStateException(
							"Could not reserve tokens for executor '" + this.name + "': " + cause.getMessage(), cause));
				}
				else {
					if (task.isEnded()) {
						this.reservations.refundIfReserved(task);
					}
					startAfter(task, delay, lane, WallClock.NONE);
				}
			}));
		}
		catch (RuntimeException ex) {
			// Never leave a task of the batch holding its slot.
			this.completion.fail(task, ex);
		}
	}

	/**
	 * Starts the task once its tokens exist.
	 * @param now the time the task left the queue when it may start at that instant, else
	 * {@link WallClock#NONE}
	 */
	private void startAfter(ExecutorTask task, long delayNanos, DispatchLanes.Lane lane, long now) {
		if (delayNanos == Long.MAX_VALUE) {
			this.completion.fail(task, new IllegalStateException("Tokens for this request can never become available"));
			return;
		}
		if (delayNanos <= 0) {
			start(task, (now != WallClock.NONE) ? now : this.clock.epochNanos(), lane);
			return;
		}
		this.counters.waitedForTokens(delayNanos);
		task.addLog("waiting " + formatNanos(delayNanos) + " for rate-limit tokens");
		startLater(task, delayNanos, lane);
	}

	private void start(ExecutorTask task, long now, DispatchLanes.Lane lane) {
		String cancelReason = this.runState.cancelReason();
		if (cancelReason != null) {
			this.completion.cancel(task, cancelReason);
			return;
		}
		if (this.budget.isActive()) {
			// While paused no call leaves, not even one whose tokens are reserved; nor before
			// the API tokens that ended calls used beyond their estimates refill.
			long holdNanos = this.budget.holdNanos(task);
			if (holdNanos > 0) {
				task.addLog(((this.budget.pauseRemainingNanos() > 0) ? "executor paused" : "API-token debt")
						+ ": call deferred " + formatNanos(holdNanos));
				startLater(task, holdNanos, lane);
				return;
			}
		}
		if (task.advance(RequestStatus.CALLING, now) == null) {
			return;
		}
		this.runner.call(task, lane);
	}

	/**
	 * Starts the task later (and checks again then). It keeps its slot and reserved
	 * tokens meanwhile.
	 */
	private void startLater(ExecutorTask task, long delayNanos, DispatchLanes.Lane lane) {
		try {
			task.setCancellable(lane.worker.schedule(() -> start(task, this.clock.epochNanos(), lane), delayNanos,
					TimeUnit.NANOSECONDS));
		}
		catch (RuntimeException ex) {
			this.completion.fail(task, ex);
		}
	}

	private static Throwable unwrap(Throwable failure) {
		Throwable cause = failure;
		while (cause instanceof CompletionException && cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

	private static String formatNanos(long nanos) {
		return (nanos >= 1_000_000) ? (nanos / 1_000_000) + " ms" : (nanos / 1_000) + " µs";
	}

}
