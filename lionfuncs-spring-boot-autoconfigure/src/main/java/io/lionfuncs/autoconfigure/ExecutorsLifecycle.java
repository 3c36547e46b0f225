package io.lionfuncs.autoconfigure;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.RequestStatusListener;
import io.lionfuncs.network.budget.ExecutorPauseListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;

/**
 * Starts every {@link Executor} bean, with every {@link RequestStatusListener} and
 * {@link ExecutorPauseListener} bean attached, and finishes their graceful stop on
 * shutdown: it waits until every event they were given is terminal, after the web server
 * has stopped and before the event manager and the HTTP connection pools close. The
 * drain itself begins earlier, with the web server's graceful shutdown (see
 * {@link ExecutorsGracefulShutdownLifecycle}); without it (a context that has no such
 * bean), the stop begins here.
 *
 * @since 0.1.0
 */
class ExecutorsLifecycle implements SmartLifecycle {

	/**
	 * Starts after the connection pools ({@code ReactorResourceFactory}, phase 0) and
	 * before the web server; stops in the reverse order.
	 */
	public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

	private static final Logger logger = LoggerFactory.getLogger(ExecutorsLifecycle.class);

	private final ObjectProvider<Executor> executors;

	private final ObjectProvider<RequestStatusListener> listeners;

	private final Supplier<List<ExecutorPauseListener>> pauseListeners;

	private final Set<Executor> withListeners = ConcurrentHashMap.newKeySet();

	private volatile boolean running;

	ExecutorsLifecycle(ObjectProvider<Executor> executors, ObjectProvider<RequestStatusListener> listeners) {
		this.executors = executors;
		this.listeners = listeners;
		this.pauseListeners = List::of;
	}

	ExecutorsLifecycle(ObjectProvider<Executor> executors, ObjectProvider<RequestStatusListener> listeners,
			ObjectProvider<ExecutorPauseListener> pauseListeners) {
		this.executors = executors;
		this.listeners = listeners;
		this.pauseListeners = () -> pauseListeners.orderedStream().toList();
	}

	@Override
	public void start() {
		List<RequestStatusListener> statusListeners = this.listeners.orderedStream().toList();
		List<ExecutorPauseListener> pauseListeners = this.pauseListeners.get();
		this.executors.orderedStream().forEach((executor) -> {
			if (this.withListeners.add(executor)) {
				statusListeners.forEach(executor::addListener);
				pauseListeners.forEach(executor::addPauseListener);
			}
			executor.start();
		});
		this.running = true;
	}

	/**
	 * Stops every executor gracefully and returns once each one is stopped (or gave up
	 * after its shutdown timeout and grace period). It blocks on purpose, instead of
	 * calling back later: the lifecycle processor only moves on to the event manager and
	 * the connection pools once this returns, whatever its phase timeout.
	 */
	@Override
	public void stop() {
		this.running = false;
		List<Executor> executors = this.executors.orderedStream().toList();
		// every drain runs at once (a drain already under way goes on); then wait for each
		executors.forEach((executor) -> executor.stopAsync(true));
		for (Executor executor : executors) {
			try {
				executor.stop(true);
			}
			catch (RuntimeException ex) {
				logger.warn("Executor '{}' did not stop cleanly", executor.getName(), ex);
			}
		}
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	@Override
	public int getPhase() {
		return PHASE;
	}

}
