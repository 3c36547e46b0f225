package io.lionfuncs.network;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Stops an executor: gracefully (accept nothing new, run what is queued, cancel what is
 * left after the shutdown timeout) or at once (cancel everything waiting, queued and in
 * flight), the stop completing once every request accepted is terminal.
 */
final class Shutdown {

	/** How long a blocking {@link #stop} waits beyond the shutdown timeout. */
	private static final Duration STOP_GRACE = Duration.ofSeconds(30);

	private final ExecutorSettings settings;

	private final String name;

	private final RunState runState;

	private final Admission admission;

	private final TaskQueue queue;

	private final InFlightTasks inFlight;

	private final Completion completion;

	Shutdown(ExecutorSettings settings, RunState runState, Admission admission, TaskQueue queue,
			InFlightTasks inFlight, Completion completion) {
		this.settings = settings;
		this.name = settings.name();
		this.runState = runState;
		this.admission = admission;
		this.queue = queue;
		this.inFlight = inFlight;
		this.completion = completion;
	}

	/**
	 * Stops and waits until every request is terminal.
	 */
	void stop(boolean graceful) {
		CompletableFuture<Void> done = stopAsync(graceful);
		Duration limit = (graceful ? this.settings.shutdownTimeout() : Duration.ZERO).plus(STOP_GRACE);
		try {
			done.get(limit.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			stopAsync(false);
			throw new IllegalStateException("Interrupted while stopping executor '" + this.name + "'", ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException("Executor '" + this.name + "' did not stop within " + limit, ex);
		}
	}

	CompletableFuture<Void> stopAsync(boolean graceful) {
		Duration timeout = this.settings.shutdownTimeout();
		CompletableFuture<Void> done = this.runState.beginStop(graceful ? () -> cancelEverything(
				"cancelled: shutdown timeout of " + timeout + " elapsed before the call ran") : null);
		if (done.isDone()) {
			return done;
		}
		this.admission.rejectWaiting("executor '" + this.name + "' is stopping");
		if (!graceful) {
			cancelEverything("cancelled: executor '" + this.name + "' stopped");
		}
		this.runState.checkStopped();
		return done.copy();
	}

	/**
	 * Cancels everything, for the reason given first.
	 */
	void cancelEverything(String reason) {
		this.runState.cancelAll(reason);
		cancelEverything();
	}

	/**
	 * Cancels everything waiting, queued and in flight, for the reason already set.
	 */
	void cancelEverything() {
		String reason = this.runState.cancelAll("cancelled: executor '" + this.name + "' stopped");
		this.admission.rejectWaiting(reason);
		List<ExecutorTask> queued = new ArrayList<>();
		do {
			this.queue.lock();
			int taken = 0;
			for (ExecutorTask task = this.queue.poll(); task != null; task = this.queue.poll()) {
				queued.add(task);
				taken++;
			}
			this.queue.taken(taken);
		}
		while (this.queue.unlock());
		// Cancelled outside the queue's lock: cancelling tells listeners and awaiting callers.
		queued.forEach((task) -> this.completion.cancel(task, reason, false));
		this.inFlight.forEach((task) -> this.completion.cancel(task, reason));
	}

}
