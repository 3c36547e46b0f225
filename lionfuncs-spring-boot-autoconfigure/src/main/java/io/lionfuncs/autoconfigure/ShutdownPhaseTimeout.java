package io.lionfuncs.autoconfigure;

import java.time.Duration;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.LifecycleProcessor;
import org.springframework.context.support.DefaultLifecycleProcessor;

/**
 * Gives a shutdown phase in which executors drain enough time: at least the longest
 * executor shutdown timeout plus {@link #MARGIN}, so that the web requests waiting on
 * queued calls are answered before the lifecycle processor gives up on the web server's
 * graceful shutdown. The timeout of that one phase is raised on the context's
 * {@link DefaultLifecycleProcessor}, never lowered: a phase timeout already long enough
 * ({@value #PROPERTY}, or 10 seconds, the processor's own default, without Spring
 * Boot's lifecycle auto-configuration) is left alone. Another kind of lifecycle processor
 * cannot be told, so a warning names the property to raise.
 */
final class ShutdownPhaseTimeout {

	/**
	 * How much longer than the drain the phase may last: time to cancel what is left and
	 * answer the web requests that waited on it.
	 */
	static final Duration MARGIN = Duration.ofSeconds(5);

	static final String PROPERTY = "spring.lifecycle.timeout-per-shutdown-phase";

	private static final Duration PROCESSOR_DEFAULT = Duration.ofSeconds(10);

	private static final Logger logger = LoggerFactory.getLogger(ShutdownPhaseTimeout.class);

	private final Supplier<@Nullable LifecycleProcessor> processor;

	private final Supplier<@Nullable Duration> timeoutPerPhase;

	private final boolean configuredExplicitly;

	/**
	 * Creates an instance.
	 * @param processor the context's lifecycle processor
	 * @param timeoutPerPhase the value of {@value #PROPERTY}, {@code null} when Spring
	 * Boot's lifecycle auto-configuration is absent
	 * @param configuredExplicitly whether {@value #PROPERTY} is set: a raise above it is
	 * logged at INFO, and at DEBUG otherwise
	 */
	ShutdownPhaseTimeout(Supplier<@Nullable LifecycleProcessor> processor,
			Supplier<@Nullable Duration> timeoutPerPhase, boolean configuredExplicitly) {
		this.processor = processor;
		this.timeoutPerPhase = timeoutPerPhase;
		this.configuredExplicitly = configuredExplicitly;
	}

	/**
	 * Makes the phase last long enough for a drain.
	 * @param phase the shutdown phase
	 * @param shutdownTimeout the longest shutdown timeout of the executors draining in it
	 * @param executorName the executor that has it
	 */
	void fit(int phase, Duration shutdownTimeout, String executorName) {
		Duration needed = shutdownTimeout.plus(MARGIN);
		Duration perPhase = this.timeoutPerPhase.get();
		Duration current = (perPhase != null) ? perPhase : PROCESSOR_DEFAULT;
		if (needed.compareTo(current) <= 0) {
			return;
		}
		if (this.processor.get() instanceof DefaultLifecycleProcessor defaultProcessor) {
			defaultProcessor.setTimeoutForShutdownPhase(phase, needed.toMillis());
			String message = "Shutdown phase {} (the web server's graceful shutdown) may last up to {} instead of "
					+ "{}{}: executor '{}' drains for up to {} (its shutdown-timeout) and web requests waiting on "
					+ "its calls need their answer";
			if (this.configuredExplicitly) {
				logger.info(message, phase, needed, current, " (" + PROPERTY + ")", executorName, shutdownTimeout);
			}
			else {
				logger.debug(message, phase, needed, current, "", executorName, shutdownTimeout);
			}
		}
		else {
			logger.warn("Executor '{}' drains for up to {} (its shutdown-timeout) but shutdown phase {} ends after "
					+ "{}: web requests waiting on its calls may be cut off. Set the timeout of that phase, or {}, "
					+ "to at least {}, or lower the executor's shutdown-timeout.", executorName, shutdownTimeout,
					phase, current, PROPERTY, needed);
		}
	}

}
