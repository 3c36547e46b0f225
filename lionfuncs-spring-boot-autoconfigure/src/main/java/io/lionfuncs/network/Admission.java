package io.lionfuncs.network;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Schedulers;

/**
 * Lets requests in: creates each one's task, refuses it when the executor is not running
 * or it could never be served, and queues it, applying the full-queue policy
 * ({@link QueueFullPolicy#REJECT} at once, or {@link QueueFullPolicy#WAIT} with a timer
 * and without blocking a non-blocking thread). Submitters waiting for room are admitted
 * in their order as room frees up.
 */
final class Admission {

	private final String name;

	private final QueueFullPolicy policy;

	private final Duration submitTimeout;

	private final long maxApiTokens;

	private final TaskQueue queue;

	private final DispatchLanes lanes;

	private final Counters counters;

	private final Completion completion;

	private final RunState runState;

	private final WaitingRoom waiting;

	private final @Nullable RequestTracing tracing;

	Admission(ExecutorSettings settings, long maxApiTokens, TaskQueue queue, DispatchLanes lanes,
			WaitingRoom waiting, Counters counters, Completion completion, RunState runState,
			@Nullable RequestTracing tracing) {
		this.name = settings.name();
		this.policy = settings.queueFullPolicy();
		this.submitTimeout = settings.submitTimeout();
		this.maxApiTokens = maxApiTokens;
		this.queue = queue;
		this.lanes = lanes;
		this.waiting = waiting;
		this.counters = counters;
		this.completion = completion;
		this.runState = runState;
		this.tracing = tracing;
	}

	// ---------------------------------------------------------------- submissions

	/**
	 * Submits a task, waiting for room under {@link QueueFullPolicy#WAIT}.
	 */
	NetworkRequestEvent submit(TaskRequest request) {
		ExecutorTask task = new ExecutorTask(this.completion, requireCall(request));
		accept(task);
		if (task.status() != RequestStatus.PENDING || tryEnqueue(task)) {
			return task.event;
		}
		if (this.policy == QueueFullPolicy.REJECT) {
			throw reject(task, TaskRejectedException.Reason.QUEUE_FULL, queueFullMessage());
		}
		if (Schedulers.isInNonBlockingThread()) {
			throw reject(task, TaskRejectedException.Reason.QUEUE_FULL, queueFullMessage()
					+ "; waiting for room would block non-blocking thread " + Thread.currentThread().getName()
					+ ", so use submit(...) or submitTaskAsync(...) from reactive code");
		}
		WaitingRoom.WaitingSubmission submission = awaitRoom(task);
		try {
			submission.admitted.get();
			return task.event;
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			this.completion.cancel(task, "cancelled: interrupted while waiting for room in the queue");
			throw new TaskRejectedException(TaskRejectedException.Reason.QUEUE_FULL,
					"Interrupted while waiting for room in the queue of executor '" + this.name + "'", task.event);
		}
		catch (ExecutionException ex) {
			throw rejection(ex.getCause(), task);
		}
	}

