package io.lionfuncs.network;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

import io.lionfuncs.network.budget.ExecutorPauseListener;
import io.lionfuncs.network.limit.TokenBucketFactory;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Scheduler;

/**
 * The {@link Executor.Builder}: what an executor is made of besides its settings.
 */
final class ExecutorBuilder implements Executor.Builder {

	ExecutorSettings settings = ExecutorSettings.defaults();

	@Nullable Scheduler scheduler;

	Clock clock = Clock.systemUTC();

	LongSupplier nanoClock = System::nanoTime;

	@Nullable TokenBucketFactory bucketFactory;

	final List<RequestStatusListener> listeners = new ArrayList<>();

	@Nullable UsageExtractor usageExtractor;

	final List<ExecutorPauseListener> pauseListeners = new ArrayList<>();

	// Typed loosely so that an executor without observations needs no Micrometer class.
	@Nullable Object observationRegistry;

	@Nullable Object observationConvention;

	@Override
	public Executor.Builder settings(ExecutorSettings settings) {
		this.settings = Objects.requireNonNull(settings, "settings must not be null");
		return this;
	}

	@Override
	public Executor.Builder scheduler(Scheduler scheduler) {
		this.scheduler = scheduler;
		return this;
	}

	@Override
	public Executor.Builder clock(Clock clock) {
		this.clock = Objects.requireNonNull(clock, "clock must not be null");
		return this;
	}

	@Override
	public Executor.Builder nanoClock(LongSupplier nanoClock) {
		this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock must not be null");
		return this;
	}

	@Override
	public Executor.Builder bucketFactory(TokenBucketFactory bucketFactory) {
		this.bucketFactory = bucketFactory;
		return this;
	}

	@Override
	public Executor.Builder listener(RequestStatusListener listener) {
		this.listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
		return this;
	}

	@Override
	public Executor.Builder usageExtractor(@Nullable UsageExtractor usageExtractor) {
		this.usageExtractor = usageExtractor;
		return this;
	}

	@Override
	public Executor.Builder pauseListener(ExecutorPauseListener listener) {
		this.pauseListeners.add(Objects.requireNonNull(listener, "listener must not be null"));
		return this;
	}

	@Override
	public Executor.Builder observationRegistry(@Nullable ObservationRegistry observationRegistry) {
		this.observationRegistry = observationRegistry;
		return this;
	}

	@Override
	public Executor.Builder observationConvention(@Nullable RequestObservationConvention observationConvention) {
		this.observationConvention = observationConvention;
		return this;
	}

	@Override
	public Executor build() {
		return new Executor(new ExecutorStages(this));
	}

	/**
	 * The tracing of the executor's requests, when an observation registry was given.
	 */
	@Nullable RequestTracing tracing() {
		return (this.observationRegistry != null) ? RequestTracing.of(this.settings.name(),
				(ObservationRegistry) this.observationRegistry,
				(RequestObservationConvention) this.observationConvention) : null;
	}

}
