package io.lionfuncs.network;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;

/**
 * One request inside an {@link Executor}: a lease on a concurrency slot and the tokens
 * of both buckets, with its lifecycle. A submitted task is a lease whose call the
 * executor makes ({@link #call}); a lease taken by a caller is granted to it
 * ({@link LeaseGrant}). Either way the outcome arrives through the {@link Lease}
 * methods, once, and goes to the stage that ends requests ({@link TaskEnds}).
 * <p>
 * It also receives the result of a {@link CompletionStage} call, so that starting a call
 * allocates nothing of its own.
 */
final class ExecutorTask extends RequestLifecycle implements Lease, BiConsumer<CallResult, Throwable> {

	// The bits of state: written once each, from several threads, by compare-and-set.

	private static final int RESERVED = 1;

	private static final int REFUNDED = 1 << 1;

	private static final int RESERVED_API_TOKENS = 1 << 2;

	private static final int OUTCOME_GIVEN = 1 << 3;

	private static final int RESPONSES_OBSERVED = 1 << 4;

	private static final int REACTIVE = 1 << 5;

	private static final int DEQUEUED = 1 << 6;

	private static final Disposable DISPOSED = () -> {
	};

	private static final VarHandle STATE;

	private static final VarHandle CANCELLABLE;

	static {
		try {
			MethodHandles.Lookup lookup = MethodHandles.lookup();
			STATE = lookup.findVarHandle(ExecutorTask.class, "state", int.class);
			CANCELLABLE = lookup.findVarHandle(ExecutorTask.class, "cancellable", Object.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final TaskEnds ends;

	// A supplier of a Mono (reactive) or of a CompletionStage, or the LeaseGrant of a
	// lease whose call the holder makes.
	private final Object call;

	// The reservation, whether the outcome was given (the first one wins), whether the
	// call reported its responses, whether it is reactive: bits, to keep a queued task small.
	private volatile int state;

	// A Disposable, or the CompletionStage of a call in flight.
	private volatile @Nullable Object cancellable;

	/** The cell this task holds in {@link InFlightTasks}, written before it is published there. */
	int inFlightCell;

	/**
	 * Whether a dispatcher lane is starting the call now, within a pass after which it
	 * takes again; written and read by that lane's thread (a stale reading elsewhere
	 * only costs a signal).
	 */
	boolean startingOnLane;

	/**
	 * What the executor's tracing keeps of this request, when it traces; set at
	 * submission, before the task is published.
	 */
	@Nullable Object traced;

	/**
	 * The executor's API-token debt from under-estimates when this task reserved; debt
	 * added later delays the task too (see {@link BudgetGate#mustHold}).
	 */
	long apiTokensDebtMark;

	/**
	 * A task whose call the executor makes.
	 */
	ExecutorTask(TaskEnds ends, TaskRequest request) {
		super(ends.context(), request);
		this.ends = ends;
		this.call = request.call();
		this.state = request.isReactive() ? REACTIVE : 0;
	}

	/**
	 * A lease whose call the holder makes.
	 */
	ExecutorTask(TaskEnds ends, TaskRequest request, LeaseGrant grant) {
		super(ends.context(), request);
		this.ends = ends;
		this.call = grant;
	}

	@Override
	RequestContext context() {
		return this.ends.context();
	}

	@Override
	boolean managedByExecutor() {
		return true;
	}

	@Override
	boolean cancel(String reason) {
		return this.ends.cancel(this, reason);
	}

	long apiTokens() {
		return this.event.getNumApiTokensNeeded();
	}

	// ---------------------------------------------------------------- the call

	/**
	 * The grant of a lease whose call the holder makes.
	 * @return the grant, or {@code null} for a submitted task
	 */
	@Nullable LeaseGrant grant() {
		return (this.call instanceof LeaseGrant grant) ? grant : null;
	}

	/**
	 * The call of a submitted task: a supplier of a {@code Mono} when {@link #isReactive()},
	 * else of a {@code CompletionStage}.
	 */
	Supplier<?> call() {
		return (Supplier<?>) this.call;
	}

	boolean isReactive() {
		return (this.state & REACTIVE) != 0;
	}

	/**
	 * Sets a bit of the state.
	 * @return whether this call set it
	 */
	private boolean set(int bit) {
		for (;;) {
			int current = this.state;
			if ((current & bit) != 0) {
				return false;
			}
			if (STATE.compareAndSet(this, current, current | bit)) {
				return true;
			}
		}
	}

	// ---------------------------------------------------------------- queue

	/**
	 * Claims the task's room in the queue: its consumer when taking it, or a cancel
	 * while it is queued; true once at most.
	 */
	boolean claimDequeued() {
		return set(DEQUEUED);
	}

	boolean isDequeued() {
		return (this.state & DEQUEUED) != 0;
	}

	// ---------------------------------------------------------------- reservation

	/**
	 * Records that the tokens were reserved.
	 * @param includesApiTokens whether API tokens were reserved besides the request token
	 */
	void markReserved(boolean includesApiTokens) {
		set(includesApiTokens ? (RESERVED | RESERVED_API_TOKENS) : RESERVED);
	}

	/**
	 * Records that the tokens were reserved, for the dispatcher that has just taken the
	 * task from the queue: until it is {@code PROCESSING} or {@code CALLING} no other
	 * thread changes these bits (a cancel finds it taken and leaves it to the
	 * dispatcher), so no compare-and-set is needed.
	 * @param includesApiTokens whether API tokens were reserved besides the request token
	 */
	void markReservedWhileTaken(boolean includesApiTokens) {
		STATE.setRelease(this, this.state | (includesApiTokens ? (RESERVED | RESERVED_API_TOKENS) : RESERVED));
	}

	/**
	 * Claims the right to give the reserved tokens back; true once at most.
	 */
	boolean claimRefund() {
		for (;;) {
			int current = this.state;
			if ((current & RESERVED) == 0 || (current & REFUNDED) != 0) {
				return false;
			}
			if (STATE.compareAndSet(this, current, current | REFUNDED)) {
				return true;
			}
		}
	}

	/**
	 * Whether the reservation includes API tokens.
	 */
	boolean reservedApiTokens() {
		return (this.state & RESERVED_API_TOKENS) != 0;
	}

	// ---------------------------------------------------------------- cancellation

	/**
	 * Sets what cancelling this task must dispose: its start timer, then its call. If the
	 * task was already cancelled, disposes it at once.
	 */
	void setCancellable(Disposable disposable) {
		setCancellableObject(disposable);
	}

	/**
	 * Sets the stage of a call in flight as what cancelling this task must cancel.
	 */
	void setCancellable(CompletionStage<?> call) {
		setCancellableObject(call);
	}

	private void setCancellableObject(Object cancellable) {
		for (;;) {
			Object current = this.cancellable;
			if (current == DISPOSED) {
				disposeOf(cancellable);
				return;
			}
			if (CANCELLABLE.compareAndSet(this, current, cancellable)) {
				return;
			}
		}
	}

	/**
	 * Disposes the current timer or call, and anything set later.
	 */
	void dispose() {
		Object previous = (Object) CANCELLABLE.getAndSet(this, DISPOSED);
		if (previous != null && previous != DISPOSED) {
			disposeOf(previous);
		}
	}

	private static void disposeOf(Object cancellable) {
		if (cancellable instanceof Disposable disposable) {
			disposable.dispose();
		}
		else {
			((CompletionStage<?>) cancellable).toCompletableFuture().cancel(true);
		}
	}

	// ---------------------------------------------------------------- the lease

	/**
	 * Claims the right to give the outcome; true once at most.
	 */
	private boolean claimOutcome() {
		return set(OUTCOME_GIVEN);
	}

	/**
	 * Whether the holder (or the executor's own call) gave the outcome.
	 */
	boolean outcomeGiven() {
		return (this.state & OUTCOME_GIVEN) != 0;
	}

	boolean responsesObserved() {
		return (this.state & RESPONSES_OBSERVED) != 0;
	}

	@Override
	public NetworkRequestEvent event() {
		return this.event;
	}

	@Override
	public void onResponse(int statusCode, Map<String, String> headers) {
		if (!responsesObserved()) {
			set(RESPONSES_OBSERVED);
		}
		this.ends.onResponse(statusCode, headers);
	}

	@Override
	public boolean markFirstByte() {
		return stampFirstByte();
	}

	@Override
	public boolean complete(CallResult result) {
		return claimOutcome() && this.ends.complete(this, result, null, null);
	}

	@Override
	public boolean complete(int statusCode, Map<String, String> headers, long apiTokensUsed) {
		requireUsage(apiTokensUsed);
		return claimOutcome()
				&& this.ends.complete(this, new CallResult(statusCode, headers, null), null, apiTokensUsed);
	}

	@Override
	public boolean fail(Throwable error) {
		return claimOutcome() && this.ends.complete(this, null, error, null);
	}

	@Override
	public boolean fail(Throwable error, long apiTokensUsedSoFar) {
		requireUsage(apiTokensUsedSoFar);
		return claimOutcome() && this.ends.complete(this, null, error, apiTokensUsedSoFar);
	}

	@Override
	public boolean cancel(long apiTokensUsedSoFar) {
		requireUsage(apiTokensUsedSoFar);
		return claimOutcome() && this.ends.cancelByHolder(this, apiTokensUsedSoFar);
	}

	@Override
	public boolean isEnded() {
		return status().isTerminal();
	}

	@Override
	public void onRevoke(Consumer<String> action) {
		LeaseGrant grant = grant();
		if (grant != null) {
			grant.onRevoke(action);
		}
	}

	@Override
	public void close() {
		if (!isEnded()) {
			cancel();
		}
	}

	private static void requireUsage(long apiTokens) {
		if (apiTokens < 0) {
			throw new IllegalArgumentException("API tokens used must be 0 or more but was " + apiTokens);
		}
	}

	/**
	 * Receives the outcome of a {@link CompletionStage} call. The executor's own call
	 * reports once (a stage completes once, a subscriber passes on one signal), so it needs
	 * no claim: only a holder's lease can be ended twice.
	 */
	@Override
	public void accept(@Nullable CallResult result, @Nullable Throwable error) {
		this.ends.complete(this, result, error, null);
	}

	@Override
	public String toString() {
		return "ExecutorTask[" + this.event.getRequestId() + ", " + status() + "]";
	}

}
