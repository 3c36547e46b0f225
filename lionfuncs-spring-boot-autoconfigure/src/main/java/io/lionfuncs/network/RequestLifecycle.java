package io.lionfuncs.network;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

/**
 * The lifecycle of one request: its status, the timestamps of each change, its bounded
 * log and the callers awaiting its terminal status.
 * <p>
 * Status changes are validated ({@link RequestStatus#canMoveTo}) and atomic under this
 * object's monitor, which also guards the event's outcome, so that whoever sees a
 * terminal status also sees the result or error that came with it. Each change stamps
 * {@code updatedAt}; the first entry into {@code QUEUED}, {@code PROCESSING},
 * {@code CALLING} and a terminal status stamps its own time. Listeners are told of
 * every change, in order, under the same monitor.
 * <p>
 * An executor's task is a lifecycle ({@link ExecutorTask}); an event created on its own
 * has a {@link Standalone} one, whose status the caller sets.
 */
abstract class RequestLifecycle {

	final NetworkRequestEvent event;

	private volatile RequestStatus status = RequestStatus.PENDING;

	// Timestamps in nanoseconds since the epoch (WallClock), WallClock.NONE when not set;
	// guarded by this monitor, but for createdAt.

	final long createdAt;

	private long updatedAt;

	private long queuedAt = WallClock.NONE;

	// The stamps of processing, calling, first byte and completion: allocated when the
	// request leaves the queue (or ends), so that a queued request stays small.
	private long @Nullable [] later;

	private @Nullable RequestLog log;

	// The futures of callers awaiting the terminal status: null, one future, or a chain of
	// them; ANNOUNCED once they were completed. Pushed without a lock, so that awaiting a
	// request never contends with the dispatcher changing its status.
	private volatile @Nullable Object waiters;

	private static final Object ANNOUNCED = new Object();

	private static final VarHandle WAITERS;

