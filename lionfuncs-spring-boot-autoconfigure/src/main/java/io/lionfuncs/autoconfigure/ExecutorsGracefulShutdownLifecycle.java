package io.lionfuncs.autoconfigure;

import java.util.Comparator;
import java.util.List;

import io.lionfuncs.network.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;

/**
 * Begins the graceful stop of every {@link Executor} bean in the phase of the web
 * server's graceful shutdown, so that the two run side by side: the executors accept
 * nothing new, run what is queued within their limits and cancel what is left after
 * their shutdown timeout, and a web request waiting on queued calls gets its answer
 * while the web server still waits for it. It does not wait for the drain (the web
 * server, waiting for its requests, does; {@link ExecutorsLifecycle} finishes the stop in
 * a later phase), so an immediate server shutdown or an application without a web
 * server is not held up here.
 * <p>
 * On start it makes sure that the phase may last as long as the longest shutdown
 * timeout plus a margin (see {@link ShutdownPhaseTimeout}).
 */
class ExecutorsGracefulShutdownLifecycle implements SmartLifecycle {

	/**
	 * The phase of Spring Boot's {@code WebServerGracefulShutdownLifecycle}
	 * ({@code SMART_LIFECYCLE_PHASE}).
	 */
	static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

	private static final Logger logger = LoggerFactory.getLogger(ExecutorsGracefulShutdownLifecycle.class);

	private final ObjectProvider<Executor> executors;

	private final ShutdownPhaseTimeout phaseTimeout;

	private volatile boolean running;

	ExecutorsGracefulShutdownLifecycle(ObjectProvider<Executor> executors, ShutdownPhaseTimeout phaseTimeout) {
		this.executors = executors;
		this.phaseTimeout = phaseTimeout;
	}

	@Override
	public void start() {
		this.executors.orderedStream()
			.max(Comparator.comparing((Executor executor) -> executor.getSettings().shutdownTimeout()))
			.ifPresent((longest) -> this.phaseTimeout.fit(PHASE, longest.getSettings().shutdownTimeout(),
					longest.getName()));
		this.running = true;
	}

	/**
	 * Begins the drain of every running executor and returns at once.
	 */
	@Override
	public void stop() {
		this.running = false;
		List<Executor> running = this.executors.orderedStream().filter(Executor::isRunning).toList();
		for (Executor executor : running) {
			int queued = executor.stats().queueDepth();
			if (queued > 0) {
				logger.info("Commencing graceful stop of executor '{}': {} queued calls run within its limits, "
						+ "those still waiting after {} are cancelled", executor.getName(), queued,
						executor.getSettings().shutdownTimeout());
			}
			executor.stopAsync(true);
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
