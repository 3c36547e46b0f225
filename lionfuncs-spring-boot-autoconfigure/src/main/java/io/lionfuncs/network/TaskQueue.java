package io.lionfuncs.network;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.UUID;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * The executor's bounded FIFO queue. Submitters add tasks without a lock; one dispatcher
 * at a time takes them, under the queue's consumer lock, which also keeps the order in
 * which tokens are reserved.
 * <p>
 * The tasks are the links ({@link Link}): adding one allocates nothing and costs one
 * atomic exchange. Capacity is claimed from a counter before a task is added, so the
 * bound holds under any number of producers; the counts of the producers' and of the
 * consumer's side live on cache lines of their own, and a producer reads the consumer's
 * count only when the queue looks full. A task cancelled while queued gives its room
 * back at once and stays linked, as a dead link, until the consumer passes it (or a
 * sweep unlinks it, when dead links outnumber the live ones).
 */
final class TaskQueue {

	private static final VarHandle COUNTS = MethodHandles.arrayElementVarHandle(long[].class);

	private static final VarHandle ENDS = MethodHandles.arrayElementVarHandle(Link[].class);

	private static final VarHandle NEXT;

	static {
		try {
			NEXT = MethodHandles.lookup().findVarHandle(Link.class, "next", Link.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	// Slots 16 longs or references apart: the producers' side, the consumer's side and the
	// consumer lock each on a cache line of their own.

	/** Room claimed by producers, ever. */
	private static final int CLAIMED = 15;

	/** The producers' last reading of {@link #RELEASED}; racy, but never ahead of it. */
	private static final int RELEASED_SEEN = 16;

	/** Room given back (tasks taken or cancelled, claims withdrawn), ever. */
	private static final int RELEASED = 31;

	/** Dead links still in the chain. */
	private static final int DEAD = 32;

	/** 1 while a consumer holds the lock. */
	private static final int LOCK = 47;

	/** 1 when a consumer found the lock held and asked its holder to take again. */
	private static final int ASKED = 48;

	/** Dead links beyond which, and beyond the live ones, the consumer sweeps them out. */
	private static final int SWEEP_THRESHOLD = 64;

	private static final int TAIL = 15;

	private static final int HEAD = 31;

	private static final int SLOTS = 63;

	private final long[] counts = new long[SLOTS];

	/** The last link added (producers), and the last taken or the first stub (consumer). */
	private final Link[] ends = new Link[SLOTS];

	private final int capacity;

	TaskQueue(int capacity) {
		this.capacity = capacity;
		Link stub = new Link();
		this.ends[TAIL] = stub;
		this.ends[HEAD] = stub;
	}

	// ---------------------------------------------------------------- producers

	/**
	 * Claims room for one task.
	 * @return whether room was claimed; pair with {@link #add} or {@link #unclaim}
	 */
	boolean claim() {
		for (;;) {
			long claimed = (long) COUNTS.getVolatile(this.counts, CLAIMED);
			if (claimed - (long) COUNTS.getOpaque(this.counts, RELEASED_SEEN) >= this.capacity) {
				long released = (long) COUNTS.getVolatile(this.counts, RELEASED);
				if (claimed - released >= this.capacity) {
					return false;
				}
				COUNTS.setOpaque(this.counts, RELEASED_SEEN, released);
			}
			if (COUNTS.compareAndSet(this.counts, CLAIMED, claimed, claimed + 1)) {
				return true;
			}
		}
	}

	void unclaim() {
		COUNTS.getAndAdd(this.counts, RELEASED, 1L);
	}

	/**
	 * Adds a task into room claimed before.
	 * @return whether a consumer will take it in passing: the task before it is still
	 * queued, so whoever was signalled for that one takes this one after it (a consumer
	 * goes on taking until the queue is empty or no slot is left, and a slot freed
	 * signals again); otherwise the caller must signal a consumer
	 */
	boolean add(ExecutorTask task) {
		Link previous = (Link) ENDS.getAndSet(this.ends, TAIL, task);
		// A full fence between linking and reading whether the one before was taken: a
		// consumer takes it (a compare-and-set) before it reads its link.
		NEXT.setVolatile(previous, task);
		return previous instanceof ExecutorTask before && !before.isDequeued();
	}

	/**
	 * Gives back the room of a task cancelled while queued, which the consumer will skip.
	 * @return whether the task was still in the queue (its room is given back only then)
	 */
	boolean remove(ExecutorTask task) {
		if (!task.claimDequeued()) {
			return false;
		}
		COUNTS.getAndAdd(this.counts, DEAD, 1L);
		COUNTS.getAndAdd(this.counts, RELEASED, 1L);
		return true;
	}

	// ---------------------------------------------------------------- consumer

	/**
	 * Takes the consumer lock, or, when another consumer holds it, asks that one to take
	 * again once it is done (see {@link #unlock()}), so that a consumer never waits.
	 * @return whether the lock was taken
	 */
	boolean lockOrAsk() {
		for (;;) {
			if (tryLock()) {
				// Whoever asked before is served by this consumer.
				COUNTS.setVolatile(this.counts, ASKED, 0L);
				return true;
			}
			COUNTS.setVolatile(this.counts, ASKED, 1L);
			if ((long) COUNTS.getVolatile(this.counts, LOCK) != 0) {
				return false;
			}
		}
	}

	/**
	 * Takes the consumer lock, waiting for it: it is held only for short steps that never
	 * block.
	 */
	void lock() {
		while (!tryLock()) {
			Thread.yield();
		}
		COUNTS.setVolatile(this.counts, ASKED, 0L);
	}

	private boolean tryLock() {
		return (long) COUNTS.getOpaque(this.counts, LOCK) == 0 && COUNTS.compareAndSet(this.counts, LOCK, 0L, 1L);
	}

	/**
	 * Releases the consumer lock.
	 * @return whether another consumer asked meanwhile: then take again
	 */
	boolean unlock() {
		COUNTS.setVolatile(this.counts, LOCK, 0L);
		return (long) COUNTS.getVolatile(this.counts, ASKED) != 0;
	}

	/**
	 * Whether dead links outnumber the live ones (and a few more): the consumer should
	 * {@link #sweep()}.
	 */
	boolean needsSweep() {
		long dead = (long) COUNTS.getOpaque(this.counts, DEAD);
		return dead > SWEEP_THRESHOLD && dead > size();
	}

	/**
	 * Takes the oldest task; call under the consumer lock, and give the room of the tasks
	 * taken back with {@link #taken}.
	 */
	@Nullable ExecutorTask poll() {
		Link head = (Link) ENDS.get(this.ends, HEAD);
		for (;;) {
			Link next = (Link) NEXT.getAcquire(head);
			if (next == null) {
				return null;
			}
			// The link taken becomes the stub; the old one points at itself, for iterators.
			ENDS.setOpaque(this.ends, HEAD, next);
			NEXT.setOpaque(head, head);
			head = next;
			ExecutorTask task = (ExecutorTask) next;
			if (task.claimDequeued()) {
				return task;
			}
			// Cancelled while queued: its room was given back then.
			COUNTS.getAndAdd(this.counts, DEAD, -1L);
		}
	}

	/**
	 * Gives back the room of tasks taken by {@link #poll}.
	 */
	void taken(int tasks) {
		if (tasks > 0) {
			COUNTS.getAndAdd(this.counts, RELEASED, (long) tasks);
		}
	}

	/**
	 * Unlinks the dead links but the last one (producers may be linking after it); call
	 * under the consumer lock.
	 */
	void sweep() {
		Link previous = (Link) ENDS.get(this.ends, HEAD);
		Link current = (Link) NEXT.getAcquire(previous);
		long unlinked = 0;
		while (current != null) {
			Link next = (Link) NEXT.getAcquire(current);
			if (next == null) {
				break;
			}
			if (((ExecutorTask) current).isDequeued()) {
				NEXT.setRelease(previous, next);
				unlinked++;
			}
			else {
				previous = current;
			}
			current = next;
		}
		COUNTS.getAndAdd(this.counts, DEAD, -unlinked);
	}

	// ---------------------------------------------------------------- reading

	int size() {
		long released = (long) COUNTS.getVolatile(this.counts, RELEASED);
		return (int) Math.max(0, (long) COUNTS.getVolatile(this.counts, CLAIMED) - released);
	}

	/**
	 * Whether no task is queued or about to be.
	 */
	boolean isEmpty() {
		return size() == 0;
	}

	int capacity() {
		return this.capacity;
	}

	@Nullable ExecutorTask find(UUID requestId) {
		for (Link link = first(); link != null; link = next(link)) {
			if (link instanceof ExecutorTask task && task.status() == RequestStatus.QUEUED
					&& task.event.hasRequestId(requestId)) {
				return task;
			}
		}
		return null;
	}

	/**
	 * Runs the action for each queued task, oldest first; weakly consistent.
	 */
	void forEach(Consumer<ExecutorTask> action) {
		for (Link link = first(); link != null; link = next(link)) {
			if (link instanceof ExecutorTask task && task.status() == RequestStatus.QUEUED) {
				action.accept(task);
			}
		}
	}

	private @Nullable Link first() {
		return (Link) NEXT.getAcquire((Link) ENDS.getOpaque(this.ends, HEAD));
	}

	private @Nullable Link next(Link link) {
		Link next = (Link) NEXT.getAcquire(link);
		// Taken meanwhile: go on from the current head.
		return (next == link) ? first() : next;
	}

	/**
	 * What links a request into the queue: the request itself, so that queueing it
	 * allocates nothing.
	 */
	static class Link {

		volatile @Nullable Link next;

	}

}
