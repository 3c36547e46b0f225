package io.lionfuncs.network;

/**
 * What {@link Executor#submitTask} does when the queue is full.
 */
public enum QueueFullPolicy {

	/** Fail the submission at once with a {@link TaskRejectedException}. */
	REJECT,

	/**
	 * Wait up to the submit timeout for room in the queue. The wait never blocks a
	 * reactive thread: use {@link Executor#submit} or {@link Executor#submitTaskAsync}
	 * from one.
	 */
	WAIT

}
