package io.lionfuncs.network;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

import org.jspecify.annotations.Nullable;

/**
 * The lifecycle of one request: its status, the timestamps of each change, its bounded
 * log and the callers awaiting its terminal status.
 * <p>
 * Status changes are validated ({@link RequestStatus#canMoveTo}) and atomic: the status
 * is one state word, changed by compare-and-set, so that of two racing changes (a cancel
 * and a dispatch, a cancel and a completion) exactly one wins. One thread owns the
 * request at each stage, so a change writes its stamp and outcome plainly and publishes
 * them with the state word: whoever sees a status also sees its stamps, and whoever sees
 * a terminal status sees the result or error that came with it. A terminal change first
 * claims the end (the state word's {@code ENDING} bit, while it still shows the previous
 * status), records the outcome, then publishes the terminal status.
 * <p>
 * Each status entered is stamped once ({@code updatedAt} is the stamp of the last one);
 * the stamps of statuses a request never reached are ignored, whatever their fields
 * hold. While the executor has status listeners, every change takes this object's
 * monitor and tells them under it, so that they are told of every change in order.
 * <p>
 * An executor's task is a lifecycle ({@link ExecutorTask}); an event created on its own
 * has a {@link Standalone} one, whose status the caller sets.
 */
abstract class RequestLifecycle extends TaskQueue.Link {

	private static final RequestStatus[] STATUSES = RequestStatus.values();

	// The state word: the status, whether a terminal change claimed it, and the last
	// status before the end (which tells which stamps were set).

	private static final int STATUS_BITS = 0x7;

	private static final int ENDING = 0x8;

	private static final int PROGRESS_SHIFT = 4;

	private static final VarHandle STATE;

	private static final VarHandle FIRST_BYTE_AT;

