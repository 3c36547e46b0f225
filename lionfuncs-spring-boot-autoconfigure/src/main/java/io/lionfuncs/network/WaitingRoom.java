package io.lionfuncs.network;

import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;

/**
 * The submitters waiting for room in a full queue under {@link QueueFullPolicy#WAIT},
 * oldest first, admitted into the queue as room frees up.
 */
final class WaitingRoom {

	private final ConcurrentLinkedQueue<WaitingSubmission> waiting = new ConcurrentLinkedQueue<>();

	private final TaskQueue queue;

	private final DispatchLanes lanes;

	WaitingRoom(TaskQueue queue, DispatchLanes lanes) {
		this.queue = queue;
		this.lanes = lanes;
	}

	boolean isEmpty() {
		return this.waiting.isEmpty();
	}

	int size() {
		return this.waiting.size();
	}

	void add(WaitingSubmission submission) {
		this.waiting.add(submission);
	}

	boolean remove(WaitingSubmission submission) {
		return this.waiting.remove(submission);
	}

	@Nullable WaitingSubmission poll() {
		return this.waiting.poll();
	}

	/**
	 * Admits waiting submitters, oldest first, while there is room in the queue.
	 */
	void admit() {
		while (!this.waiting.isEmpty()) {
			if (!this.queue.claim()) {
				return;
			}
			WaitingSubmission submission = this.waiting.poll();
			if (submission == null) {
				this.queue.unclaim();
				return;
			}
			if (!submission.settle()) {
				this.queue.unclaim();
				continue;
			}
			submission.disposeTimeout();
			ExecutorTask task = submission.task;
			if (task.advance(RequestStatus.QUEUED) == null) {
				this.queue.unclaim();
				submission.admitted.completeExceptionally(new CancellationException(task.event.getErrorMessage()));
				continue;
			}
			this.queue.add(task);
			this.lanes.signal();
			submission.admitted.complete(task.event);
		}
	}

	/**
	 * Withdraws a task cancelled while it waited for room.
	 */
	void withdraw(ExecutorTask task, String reason) {
		for (WaitingSubmission submission : this.waiting) {
			if (submission.task == task) {
				if (submission.settle()) {
					this.waiting.remove(submission);
					submission.disposeTimeout();
					submission.admitted.completeExceptionally(new CancellationException(reason));
				}
				return;
			}
		}
	}

	@Nullable ExecutorTask find(UUID requestId) {
		for (WaitingSubmission submission : this.waiting) {
			if (submission.task.event.hasRequestId(requestId)) {
				return submission.task;
			}
		}
		return null;
	}

	/**
	 * A submission waiting for room in a full queue.
	 */
	static final class WaitingSubmission {

		final ExecutorTask task;

		final CompletableFuture<NetworkRequestEvent> admitted = new CompletableFuture<>();

		private final AtomicBoolean settled = new AtomicBoolean();

		volatile @Nullable Disposable timeout;

		WaitingSubmission(ExecutorTask task) {
			this.task = task;
		}

		boolean settle() {
			return this.settled.compareAndSet(false, true);
		}

		void disposeTimeout() {
			Disposable current = this.timeout;
			if (current != null) {
				current.dispose();
			}
		}

	}

}
