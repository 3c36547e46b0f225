package io.lionfuncs.network;

import java.util.Iterator;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * The executor's bounded FIFO queue, lock-free: capacity is claimed with a counter
 * before an element is added, so the bound holds under any number of producers.
 */
final class TaskQueue {

	private final ConcurrentLinkedQueue<ExecutorTask> tasks = new ConcurrentLinkedQueue<>();

	private final AtomicInteger size = new AtomicInteger();

	private final int capacity;

	TaskQueue(int capacity) {
		this.capacity = capacity;
	}

	/**
	 * Claims room for one task.
	 * @return whether room was claimed; pair with {@link #add} or {@link #unclaim}
	 */
	boolean claim() {
		for (;;) {
			int current = this.size.get();
			if (current >= this.capacity) {
				return false;
			}
			if (this.size.compareAndSet(current, current + 1)) {
				return true;
			}
		}
	}

	void unclaim() {
		this.size.decrementAndGet();
	}

	/**
	 * Adds a task into room claimed before.
	 */
	void add(ExecutorTask task) {
		this.tasks.add(task);
	}

	@Nullable ExecutorTask poll() {
		ExecutorTask task = this.tasks.poll();
		if (task != null) {
			this.size.decrementAndGet();
		}
		return task;
	}

	boolean remove(ExecutorTask task) {
		if (this.tasks.remove(task)) {
			this.size.decrementAndGet();
			return true;
		}
		return false;
	}

	int size() {
		return this.size.get();
	}

	/**
	 * Whether no task is queued or about to be.
	 */
	boolean isEmpty() {
		return this.size.get() == 0;
	}

	int capacity() {
		return this.capacity;
	}

	@Nullable ExecutorTask find(UUID requestId) {
		for (Iterator<ExecutorTask> it = this.tasks.iterator(); it.hasNext();) {
			ExecutorTask task = it.next();
			if (task.event.hasRequestId(requestId)) {
				return task;
			}
		}
		return null;
	}

	void forEach(Consumer<ExecutorTask> action) {
		this.tasks.forEach(action);
	}

}
