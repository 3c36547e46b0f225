package io.lionfuncs.autoconfigure;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
 * {@link ExecutorPauseListener} bean attached, and stops them gracefully on shutdown: after the web server has stopped
 * taking requests and before the HTTP connection pools close.
 *
 * @since 0.1.0
 */
public class ExecutorsLifecycle implements SmartLifecycle {

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

	public ExecutorsLifecycle(ObjectProvider<Executor> executors, ObjectProvider<RequestStatusListener> listeners) {
		this.executors = executors;
		this.listeners = listeners;
		this.pauseListeners = List::of;
	}

	public ExecutorsLifecycle(ObjectProvider<Executor> executors, ObjectProvider<RequestStatusListener> listeners,
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

	@Override
	public void stop() {
		stopAll().join();
	}

	@Override
	public void stop(Runnable callback) {
		stopAll().whenComplete((result, ex) -> {
			if (ex != null) {
				logger.warn("Executors did not stop cleanly", ex);
			}
			callback.run();
		});
	}

	private CompletableFuture<Void> stopAll() {
		this.running = false;
		return CompletableFuture.allOf(this.executors.orderedStream()
			.map((executor) -> executor.stopAsync(true))
			.toArray(CompletableFuture[]::new));
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
