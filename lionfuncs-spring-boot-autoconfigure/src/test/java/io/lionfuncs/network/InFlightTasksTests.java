package io.lionfuncs.network;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link InFlightTasks}.
 */
class InFlightTasksTests {

	/** Only the context of tasks is read here: no other stage is needed. */
	private final Completion completion = new Completion(RequestContext.STANDALONE, null, null, null, null, null,
			null, null, null, null, null, null);

	private ExecutorTask newTask() {
		TaskRequest request = TaskRequest.ofStage(CompletableFuture::new).build();
		return new ExecutorTask(this.completion, request);
	}

	@Test
	void tasksAreFoundListedAndRemoved() {
		InFlightTasks inFlight = new InFlightTasks(3);
		ExecutorTask first = newTask();
		ExecutorTask second = newTask();
		inFlight.add(first);
		inFlight.add(second);

		assertThat(inFlight.find(UUID.fromString(second.event.getRequestId()))).isSameAs(second);
		assertThat(inFlight.find(UUID.randomUUID())).isNull();
		assertThat(inFlight.size()).isEqualTo(2);
		inFlight.remove(first);

		assertThat(inFlight.find(UUID.fromString(first.event.getRequestId()))).isNull();
		List<ExecutorTask> listed = new ArrayList<>();
		inFlight.forEach(listed::add);
		assertThat(listed).containsExactly(second);
	}

	@Test
	void freedCellIsFoundWhenEveryOtherCellIsTaken() {
		InFlightTasks inFlight = new InFlightTasks(4);
		List<ExecutorTask> tasks = new ArrayList<>();
		for (int i = 0; i < 4; i++) {
			tasks.add(newTask());
			inFlight.add(tasks.get(i));
		}
		inFlight.remove(tasks.get(1));
		ExecutorTask replacement = newTask();

		inFlight.add(replacement);

		assertThat(replacement.inFlightCell).isEqualTo(tasks.get(1).inFlightCell);
		assertThat(inFlight.size()).isEqualTo(4);
	}

	@Test
	void limitBeyondTheCellsSpillsOver() {
		int limit = InFlightTasks.MAX_CELLS + 10;
		InFlightTasks inFlight = new InFlightTasks(limit);
		List<ExecutorTask> tasks = new ArrayList<>();
		for (int i = 0; i < limit; i++) {
			tasks.add(newTask());
			inFlight.add(tasks.get(i));
		}

		assertThat(inFlight.size()).isEqualTo(limit);
		ExecutorTask spilled = tasks.get(limit - 1);
		assertThat(inFlight.find(UUID.fromString(spilled.event.getRequestId()))).isSameAs(spilled);
		tasks.forEach(inFlight::remove);
		assertThat(inFlight.size()).isZero();
	}

}