	static {
		try {
			WAITERS = MethodHandles.lookup().findVarHandle(RequestLifecycle.class, "waiters", Object.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	RequestLifecycle(RequestContext context, TaskRequest request) {
		this.createdAt = context.epochNanos();
		this.updatedAt = this.createdAt;
		this.event = new NetworkRequestEvent(this, context, request);
	}

	/**
	 * What this request shares with the other requests of its executor.
	 */
	abstract RequestContext context();

	/**
	 * Whether an executor sets the status (callers may only cancel).
	 */
	abstract boolean managedByExecutor();

	/**
	 * Cancels the request for the caller.
	 * @return whether this call cancelled it
	 */
	abstract boolean cancel(String reason);

	final RequestStatus status() {
		return this.status;
	}

	// ---------------------------------------------------------------- transitions

	/**
	 * Moves to a non-terminal status and tells the listeners, atomically.
	 * @return the previous status, or {@code null} if the change was not allowed
	 */
	final @Nullable RequestStatus advance(RequestStatus next) {
		return advance(next, context().epochNanos());
	}

	/**
	 * Moves to a non-terminal status at the given time, for a stage that has just read
	 * the clock for an earlier step of the same hand-over.
	 * @return the previous status, or {@code null} if the change was not allowed
	 */
	final synchronized @Nullable RequestStatus advance(RequestStatus next, long now) {
		RequestStatus previous = this.status;
		if (!previous.canMoveTo(next)) {
			return null;
		}
		moveTo(next, now);
		RequestContext context = context();
		if (context.hasListeners()) {
			context.statusChanged(this.event, previous, next);
		}
		return previous;
	}

	/**
	 * Moves a queued request through {@code PROCESSING} to {@code CALLING} in one atomic
	 * step, for a call whose tokens exist when it leaves the queue; listeners are told of
	 * both changes, in order.
	 * @return {@code false} if the request was no longer {@code QUEUED}
	 */
	final synchronized boolean startCall(long now) {
		if (this.status != RequestStatus.QUEUED) {
			return false;
		}
		RequestContext context = context();
		moveTo(RequestStatus.PROCESSING, now);
		if (context.hasListeners()) {
			context.statusChanged(this.event, RequestStatus.QUEUED, RequestStatus.PROCESSING);
		}
		moveTo(RequestStatus.CALLING, now);
		if (context.hasListeners()) {
			context.statusChanged(this.event, RequestStatus.PROCESSING, RequestStatus.CALLING);
		}
		return true;
	}

	/**
	 * Moves a new request to {@code QUEUED} at its creation time, before any other thread
	 * can see it: nothing can race with the change, so it takes no lock (the queue that
	 * publishes the request orders these writes before any reader).
	 */
	final void queueUnpublished() {
		this.queuedAt = this.createdAt;
		this.status = RequestStatus.QUEUED;
		RequestContext context = context();
		if (context.hasListeners()) {
			context.statusChanged(this.event, RequestStatus.PENDING, RequestStatus.QUEUED);
		}
	}

	final synchronized @Nullable RequestStatus finishCompleted(CallResult result) {
		RequestStatus previous = this.status;
		if (!previous.canMoveTo(RequestStatus.COMPLETED)) {
			return null;
		}
		this.event.recordResult(result);
		moveTo(RequestStatus.COMPLETED, context().epochNanos());
		return previous;
	}

	final @Nullable RequestStatus finishFailed(Throwable error) {
		NetworkRequestEvent.Failure failure = NetworkRequestEvent.Failure.of(error);
		synchronized (this) {
			RequestStatus previous = this.status;
			if (!previous.canMoveTo(RequestStatus.FAILED)) {
				return null;
			}
			this.event.recordFailure(failure);
			moveTo(RequestStatus.FAILED, context().epochNanos());
			return previous;
		}
	}

	final synchronized @Nullable RequestStatus finishFailed(String errorType, String message) {
		RequestStatus previous = this.status;
		if (!previous.canMoveTo(RequestStatus.FAILED)) {
			return null;
		}
		this.event.recordError(errorType, message);
		moveTo(RequestStatus.FAILED, context().epochNanos());
		return previous;
	}

	final synchronized @Nullable RequestStatus finishCancelled(String reason) {
		RequestStatus previous = this.status;
		if (!previous.canMoveTo(RequestStatus.CANCELLED)) {
			return null;
		}
		this.event.recordError(java.util.concurrent.CancellationException.class.getName(), reason);
		moveTo(RequestStatus.CANCELLED, context().epochNanos());
		return previous;
	}

	/**
	 * Moves to a terminal status without an outcome, for a caller-managed request.
	 * @return the previous status, or {@code null} if the change was not allowed
	 */
	final synchronized @Nullable RequestStatus finish(RequestStatus next) {
		RequestStatus previous = this.status;
		if (!previous.canMoveTo(next)) {
			return null;
		}
		moveTo(next, context().epochNanos());
		return previous;
	}

	/**
	 * Stamps the arrival of the call's first byte, once, while it is in flight.
	 * @return whether this call stamped it
	 */
	final synchronized boolean stampFirstByte() {
		if (this.status != RequestStatus.CALLING || stampLocked(FIRST_BYTE) != WallClock.NONE) {
			return false;
		}
		stampLater(FIRST_BYTE, Math.max(context().epochNanos(), this.updatedAt));
		return true;
	}

	/**
	 * Tells the listeners of the terminal change and completes the awaiting futures.
	 * Called once, after the executor has done its bookkeeping, so that whoever wakes up
	 * sees the slot and tokens already returned.
	 */
	final void announceTerminal(RequestStatus previous) {
		RequestContext context = context();
		if (context.hasListeners()) {
			synchronized (this) {
				context.statusChanged(this.event, previous, this.status);
			}
		}
		Object current = WAITERS.getAndSet(this, ANNOUNCED);
		while (current instanceof Waiter waiter) {
			waiter.future.complete(this.event);
			current = waiter.next;
		}
		if (current instanceof CompletableFuture<?> future) {
			complete(future);
		}
	}

	@SuppressWarnings("unchecked")
	private void complete(CompletableFuture<?> future) {
		((CompletableFuture<NetworkRequestEvent>) future).complete(this.event);
	}

	private void moveTo(RequestStatus next, long time) {
		// Stamps of one request never go backwards, whatever the clock does.
		long now = Math.max(time, this.updatedAt);
		switch (next) {
			case QUEUED -> this.queuedAt = now;
			case PROCESSING -> stampLater(PROCESSING, now);
			case CALLING -> stampLater(CALLING, now);
			case COMPLETED, FAILED, CANCELLED -> stampLater(COMPLETED, now);
			default -> {
			}
		}
		this.updatedAt = now;
		this.status = next;
	}

	// ---------------------------------------------------------------- awaiting

	/**
	 * A new future completing with the event once it is terminal and the executor's
	 * bookkeeping and listeners are done with it.
	 */
	final CompletableFuture<NetworkRequestEvent> completion() {
		CompletableFuture<NetworkRequestEvent> future = new CompletableFuture<>();
		for (;;) {
			Object current = this.waiters;
			// Completed only once the listeners were told, but at once for a listener
			// awaiting it from its own terminal callback (told under this monitor).
			if (current == ANNOUNCED || (this.status.isTerminal() && Thread.holdsLock(this))) {
				future.complete(this.event);
				return future;
			}
			Object updated = (current == null) ? future : new Waiter(future, current);
			if (WAITERS.compareAndSet(this, current, updated)) {
				return future;
			}
		}
	}

	/**
	 * One more caller awaiting the terminal status, before those who came earlier.
	 */
	private record Waiter(CompletableFuture<NetworkRequestEvent> future, Object next) {
	}

	// ---------------------------------------------------------------- log

	final synchronized void addLog(String message) {
		int max = context().maxLogEntries();
		if (max <= 0) {
			return;
		}
		if (this.log == null) {
			this.log = new RequestLog();
		}
		this.log.add(message, max);
	}

	// ---------------------------------------------------------------- reading

	final long createdAt() {
		return this.createdAt;
	}

	final synchronized List<String> logs() {
		return (this.log != null) ? this.log.entries() : List.of();
	}

	/**
	 * One stamp now.
	 * @param which {@link #UPDATED}, {@link #QUEUED}, ... {@link #COMPLETED}
	 */
	final synchronized long stamp(int which) {
		return stampLocked(which);
	}

	/**
	 * One stamp now, for a caller holding this monitor.
	 */
	final long stampLocked(int which) {
		return switch (which) {
			case UPDATED -> this.updatedAt;
			case QUEUED -> this.queuedAt;
			default -> (this.later != null) ? this.later[which - PROCESSING] : WallClock.NONE;
		};
	}

	private void stampLater(int which, long now) {
		long[] stamps = this.later;
		if (stamps == null) {
			stamps = new long[] { WallClock.NONE, WallClock.NONE, WallClock.NONE, WallClock.NONE };
			this.later = stamps;
		}
		stamps[which - PROCESSING] = now;
	}

	/** Index of {@code updatedAt} in {@link #stamps()}. */
	static final int UPDATED = 0;

	static final int QUEUED = 1;

	static final int PROCESSING = 2;

	static final int CALLING = 3;

	static final int FIRST_BYTE = 4;

	static final int COMPLETED = 5;

	/**
	 * The lifecycle of an event created outside an executor: its status is set by the
	 * caller.
	 */
	static final class Standalone extends RequestLifecycle {

		Standalone(TaskRequest request) {
			super(RequestContext.STANDALONE, request);
		}

		@Override
		RequestContext context() {
			return RequestContext.STANDALONE;
		}

		@Override
		boolean managedByExecutor() {
			return false;
		}

		@Override
		boolean cancel(String reason) {
			RequestStatus previous = finishCancelled(reason);
			if (previous == null) {
				return false;
			}
			announceTerminal(previous);
			return true;
		}

	}

}
