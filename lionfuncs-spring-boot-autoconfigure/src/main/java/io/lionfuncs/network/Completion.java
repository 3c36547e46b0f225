package io.lionfuncs.network;

import java.util.Map;
import java.util.Objects;

import io.lionfuncs.network.limit.ConcurrencyLimiter;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends requests: records a call's outcome (after the budget gate's true-up), fails or
 * cancels a request wherever it is, and does the bookkeeping once a request is terminal:
 * its slot and unused tokens back, counted, remembered, the listeners and awaiting
 * callers told, the queue signalled.
 */
final class Completion implements TaskEnds {

	private static final Logger logger = LoggerFactory.getLogger(Completion.class);

	private final RequestContext context;

	private final BudgetGate budget;

	private final Reservations reservations;

	private final ConcurrencyLimiter limiter;

	private final InFlightTasks inFlight;

	private final RecentEvents recent;

	private final Counters counters;

	private final TaskQueue queue;

	private final DispatchLanes lanes;

	private final WaitingRoom waiting;

	private final RunState runState;

	private final @Nullable RequestTracing tracing;

	Completion(RequestContext context, BudgetGate budget, Reservations reservations, ConcurrencyLimiter limiter,
			InFlightTasks inFlight, RecentEvents recent, Counters counters, TaskQueue queue, DispatchLanes lanes,
			WaitingRoom waiting, RunState runState, @Nullable RequestTracing tracing) {
		this.context = context;
		this.budget = budget;
		this.reservations = reservations;
		this.limiter = limiter;
		this.inFlight = inFlight;
		this.recent = recent;
		this.counters = counters;
		this.queue = queue;
		this.lanes = lanes;
		this.waiting = waiting;
		this.runState = runState;
		this.tracing = tracing;
	}

	@Override
	public RequestContext context() {
		return this.context;
	}

	@Override
	public void onResponse(int statusCode, Map<String, String> headers) {
		this.budget.onResponse(statusCode, headers);
	}

	// ---------------------------------------------------------------- outcomes

	/**
	 * Ends a call with its outcome.
	 * @param apiTokensUsed the API tokens used as the holder counted them, or
	 * {@code null} to read them from the result
	 * @return whether this outcome ended the request
	 */
	@Override
	public boolean complete(ExecutorTask task, @Nullable CallResult result, @Nullable Throwable error,
			@Nullable Long apiTokensUsed) {
		if (error == null && result == null) {
			error = new IllegalStateException("The call completed without a result");
		}
		if (task.isEnded()) {
			return false;
		}
		if (this.budget.isActive()) {
			// True up the API tokens and read the provider's headers, before the terminal
			// status shows, so that whoever sees it also sees apiTokensUsed and the pause.
			trueUp(task, result, error, apiTokensUsed);
		}
		else {
			this.budget.countIfRateLimited(result, error);
		}
		RequestStatus previous;
		try {
			previous = (error != null) ? task.finishFailed(error) : task.finishCompleted(Objects.requireNonNull(result));
		}
		catch (RuntimeException ex) {
			// Recording the outcome must never leave the request in flight for ever.
			logger.error("Executor '{}' could not record the outcome of request {}", this.context.executorName(),
					task.event.getRequestId(), ex);
			previous = task.finishFailed(ex.getClass().getName(),
					"The outcome of the call could not be recorded: " + ex.getMessage());
		}
		if (previous == null) {
			return false;
		}
		afterTerminal(task, previous);
		return true;
	}

	private void trueUp(ExecutorTask task, @Nullable CallResult result, @Nullable Throwable error,
			@Nullable Long apiTokensUsed) {
		try {
			Long used = this.budget.afterCall(task.apiTokens(), task.reservedApiTokens(), result, error,
					task.responsesObserved(), apiTokensUsed);
			if (used != null) {
				task.event.recordApiTokensUsed(used);
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Executor '{}' could not reconcile the budget after request {}", this.context.executorName(),
					task.event.getRequestId(), ex);
		}
	}

	/**
	 * Ends a lease its holder cancelled, giving back what its estimate left unused.
	 * @return whether this ended the request
	 */
	@Override
	public boolean cancelByHolder(ExecutorTask task, long apiTokensUsedSoFar) {
		if (task.status() != RequestStatus.CALLING) {
			return cancel(task, "cancelled by the lease holder");
		}
		RequestStatus previous = task.finishCancelled("cancelled by the lease holder");
		if (previous == null) {
			return false;
		}
		Long used = this.budget.returnUnused(task.apiTokens(), task.reservedApiTokens(), apiTokensUsedSoFar);
		if (used != null) {
			task.event.recordApiTokensUsed(used);
		}
		afterTerminal(task, previous);
		return true;
	}

