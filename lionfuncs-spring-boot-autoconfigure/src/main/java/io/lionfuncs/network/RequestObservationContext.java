package io.lionfuncs.network;

import io.micrometer.observation.Observation;
import org.jspecify.annotations.Nullable;

/**
 * The context of the {@code lionfuncs.request} observation of one request: from its
 * submission, through its wait in the queue and for slots and tokens, to the end of its
 * call.
 *
 * @see RequestObservationConvention
 */
public final class RequestObservationContext extends Observation.Context {

	private final String executorName;

	private final NetworkRequestEvent event;

	private @Nullable RequestStatus status;

	RequestObservationContext(String executorName, NetworkRequestEvent event) {
		this.executorName = executorName;
		this.event = event;
	}

	/**
	 * The executor the request runs in.
	 * @return its name
	 */
	public String getExecutorName() {
		return this.executorName;
	}

	/**
	 * The request observed.
	 * @return its event, whose status and stamps change as the request goes on
	 */
	public NetworkRequestEvent getEvent() {
		return this.event;
	}

	/**
	 * The terminal status, once the request ended.
	 * @return {@code COMPLETED}, {@code FAILED} or {@code CANCELLED}, or {@code null}
	 * while the request is under way
	 */
	public @Nullable RequestStatus getStatus() {
		return this.status;
	}

	void setStatus(RequestStatus status) {
		this.status = status;
	}

}
