package io.lionfuncs.autoconfigure.event;

import java.time.Instant;

import io.lionfuncs.network.budget.ExecutorPause;

import org.springframework.context.ApplicationEvent;

/**
 * Published when a lionfuncs executor pauses dispatch (or extends a pause): its provider
 * answered 429, or reported that nothing remains of a limit, so no call leaves before
 * {@link #getPausedUntil()}.
 *
 * @since 0.1.0
 */
public class ExecutorPausedEvent extends ApplicationEvent {

	private final ExecutorPause pause;

	/**
	 * Creates a new event.
	 * @param pause the pause (its executor's name is the event source)
	 */
	public ExecutorPausedEvent(ExecutorPause pause) {
		super(pause.executorName());
		this.pause = pause;
	}

	public String getExecutorName() {
		return this.pause.executorName();
	}

	public Instant getPausedUntil() {
		return this.pause.pausedUntil();
	}

	public ExecutorPause getPause() {
		return this.pause;
	}

	@Override
	public String toString() {
		return "ExecutorPausedEvent[" + getExecutorName() + " until " + getPausedUntil() + ": " + this.pause.reason()
				+ "]";
	}

}
