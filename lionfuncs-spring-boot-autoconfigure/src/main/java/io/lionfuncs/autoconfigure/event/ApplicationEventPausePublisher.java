package io.lionfuncs.autoconfigure.event;

import io.lionfuncs.network.budget.ExecutorPause;
import io.lionfuncs.network.budget.ExecutorPauseListener;

import org.springframework.context.ApplicationEventPublisher;

/**
 * Republishes the pauses of every executor as {@link ExecutorPausedEvent}s.
 */
final class ApplicationEventPausePublisher implements ExecutorPauseListener {

	private final ApplicationEventPublisher publisher;

	ApplicationEventPausePublisher(ApplicationEventPublisher publisher) {
		this.publisher = publisher;
	}

	@Override
	public void onPause(ExecutorPause pause) {
		this.publisher.publishEvent(new ExecutorPausedEvent(pause));
	}

}
