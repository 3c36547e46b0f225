package io.lionfuncs.network;

import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;

/**
 * One submitted call inside an {@link Executor}: its event, its call, the tokens it
 * reserved and the handle that cancels whatever it is waiting on or running.
 */
final class ExecutorTask {

	private static final int NOT_RESERVED = 0;

	private static final int RESERVED = 1;

	private static final int REFUNDED = 2;

	private static final Disposable DISPOSED = () -> {
	};

	private static final AtomicIntegerFieldUpdater<ExecutorTask> RESERVATION = AtomicIntegerFieldUpdater
		.newUpdater(ExecutorTask.class, "reservation");

	@SuppressWarnings("rawtypes")
	private static final AtomicReferenceFieldUpdater<ExecutorTask, Disposable> CANCELLABLE = AtomicReferenceFieldUpdater
		.newUpdater(ExecutorTask.class, Disposable.class, "cancellable");

	final NetworkRequestEvent event;

	final TaskRequest.Invocation invocation;

	final long apiTokens;

	private volatile int reservation;

	private boolean reservedApiTokens;

	private volatile @Nullable Disposable cancellable;

	private volatile Executor.@Nullable WaitingSubmission waiting;

	/**
	 * The executor's API-token debt from under-estimates when this task reserved; debt
	 * added later delays the task too (see {@code BudgetController#apiTokensDebt()}).
	 */
	long apiTokensDebtMark;

	ExecutorTask(NetworkRequestEvent event, TaskRequest.Invocation invocation, long apiTokens) {
		this.event = event;
		this.invocation = invocation;
		this.apiTokens = apiTokens;
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
		for (;;) {
			Disposable current = this.cancellable;
			if (current == DISPOSED) {
				disposable.dispose();
				return;
			}
			if (CANCELLABLE.compareAndSet(this, current, disposable)) {
				return;
			}
		}
	}

	/**
	 * Disposes the current timer or call, and anything set later.
	 */
	void dispose() {
		@SuppressWarnings("unchecked")
		Disposable previous = (Disposable) CANCELLABLE.getAndSet(this, DISPOSED);
		if (previous != null && previous != DISPOSED) {
			previous.dispose();
		}
	}

}
