package io.lionfuncs.network;

import java.util.concurrent.RejectedExecutionException;

import org.jspecify.annotations.Nullable;

/**
 * Thrown when an {@link Executor} does not accept a task, or grants no lease. The
 * request's event, if one was created, has ended ({@code CANCELLED} with the same
 * reason, or {@code FAILED}).
 */
public class TaskRejectedException extends RejectedExecutionException {

	private final Reason reason;

	private final transient @Nullable NetworkRequestEvent event;

	public TaskRejectedException(Reason reason, String message, @Nullable NetworkRequestEvent event) {
		super(message);
		this.reason = reason;
		this.event = event;
	}

	/**
	 * Why the task was not accepted.
	 * @return the reason
	 */
	public Reason getReason() {
		return this.reason;
	}

	/**
	 * The rejected task's event, already {@code CANCELLED}.
	 * @return the event, or {@code null}
	 */
	public @Nullable NetworkRequestEvent getEvent() {
		return this.event;
	}

	/**
	 * Why a task was not accepted.
	 */
	public enum Reason {

		/** The queue was full (at once, or for the whole submit timeout). */
		QUEUE_FULL,

		/** The executor was not running. */
		NOT_RUNNING,

		/** No lease was granted within the maximum wait. */
		TIMED_OUT,

		/** The request needs more API tokens than the bucket can ever hold. */
		TOO_LARGE,

		/** The request was cancelled before its lease was granted. */
		CANCELLED,

		/** The request failed before its lease was granted (its tokens could not be reserved). */
		FAILED

	}

}
