package io.lionfuncs.autoconfigure;

import io.lionfuncs.event.EventManager;

import org.springframework.context.SmartLifecycle;

/**
 * Starts the {@link EventManager} before the executors start publishing to it, and
 * closes it after they stopped, so that the last events are delivered or left in the
 * spool for the next start.
 *
 * @since 0.1.0
 */
class EventManagerLifecycle implements SmartLifecycle {

	private final EventManager eventManager;

	EventManagerLifecycle(EventManager eventManager) {
		this.eventManager = eventManager;
	}

	@Override
	public void start() {
		this.eventManager.start();
	}

	@Override
	public void stop() {
		this.eventManager.close();
	}

	@Override
	public boolean isRunning() {
		return this.eventManager.isRunning();
	}

	/**
	 * An event manager cannot be restarted once closed, so it keeps running while a
	 * context is paused (as cached test contexts are) and closes when the context stops.
	 * @return {@code false}
	 */
	@Override
	public boolean isPauseable() {
		return false;
	}

	@Override
	public int getPhase() {
		return ExecutorsLifecycle.PHASE - 1;
	}

}