	private static final VarHandle WAITERS;

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			STATE = lookup.findVarHandle(RequestLifecycle.class, "state", int.class);
			FIRST_BYTE_AT = lookup.findVarHandle(RequestLifecycle.class, "firstByteAt", long.class);
			WAITERS = lookup.findVarHandle(RequestLifecycle.class, "waiters", Object.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	final NetworkRequestEvent event;

	private volatile int state;

	// Timestamps in nanoseconds since the epoch (WallClock); each written once, by the
	// change that enters its status, before the state word publishes it.

	final long createdAt;

	private long queuedAt;

	private long processingAt;

	private long callingAt;

	private volatile long firstByteAt = WallClock.NONE;

	private long completedAt;

	private @Nullable RequestLog log;

	// The futures of callers awaiting the terminal status: null, one future, or a chain of
	// them; ANNOUNCED once they were completed. Pushed without a lock, so that awaiting a
	// request never contends with the dispatcher changing its status.
	private volatile @Nullable Object waiters;

	private static final Object ANNOUNCED = new Object();

	RequestLifecycle(RequestContext context, TaskRequest request) {
		this.createdAt = context.epochNanos();
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
		return STATUSES[this.state & STATUS_BITS];
	}

	final boolean isTerminal() {
		return STATUSES[this.state & STATUS_BITS].isTerminal();
	}

	/**
	 * The state word now, for readers that then read stamps and outcome: see
	 * {@link #status(int)}, {@link #stamp(int, int)}.
	 */
	final int state() {
		return this.state;
	}

	static RequestStatus status(int state) {
		return STATUSES[state & STATUS_BITS];
	}

	private static RequestStatus progress(int state) {
		return STATUSES[state >>> PROGRESS_SHIFT];
	}

	private static int encode(RequestStatus status, RequestStatus progress) {
		return status.ordinal() | (progress.ordinal() << PROGRESS_SHIFT);
	}

	private static int encode(RequestStatus status) {
		return encode(status, status);
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
	final @Nullable RequestStatus advance(RequestStatus next, long now) {
		RequestContext context = context();
		if (!context.hasListeners()) {
			return move(next, now);
		}
		synchronized (this) {
			RequestStatus previous = move(next, now);
			if (previous != null) {
				context.statusChanged(this.event, previous, next);
			}
			return previous;
		}
	}

	private @Nullable RequestStatus move(RequestStatus next, long time) {
		for (;;) {
			int current = this.state;
			RequestStatus previous = status(current);
			if ((current & ENDING) != 0 || !previous.canMoveTo(next)) {
				return null;
			}
			// Written before the change is published; ignored if the change loses its race.
			setStamp(next, Math.max(time, updatedAt(current)));
			if (STATE.compareAndSet(this, current, encode(next))) {
				return previous;
			}
		}
	}

	/**
	 * Moves a queued request through {@code PROCESSING} to {@code CALLING} in one atomic
	 * step, for a call whose tokens exist when it leaves the queue; listeners are told of
	 * both changes, in order.
	 * @return {@code false} if the request was no longer {@code QUEUED}
	 */
	final boolean startCall(long now) {
		RequestContext context = context();
		if (!context.hasListeners()) {
			return moveToCalling(now);
		}
		synchronized (this) {
			// Step by step, so that each listener sees the status it is told of.
			if (this.state != encode(RequestStatus.QUEUED) || move(RequestStatus.PROCESSING, now) == null) {
				return false;
			}
			context.statusChanged(this.event, RequestStatus.QUEUED, RequestStatus.PROCESSING);
			if (move(RequestStatus.CALLING, now) == null) {
				// Only a change that does not wait for this monitor (made as the last listener
				// was removed) can end it here; that change saw it PROCESSING.
				return false;
			}
			context.statusChanged(this.event, RequestStatus.PROCESSING, RequestStatus.CALLING);
			return true;
		}
	}

	private boolean moveToCalling(long time) {
		int queued = encode(RequestStatus.QUEUED);
		if (this.state != queued) {
			return false;
		}
		long now = Math.max(time, this.queuedAt);
		this.processingAt = now;
		this.callingAt = now;
		return STATE.compareAndSet(this, queued, encode(RequestStatus.CALLING));
	}

	/**
	 * Moves a new request to {@code QUEUED} at its creation time, before any other thread
	 * can see it: nothing can race with the change, so it takes no lock (the queue that
	 * publishes the request orders these writes before any reader).
	 */
	final void queueUnpublished() {
		this.queuedAt = this.createdAt;
		STATE.setRelease(this, encode(RequestStatus.QUEUED));
		RequestContext context = context();
		if (context.hasListeners()) {
			context.statusChanged(this.event, RequestStatus.PENDING, RequestStatus.QUEUED);
		}
	}

	final @Nullable RequestStatus finishCompleted(CallResult result) {
		if (!context().hasListeners()) {
			return completeWith(result);
		}
		synchronized (this) {
			return completeWith(result);
		}
	}

	private @Nullable RequestStatus completeWith(CallResult result) {
		int previous = claimEnd(RequestStatus.COMPLETED);
		if (previous < 0) {
			return null;
		}
		this.event.recordResult(result);
		return end(previous, RequestStatus.COMPLETED);
	}

	final @Nullable RequestStatus finishFailed(Throwable error) {
		Failure failure = Failure.of(error);
		if (!context().hasListeners()) {
			return failWith(failure);
		}
		synchronized (this) {
			return failWith(failure);
		}
	}

	private @Nullable RequestStatus failWith(Failure failure) {
		int previous = claimEnd(RequestStatus.FAILED);
		if (previous < 0) {
			return null;
		}
		this.event.recordFailure(failure);
		return end(previous, RequestStatus.FAILED);
	}

	final @Nullable RequestStatus finishFailed(String errorType, String message) {
		return finishWithError(RequestStatus.FAILED, errorType, message);
	}

	final @Nullable RequestStatus finishCancelled(String reason) {
		return finishWithError(RequestStatus.CANCELLED, CancellationException.class.getName(), reason);
	}

	private @Nullable RequestStatus finishWithError(RequestStatus next, String errorType, String message) {
		if (!context().hasListeners()) {
			return endWithError(next, errorType, message);
		}
		synchronized (this) {
			return endWithError(next, errorType, message);
		}
	}

	private @Nullable RequestStatus endWithError(RequestStatus next, String errorType, String message) {
		int previous = claimEnd(next);
		if (previous < 0) {
			return null;
		}
		this.event.recordError(errorType, message);
		return end(previous, next);
	}

	/**
	 * Moves to a terminal status without an outcome, for a caller-managed request.
	 * @return the previous status, or {@code null} if the change was not allowed
	 */
	final synchronized @Nullable RequestStatus finish(RequestStatus next) {
		int previous = claimEnd(next);
		return (previous >= 0) ? end(previous, next) : null;
	}

	/**
	 * Claims the terminal change: of racing changes, only one claims it.
	 * @return the state word before the claim, or {@code -1} if the change is not allowed
	 */
	private int claimEnd(RequestStatus next) {
		for (;;) {
			int current = this.state;
			if ((current & ENDING) != 0 || !status(current).canMoveTo(next)) {
				return -1;
			}
			if (STATE.compareAndSet(this, current, current | ENDING)) {
				return current;
			}
		}
	}

	/**
	 * Publishes the terminal change claimed, after its outcome was recorded.
	 */
	private RequestStatus end(int claimed, RequestStatus next) {
		RequestStatus previous = status(claimed);
		this.completedAt = Math.max(context().epochNanos(), updatedAt(claimed));
		STATE.setRelease(this, encode(next, previous));
		return previous;
	}

	/**
	 * Stamps the arrival of the call's first byte, once, while it is in flight.
	 * @return whether this call stamped it
	 */
	final boolean stampFirstByte() {
		int current = this.state;
		if (current != encode(RequestStatus.CALLING) || this.firstByteAt != WallClock.NONE) {
			return false;
		}
		long now = Math.max(context().epochNanos(), this.callingAt);
		return FIRST_BYTE_AT.compareAndSet(this, WallClock.NONE, now);
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
				context.statusChanged(this.event, previous, status());
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

	private void setStamp(RequestStatus status, long now) {
		switch (status) {
			case QUEUED -> this.queuedAt = now;
			case PROCESSING -> this.processingAt = now;
			case CALLING -> this.callingAt = now;
			default -> {
			}
		}
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
			if (current == ANNOUNCED || (isTerminal() && Thread.holdsLock(this))) {
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
	 * @return nanoseconds since the epoch, or {@link WallClock#NONE} when not set
	 */
	final long stamp(int which) {
		return stamp(which, this.state);
	}

	/**
	 * One stamp as of a state word read before: only the stamps of the statuses that
	 * state had reached count.
	 */
	final long stamp(int which, int state) {
		RequestStatus progress = progress(state);
		return switch (which) {
			case UPDATED -> updatedAt(state);
			case QUEUED -> (progress.ordinal() >= RequestStatus.QUEUED.ordinal()) ? this.queuedAt : WallClock.NONE;
			case PROCESSING ->
				(progress.ordinal() >= RequestStatus.PROCESSING.ordinal()) ? this.processingAt : WallClock.NONE;
			case CALLING -> (progress == RequestStatus.CALLING) ? this.callingAt : WallClock.NONE;
			case FIRST_BYTE -> (progress == RequestStatus.CALLING) ? this.firstByteAt : WallClock.NONE;
			default -> isTerminal(state) ? this.completedAt : WallClock.NONE;
		};
	}

	private static boolean isTerminal(int state) {
		return (state & ENDING) == 0 && status(state).isTerminal();
	}

	/**
	 * The stamp of the last status entered as of a state word.
	 */
	private long updatedAt(int state) {
		if (isTerminal(state)) {
			return this.completedAt;
		}
		return switch (progress(state)) {
			case QUEUED -> this.queuedAt;
			case PROCESSING -> this.processingAt;
			case CALLING -> this.callingAt;
			default -> this.createdAt;
		};
	}

	/** Index of {@code updatedAt} in {@link #stamp(int)}. */
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
