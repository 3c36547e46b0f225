package io.lionfuncs.network;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link TaskQueue}.
 */
class TaskQueueTests {

	/** Only the context of tasks is read here: no other stage is needed. */
	private final Completion completion = new Completion(RequestContext.STANDALONE, null, null, null, null, null,
			null, null, null, null, null, null);

	private ExecutorTask queuedTask() {
		ExecutorTask task = new ExecutorTask(this.completion, TaskRequest.ofStage(CompletableFuture::new).build());
		task.queueUnpublished();
		return task;
	}

	private static List<ExecutorTask> drain(TaskQueue queue) {
		List<ExecutorTask> taken = new ArrayList<>();
		assertThat(queue.lockOrAsk()).isTrue();
		for (ExecutorTask task = queue.poll(); task != null; task = queue.poll()) {
			taken.add(task);
		}
		queue.taken(taken.size());
		queue.unlock();
		return taken;
	}

	@Test
	void tasksAreTakenInTheOrderAddedAndRoomIsBoundedByTheCapacity() {
		TaskQueue queue = new TaskQueue(2);
		ExecutorTask first = queuedTask();
		ExecutorTask second = queuedTask();
		assertThat(queue.claim()).isTrue();
		queue.add(first);
		assertThat(queue.claim()).isTrue();
		queue.add(second);

		assertThat(queue.claim()).isFalse();
		assertThat(queue.size()).isEqualTo(2);
		List<ExecutorTask> seen = new ArrayList<>();
		queue.forEach(seen::add);
		assertThat(seen).containsExactly(first, second);
		assertThat(queue.find(java.util.UUID.fromString(second.event.getRequestId()))).isSameAs(second);

		assertThat(drain(queue)).containsExactly(first, second);
		assertThat(queue.isEmpty()).isTrue();
		assertThat(queue.claim()).isTrue();
	}

	@Test
	void aTaskRemovedWhileQueuedGivesItsRoomBackAtOnceAndIsSkipped() {
		TaskQueue queue = new TaskQueue(2);
		ExecutorTask removed = queuedTask();
		ExecutorTask kept = queuedTask();
		queue.claim();
		queue.add(removed);
		queue.claim();
		queue.add(kept);
		removed.finishCancelled("cancelled");

		assertThat(queue.remove(removed)).isTrue();
		assertThat(queue.remove(removed)).isFalse();

		assertThat(queue.size()).isEqualTo(1);
		assertThat(queue.claim()).isTrue();
		queue.unclaim();
		List<ExecutorTask> seen = new ArrayList<>();
		queue.forEach(seen::add);
		assertThat(seen).containsExactly(kept);
		assertThat(drain(queue)).containsExactly(kept);
		assertThat(queue.size()).isZero();
	}

	@Test
	void aTaskTakenCannotBeRemovedAnyMore() {
		TaskQueue queue = new TaskQueue(1);
		ExecutorTask task = queuedTask();
		queue.claim();
		queue.add(task);

		assertThat(drain(queue)).containsExactly(task);

		assertThat(queue.remove(task)).isFalse();
		assertThat(queue.size()).isZero();
	}

	@Test
	void deadLinksOutnumberingTheLiveOnesAreSweptOut() {
		TaskQueue queue = new TaskQueue(1000);
		List<ExecutorTask> tasks = new ArrayList<>();
		for (int i = 0; i < 200; i++) {
			ExecutorTask task = queuedTask();
			queue.claim();
			queue.add(task);
			tasks.add(task);
		}
		for (ExecutorTask task : tasks.subList(0, 199)) {
			task.finishCancelled("cancelled");
			queue.remove(task);
		}
		assertThat(queue.needsSweep()).isTrue();

		assertThat(queue.lockOrAsk()).isTrue();
		queue.sweep();
		queue.unlock();

		assertThat(queue.needsSweep()).isFalse();
		assertThat(drain(queue)).containsExactly(tasks.get(199));
	}

	@Test
	void aConsumerFindingTheLockHeldAsksItsHolderToTakeAgain() {
		TaskQueue queue = new TaskQueue(1);
		assertThat(queue.lockOrAsk()).isTrue();

		assertThat(queue.lockOrAsk()).isFalse();

		assertThat(queue.unlock()).isTrue();
		assertThat(queue.lockOrAsk()).isTrue();
		assertThat(queue.unlock()).isFalse();
	}

}
