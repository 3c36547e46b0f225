package io.lionfuncs.network;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

/**
 * The tasks holding a concurrency slot, kept so that they can be found, listed and
 * cancelled. Adding and removing sit on the hot path, so each task takes a cell of a
 * fixed array (no hashing, locking or allocation) and gives it back when it ends; a
 * concurrency limit beyond the array's size spills into a concurrent set.
 * <p>
 * Tasks are added by one dispatcher at a time (under the queue's consumer lock), and
 * removed from any thread before their concurrency slot is released, so
 * an adder holding a slot always finds a free cell when the limit fits the array.
 */
final class InFlightTasks {

	/** Cells beyond this many would make scans too long; the rest spill over. */
	static final int MAX_CELLS = 1024;

	private static final int SPILLED = -1;

	private final AtomicReferenceArray<@Nullable ExecutorTask> cells;

	private final Set<ExecutorTask> spilled = ConcurrentHashMap.newKeySet();

	// Guarded by the queue's consumer lock.
	private int cursor;

	InFlightTasks(int concurrencyLimit) {
		this.cells = new AtomicReferenceArray<>(Math.min(concurrencyLimit, MAX_CELLS));
	}

	/**
	 * Adds a task. Only one thread at a time may add.
	 */
	void add(ExecutorTask task) {
		int length = this.cells.length();
		int index = this.cursor;
		for (int tried = 0; tried < length; tried++) {
			if (this.cells.get(index) == null) {
				task.inFlightCell = index;
				// Released: whoever finds the task sees it whole; the slot's CAS orders the rest.
				this.cells.setRelease(index, task);
				this.cursor = (index + 1 < length) ? index + 1 : 0;
				return;
			}
			index = (index + 1 < length) ? index + 1 : 0;
		}
		task.inFlightCell = SPILLED;
		this.spilled.add(task);
	}

	/**
	 * Removes a task added before.
	 */
	void remove(ExecutorTask task) {
		int index = task.inFlightCell;
		if (index == SPILLED) {
			this.spilled.remove(task);
		}
		else if (this.cells.get(index) == task) {
			this.cells.setRelease(index, null);
		}
	}

	void forEach(Consumer<ExecutorTask> action) {
		for (int i = 0; i < this.cells.length(); i++) {
			ExecutorTask task = this.cells.get(i);
			if (task != null) {
				action.accept(task);
			}
		}
		this.spilled.forEach(action);
	}

	@Nullable ExecutorTask find(UUID requestId) {
		for (int i = 0; i < this.cells.length(); i++) {
			ExecutorTask task = this.cells.get(i);
			if (task != null && task.event.hasRequestId(requestId)) {
				return task;
			}
		}
		for (ExecutorTask task : this.spilled) {
			if (task.event.hasRequestId(requestId)) {
				return task;
			}
		}
		return null;
	}

	/**
	 * How many of the tasks wait for their tokens ({@code PROCESSING}) and how many call.
	 * @return the two counts
	 */
	int[] countProcessingAndCalling() {
		int[] counts = new int[2];
		forEach((task) -> {
			RequestStatus status = task.status();
			if (status == RequestStatus.PROCESSING) {
				counts[0]++;
			}
			else if (status == RequestStatus.CALLING) {
				counts[1]++;
			}
		});
		return counts;
	}

	/**
	 * What the tasks holding a slot but not yet sent have reserved: the provider has not
	 * counted them yet, so a reported remaining budget must leave room for them.
	 */
	BudgetGate.Reservations reservedNotSent() {
		long[] reserved = new long[2];
		forEach((task) -> {
			if (task.status() == RequestStatus.PROCESSING) {
				reserved[0]++;
				if (task.reservedApiTokens()) {
					reserved[1] += task.apiTokens();
				}
			}
		});
		return new BudgetGate.Reservations(reserved[0], reserved[1]);
	}

	int size() {
		int[] size = new int[1];
		forEach((task) -> size[0]++);
		return size[0];
	}

}
