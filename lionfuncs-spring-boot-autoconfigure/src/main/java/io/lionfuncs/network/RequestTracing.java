package io.lionfuncs.network;

import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import org.jspecify.annotations.Nullable;
import reactor.util.context.Context;

import org.springframework.util.ClassUtils;

/**
 * Carries each request's caller context into the executor's threads, and observes the
 * request as {@code lionfuncs.request} from its submission to its end. The stages call
 * it only when the executor was given an {@link ObservationRegistry} that is not a
 * no-op; without one they skip it and do no tracing work at all.
 * <p>
 * At submission the caller's current observation becomes the parent of the request's
 * observation and, when Micrometer's context-propagation is on the class path, the
 * caller's thread-local context is captured. Around the call's start the captured
 * context and the request's observation are made current (for a Reactor call they are
 * written into its subscriber context instead), so that the HTTP client's own
 * observation is a child of the request's; around the grant of a lease and the
 * completion of the request's futures the caller's context is restored, so that what
 * runs there continues the caller's trace.
 */
final class RequestTracing {

	private static final boolean CONTEXT_PROPAGATION = ClassUtils
		.isPresent("io.micrometer.context.ContextSnapshotFactory", RequestTracing.class.getClassLoader());

	private static final DefaultRequestObservationConvention DEFAULT_CONVENTION = new DefaultRequestObservationConvention();

	private final String executorName;

	private final ObservationRegistry registry;

	private final @Nullable RequestObservationConvention convention;

	private final @Nullable ContextSnapshotFactory snapshots;

	private RequestTracing(String executorName, ObservationRegistry registry,
			@Nullable RequestObservationConvention convention) {
		this.executorName = executorName;
		this.registry = registry;
		this.convention = convention;
		this.snapshots = CONTEXT_PROPAGATION ? ContextSnapshotFactory.builder().build() : null;
	}

	/**
	 * The tracing of an executor.
	 * @return the tracing, or {@code null} without a registry or with a no-op one
	 */
	static @Nullable RequestTracing of(String executorName, @Nullable ObservationRegistry registry,
			@Nullable RequestObservationConvention convention) {
		return (registry != null && !registry.isNoop()) ? new RequestTracing(executorName, registry, convention)
				: null;
	}

	/**
	 * Starts observing a request being submitted, as a child of the caller's current
	 * observation, and captures the caller's context.
	 */
	void submitted(ExecutorTask task) {
		RequestObservationContext context = new RequestObservationContext(this.executorName, task.event);
		Observation observation = Observation
			.createNotStarted(this.convention, DEFAULT_CONVENTION, () -> context, this.registry)
			.start();
		ContextSnapshot snapshot = (this.snapshots != null) ? this.snapshots.captureAll() : null;
		task.traced = new Traced(observation, context, snapshot);
	}

	/**
	 * Starts a call with the caller's context and the request's observation current.
	 */
	void startCall(ExecutorTask task, Runnable start) {
		Traced traced = traced(task);
		if (traced == null) {
			start.run();
			return;
		}
		traced.observation.event(DefaultRequestObservationConvention.CALL_STARTED);
		try (Scopes scopes = traced.open(true)) {
			start.run();
		}
	}

	/**
	 * The subscriber context of a Reactor call: the caller's context, with the request's
	 * observation as the current one.
	 */
	Context subscriberContext(ExecutorTask task, Context context) {
		Traced traced = traced(task);
		if (traced == null) {
			return context;
		}
		Context updated = (traced.snapshot != null) ? traced.snapshot.updateContext(context) : context;
		return updated.put(ObservationThreadLocalAccessor.KEY, traced.observation);
	}

	/**
	 * Ends the observation of a request that is terminal.
	 */
	void ended(ExecutorTask task) {
		Traced traced = traced(task);
		if (traced == null) {
			return;
		}
		RequestStatus status = task.status();
		traced.context.setStatus(status);
		Throwable error = task.event.getError();
		if (error != null) {
			traced.observation.error(error);
		}
		traced.observation.stop();
	}

	/**
	 * Runs what follows the end of a request (its listeners and awaiting callers) in the
	 * caller's context.
	 */
	void asCaller(ExecutorTask task, Runnable action) {
		Traced traced = traced(task);
		if (traced == null) {
			action.run();
			return;
		}
		try (Scopes scopes = traced.open(false)) {
			action.run();
		}
	}

	private static @Nullable Traced traced(ExecutorTask task) {
		return (task.traced instanceof Traced traced) ? traced : null;
	}

	/**
	 * What is kept of a request for its tracing.
	 */
	private record Traced(Observation observation, RequestObservationContext context,
			@Nullable ContextSnapshot snapshot) {

		/**
		 * Restores the caller's context, and makes the request's observation current too
		 * when asked.
		 */
		Scopes open(boolean withObservation) {
			ContextSnapshot.Scope restored = (this.snapshot != null) ? this.snapshot.setThreadLocals() : null;
			Observation.Scope scope = withObservation ? this.observation.openScope() : null;
			return new Scopes(restored, scope);
		}

	}

	/**
	 * The scopes opened around a step, closed in the reverse order.
	 */
	private record Scopes(ContextSnapshot.@Nullable Scope restored,
			Observation.@Nullable Scope observation) implements AutoCloseable {

		@Override
		public void close() {
			if (this.observation != null) {
				this.observation.close();
			}
			if (this.restored != null) {
				this.restored.close();
			}
		}

	}

}