	/**
	 * Submits a task without blocking; cancelling the future while it waits for room
	 * cancels the request.
	 */
	CompletableFuture<NetworkRequestEvent> submitAsync(TaskRequest request) {
		ExecutorTask task = new ExecutorTask(this.completion, requireCall(request));
		try {
			accept(task);
		}
		catch (TaskRejectedException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		CompletableFuture<NetworkRequestEvent> admitted = enqueueOrWait(task);
		if (!admitted.isDone()) {
			admitted.whenComplete((event, ex) -> {
				if (ex instanceof CancellationException) {
					this.completion.cancel(task, "cancelled: submission cancelled while waiting for room in the queue");
				}
			});
		}
		return admitted;
	}

	/**
	 * Takes a lease without blocking: the future completes once the lease is granted, or
	 * fails with a {@link TaskRejectedException}. Cancelling it before the grant cancels
	 * the request.
	 * @param maxWait the longest the whole wait may take, or {@code null} for no bound
	 */
	CompletableFuture<Lease> lease(TaskRequest request, @Nullable Duration maxWait) {
		if (request.call() != null) {
			throw new IllegalArgumentException("A lease's request has no call (use TaskRequest.lease()); "
					+ "submit a request with a call instead");
		}
		LeaseGrant grant = new LeaseGrant();
		ExecutorTask task = new ExecutorTask(this.completion, request, grant);
		try {
			accept(task);
		}
		catch (TaskRejectedException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		if (task.status() == RequestStatus.PENDING) {
			if (maxWait != null) {
				grant.timeout = this.runState.schedule(() -> {
					// A lease granted meanwhile is the holder's: the bound is on the wait only.
					if (task.status() != RequestStatus.CALLING && !grant.granted.isDone()) {
						grant.timedOut = true;
						this.completion.cancel(task, "cancelled: no lease within the maximum wait of " + maxWait
								+ " (queue, concurrency slot and tokens)");
					}
				}, maxWait.toNanos());
			}
			enqueueOrWait(task).whenComplete((event, ex) -> {
				if (ex != null && !grant.granted.isDone()) {
					grant.granted.completeExceptionally(ex);
				}
			});
		}
		grant.granted.whenComplete((lease, ex) -> {
			if (ex instanceof CancellationException) {
				this.completion.cancel(task, "cancelled: lease request cancelled before the grant");
			}
		});
		return grant.granted;
	}

	private static TaskRequest requireCall(TaskRequest request) {
		if (request.call() == null) {
			throw new IllegalArgumentException(
					"The request has no call (it was built for a lease); take a lease for it instead");
		}
		return request;
	}

	/**
	 * Traces and counts a new task, and refuses it when it can never be served: the
	 * executor is not running (throws), or it needs more API tokens than the bucket can
	 * ever hold (ends {@code FAILED} at once).
	 */
	private void accept(ExecutorTask task) {
		if (this.tracing != null) {
			this.tracing.submitted(task);
		}
		this.counters.accepted();
		if (!this.runState.isRunning()) {
			throw reject(task, TaskRejectedException.Reason.NOT_RUNNING,
					"Executor '" + this.name + "' is not running (" + this.runState.stateName() + ")");
		}
		long needed = task.apiTokens();
		if (needed > this.maxApiTokens) {
			this.completion.failAtOnce(task, IllegalArgumentException.class.getName(),
					"Request needs " + needed + " API tokens but the API-token bucket of executor '" + this.name
							+ "' holds at most " + this.maxApiTokens
							+ " (apiTokensBucketCapacity), so it could never be sent");
		}
	}

	/**
	 * Queues a task, or makes it wait for room or rejects it, by the full-queue policy.
	 * @return a future completing with the event once it is queued
	 */
	private CompletableFuture<NetworkRequestEvent> enqueueOrWait(ExecutorTask task) {
		if (task.status() != RequestStatus.PENDING || tryEnqueue(task)) {
			return CompletableFuture.completedFuture(task.event);
		}
		if (this.policy == QueueFullPolicy.REJECT) {
			return CompletableFuture
				.failedFuture(reject(task, TaskRejectedException.Reason.QUEUE_FULL, queueFullMessage()));
		}
		return awaitRoom(task).admitted;
	}

	private boolean tryEnqueue(ExecutorTask task) {
		if (!this.waiting.isEmpty() || !this.queue.claim()) {
			return false;
		}
		// Queued within the submission that created it, before anyone else can see it.
		task.queueUnpublished();
		boolean takenInPassing = this.queue.add(task);
		String cancelReason = this.runState.cancelReason();
		if (cancelReason != null) {
			this.completion.cancel(task, cancelReason);
		}
		if (!takenInPassing) {
			this.lanes.signal();
		}
		return true;
	}

	// ---------------------------------------------------------------- waiting for room

	private WaitingRoom.WaitingSubmission awaitRoom(ExecutorTask task) {
		WaitingRoom.WaitingSubmission submission = new WaitingRoom.WaitingSubmission(task);
		// The timer is set before the submission is visible to the dispatchers: one that
		// admits it at once must be able to cancel the timer, or the timer would hold the
		// request (and its event) for the whole submit timeout.
		submission.timeout = this.runState.schedule(() -> expire(submission), this.submitTimeout.toNanos());
		this.waiting.add(submission);
		this.waiting.admit();
		return submission;
	}

	private void expire(WaitingRoom.WaitingSubmission submission) {
		if (submission.settle()) {
			this.waiting.remove(submission);
			submission.admitted.completeExceptionally(reject(submission.task, TaskRejectedException.Reason.QUEUE_FULL,
					queueFullMessage() + " for the whole submit timeout of " + this.submitTimeout));
		}
	}

	/**
	 * Rejects every waiting submitter: the executor is stopping.
	 */
	void rejectWaiting(String reason) {
		for (WaitingRoom.WaitingSubmission submission = this.waiting.poll(); submission != null; submission = this.waiting
			.poll()) {
			if (submission.settle()) {
				submission.disposeTimeout();
				submission.admitted.completeExceptionally(
						reject(submission.task, TaskRejectedException.Reason.NOT_RUNNING, "Rejected: " + reason));
			}
		}
	}

	// ---------------------------------------------------------------- rejection

	private TaskRejectedException reject(ExecutorTask task, TaskRejectedException.Reason reason, String message) {
		this.counters.rejected();
		this.completion.reject(task, reason, message);
		return new TaskRejectedException(reason, message, task.event);
	}

	private String queueFullMessage() {
		return "Queue of executor '" + this.name + "' is full (queueCapacity " + this.queue.capacity() + ")";
	}

	private static RuntimeException rejection(@Nullable Throwable cause, ExecutorTask task) {
		if (cause instanceof RuntimeException runtime) {
			return runtime;
		}
		return new TaskRejectedException(TaskRejectedException.Reason.QUEUE_FULL, String.valueOf(cause), task.event);
	}

}
