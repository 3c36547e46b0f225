package io.lionfuncs.network;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;

/**
 * One submitted call inside an {@link Executor}: its event, its call, the tokens it
 * reserved and the handle that cancels whatever it is waiting on or running. It also
 * receives the result of a {@link CompletionStage} call, so that starting a call
 * allocates nothing of its own.
 */
final class ExecutorTask implements BiConsumer<CallResult, Throwable> {

	private static final int NOT_RESERVED = 0;

	private static final int RESERVED = 1;

	private static final int REFUNDED = 2;

	private static final Disposable DISPOSED = () -> {
	};

	private static final AtomicIntegerFieldUpdater<ExecutorTask> RESERVATION = AtomicIntegerFieldUpdater
		.newUpdater(ExecutorTask.class, "reservation");

	private static final AtomicReferenceFieldUpdater<ExecutorTask, Object> CANCELLABLE = AtomicReferenceFieldUpdater
		.newUpdater(ExecutorTask.class, Object.class, "cancellable");

	final Executor executor;

	final NetworkRequestEvent event;

	// Supplies a Mono when reactive, else a CompletionStage.
	final Supplier<?> call;

	final boolean reactive;

	final long apiTokens;

	private volatile int reservation;

	private boolean reservedApiTokens;

	// A Disposable, or the CompletionStage of a call in flight.
	private volatile @Nullable Object cancellable;

	private volatile Executor.@Nullable WaitingSubmission waiting;

	/** The cell this task holds in {@link InFlightTasks}, written before it is published there. */
	int inFlightCell;

	/**
	 * The executor's API-token debt from under-estimates when this task reserved; debt
	 * added later delays the task too (see {@code BudgetController#apiTokensDebt()}).
	 */
	long apiTokensDebtMark;

	ExecutorTask(Executor executor, NetworkRequestEvent event, TaskRequest request) {
		this.executor = executor;
		this.event = event;
		this.call = request.call();
		this.reactive = request.isReactive();
		this.apiTokens = request.numApiTokensNeeded();
	}

	void setWaiting(Executor.WaitingSubmission waiting) {
		this.waiting = waiting;
	}

	Executor.@Nullable WaitingSubmission waiting() {
		return this.waiting;
	}

	/**
	 * Records that the tokens were reserved.
	 * @param includesApiTokens whether API tokens were reserved besides the request token
	 */
	void markReserved(boolean includesApiTokens) {
		this.reservedApiTokens = includesApiTokens;
		RESERVATION.set(this, RESERVED);
	}

	/**
	 * Claims the right to give the reserved tokens back; true once at most.
	 */
	boolean claimRefund() {
		return RESERVATION.compareAndSet(this, RESERVED, REFUNDED);
	}

	/**
	 * Whether the refund includes API tokens; read after {@link #claimRefund()}.
	 */
	boolean reservedApiTokens() {
		return this.reservedApiTokens;
	}

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
				cancel(cancellable);
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
		Object previous = CANCELLABLE.getAndSet(this, DISPOSED);
		if (previous != null && previous != DISPOSED) {
			cancel(previous);
		}
	}

	private static void cancel(Object cancellable) {
		if (cancellable instanceof Disposable disposable) {
			disposable.dispose();
		}
		else {
			((CompletionStage<?>) cancellable).toCompletableFuture().cancel(true);
		}
	}

	/**
	 * Receives the outcome of a {@link CompletionStage} call.
	 */
	@Override
	public void accept(@Nullable CallResult result, @Nullable Throwable error) {
		this.executor.complete(this, result, error);
	}

}
