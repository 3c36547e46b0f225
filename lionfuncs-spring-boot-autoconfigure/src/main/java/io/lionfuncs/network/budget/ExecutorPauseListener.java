package io.lionfuncs.network.budget;

/**
 * Told when an {@link io.lionfuncs.network.Executor} pauses, or extends a pause, so that
 * a pause can be announced (a Spring {@code ApplicationEvent}, an event handler, a log).
 * Called on the thread that received the response that caused it: must not block.
 */
@FunctionalInterface
public interface ExecutorPauseListener {

	/**
	 * The executor paused until {@link ExecutorPause#pausedUntil()}.
	 * @param pause the pause
	 */
	void onPause(ExecutorPause pause);

}
