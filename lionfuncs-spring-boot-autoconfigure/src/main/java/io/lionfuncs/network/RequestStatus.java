package io.lionfuncs.network;

/**
 * The lifecycle of a request tracked by a {@link NetworkRequestEvent}:
 * {@code PENDING → QUEUED → PROCESSING → CALLING → COMPLETED | FAILED | CANCELLED}.
 */
public enum RequestStatus {

	/** Created, not yet in the executor's queue. */
	PENDING,

	/** Waiting in the executor's queue. */
	QUEUED,

	/** Taken from the queue: holds a concurrency slot and waits for its reserved tokens. */
	PROCESSING,

	/** The call is in flight. */
	CALLING,

	/** The call produced a result. */
	COMPLETED,

	/** The call, or the preparation of it, failed. */
	FAILED,

	/** Cancelled by a caller, by a rejection or by a stop. */
	CANCELLED;

	/**
	 * Whether no further change can follow.
	 * @return {@code true} for {@code COMPLETED}, {@code FAILED} and {@code CANCELLED}
	 */
	public boolean isTerminal() {
		return this == COMPLETED || this == FAILED || this == CANCELLED;
	}

	/**
	 * Whether a request in this status may move to {@code next}. Statuses only move
	 * forward; any non-terminal status may end in {@code FAILED} or {@code CANCELLED};
	 * only a call in flight may complete.
	 * @param next the proposed status
	 * @return whether the change is allowed
	 */
	public boolean canMoveTo(RequestStatus next) {
		if (isTerminal()) {
			return false;
		}
		return switch (next) {
			case PENDING -> false;
			case QUEUED -> this == PENDING;
			case PROCESSING -> this == QUEUED;
			case CALLING -> this == PROCESSING;
			case COMPLETED -> this == CALLING;
			case FAILED, CANCELLED -> true;
		};
	}

}
