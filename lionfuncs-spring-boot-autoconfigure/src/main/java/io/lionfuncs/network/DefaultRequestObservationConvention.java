package io.lionfuncs.network;

import java.util.Locale;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;

/**
 * The default {@link RequestObservationConvention}: observations named {@value #NAME},
 * with the low-cardinality key values {@value #EXECUTOR} (the executor's name) and
 * {@value #STATUS} (the terminal status; {@code NONE} while under way), and the
 * high-cardinality one {@value #REQUEST_ID}. The start of the call is an event of the
 * observation ({@link #CALL_STARTED}), so that a trace shows how long the request waited
 * in the queue, for a slot and for tokens.
 */
public class DefaultRequestObservationConvention implements RequestObservationConvention {

	/** The name of the observations. */
	public static final String NAME = "lionfuncs.request";

	/** Low-cardinality key: the executor's name. */
	public static final String EXECUTOR = "executor";

	/** Low-cardinality key: the request's terminal status. */
	public static final String STATUS = "status";

	/** High-cardinality key: the request's id. */
	public static final String REQUEST_ID = "request.id";

	/** The event of the call's start: the end of the wait for a slot and tokens. */
	public static final Observation.Event CALL_STARTED = Observation.Event.of(NAME + ".call-started",
			"call started");

	private static final KeyValue STATUS_NONE = KeyValue.of(STATUS, "NONE");

	@Override
	public String getName() {
		return NAME;
	}

	@Override
	public String getContextualName(RequestObservationContext context) {
		String method = context.getEvent().getMethod();
		return (method != null) ? "lionfuncs " + method.toLowerCase(Locale.ROOT) : "lionfuncs request";
	}

	@Override
	public KeyValues getLowCardinalityKeyValues(RequestObservationContext context) {
		RequestStatus status = context.getStatus();
		return KeyValues.of(KeyValue.of(EXECUTOR, context.getExecutorName()),
				(status != null) ? KeyValue.of(STATUS, status.name()) : STATUS_NONE);
	}

	@Override
	public KeyValues getHighCardinalityKeyValues(RequestObservationContext context) {
		return KeyValues.of(REQUEST_ID, context.getEvent().getRequestId());
	}

}
