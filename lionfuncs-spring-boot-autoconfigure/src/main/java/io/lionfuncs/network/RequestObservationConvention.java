package io.lionfuncs.network;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * An {@link ObservationConvention} for the {@code lionfuncs.request} observations of an
 * {@link Executor}; give one to {@link Executor.Builder#observationConvention} (or
 * declare it as a bean in Spring) to change their name or key values.
 *
 * @see DefaultRequestObservationConvention
 */
public interface RequestObservationConvention extends ObservationConvention<RequestObservationContext> {

	@Override
	default boolean supportsContext(Observation.Context context) {
		return context instanceof RequestObservationContext;
	}

}