	/**
	 * Fails a request the executor could not run.
	 */
	void fail(ExecutorTask task, Throwable error) {
		RequestStatus previous = task.finishFailed(error);
		if (previous != null) {
			task.dispose();
			afterTerminal(task, previous);
		}
	}

	/**
	 * Fails a request with a message of the executor's, before it was queued.
	 */
	void failAtOnce(ExecutorTask task, String errorType, String message) {
		RequestStatus previous = task.finishFailed(errorType, message);
		if (previous != null) {
			afterTerminal(task, previous);
		}
	}

	/**
	 * Ends a request that was not let in: {@code CANCELLED} with the reason, which a
	 * lease's holder is told.
	 */
	void reject(ExecutorTask task, TaskRejectedException.Reason reason, String message) {
		RequestStatus previous = task.finishCancelled(message);
		if (previous != null) {
			afterTerminal(task, previous, reason);
		}
	}

	// ---------------------------------------------------------------- cancellation

	@Override
	public boolean cancel(ExecutorTask task, String reason) {
		return cancel(task, reason, true);
	}

	/**
	 * Cancels a request wherever it is: waiting for room, queued, waiting for its tokens
	 * or calling (its call is disposed; a lease's holder is told).
	 * @param mayBeQueued whether a queued request is still in the queue; {@code false}
	 * for one just polled from it, which spares a scan of the whole queue per request
	 */
	boolean cancel(ExecutorTask task, String reason, boolean mayBeQueued) {
		RequestStatus previous = task.finishCancelled(reason);
		if (previous == null) {
			return false;
		}
		switch (previous) {
			case PENDING -> this.waiting.withdraw(task, reason);
			case QUEUED -> {
				if (mayBeQueued && this.queue.remove(task)) {
					this.waiting.admit();
					if (this.queue.needsSweep()) {
						// Many cancelled while queued: a dispatcher unlinks them.
						this.lanes.signal();
					}
				}
			}
			default -> task.dispose();
		}
		afterTerminal(task, previous);
		return true;
	}

	// ---------------------------------------------------------------- bookkeeping

	/**
	 * Bookkeeping once a request is terminal: give back its slot and unused tokens, count
	 * it, remember it, tell its holder, the listeners and the awaiting callers, and move
	 * on.
	 */
	void afterTerminal(ExecutorTask task, RequestStatus previous) {
		afterTerminal(task, previous, null);
	}

	/**
	 * Bookkeeping once a request is terminal.
	 * @param rejection why a lease was not granted, when that is known; otherwise it is
	 * told from the status
	 */
	private void afterTerminal(ExecutorTask task, RequestStatus previous,
			TaskRejectedException.@Nullable Reason rejection) {
		boolean heldSlot = previous == RequestStatus.PROCESSING || previous == RequestStatus.CALLING;
		if (heldSlot) {
			this.inFlight.remove(task);
			this.limiter.release();
			if (previous == RequestStatus.PROCESSING) {
				this.reservations.refundIfReserved(task);
			}
		}
		RequestStatus status = task.status();
		this.counters.finished(status);
		this.recent.add(task.event);
		LeaseGrant grant = task.grant();
		if (grant != null && !task.outcomeGiven()) {
			grant.ended(task.event, (rejection != null) ? rejection : rejection(task, grant, status),
					String.valueOf(task.event.getErrorMessage()));
		}
		if (this.tracing == null) {
			task.announceTerminal(previous);
		}
		else {
			this.tracing.ended(task);
			this.tracing.asCaller(task, () -> task.announceTerminal(previous));
		}
		// A freed slot matters only to queued tasks (a task queued later signals itself), and
		// needs no signal when the call ended inside its start on a dispatcher lane: that
		// lane takes again once the start returns.
		if (heldSlot && !task.startingOnLane && !this.queue.isEmpty()) {
			this.lanes.signal();
		}
		this.runState.afterTerminal();
	}

	/**
	 * Why a lease ended before its holder gave an outcome.
	 */
	private TaskRejectedException.Reason rejection(ExecutorTask task, LeaseGrant grant, RequestStatus status) {
		if (status == RequestStatus.FAILED) {
			return IllegalArgumentException.class.getName().equals(task.event.getErrorType())
					? TaskRejectedException.Reason.TOO_LARGE : TaskRejectedException.Reason.FAILED;
		}
		if (grant.timedOut) {
			return TaskRejectedException.Reason.TIMED_OUT;
		}
		return this.runState.isRunning() ? TaskRejectedException.Reason.CANCELLED
				: TaskRejectedException.Reason.NOT_RUNNING;
	}

}
