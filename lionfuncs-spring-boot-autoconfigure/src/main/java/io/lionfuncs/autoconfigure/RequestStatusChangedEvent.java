package io.lionfuncs.autoconfigure;

import io.lionfuncs.network.RequestSnapshot;
import io.lionfuncs.network.RequestStatus;

import org.springframework.context.ApplicationEvent;

/**
 * Published when a request run by a lionfuncs executor changes status. Carries an
 * immutable, redacted snapshot taken at the change, so listeners may read it later or
 * on another thread.
 *
 * @since 0.1.0
 */
public class RequestStatusChangedEvent extends ApplicationEvent {

	private final String executorName;

	private final RequestStatus previousStatus;

	private final RequestSnapshot request;

	/**
	 * Creates a new event.
	 * @param executorName the executor that ran the request (the event source)
	 * @param previousStatus the status the request left
	 * @param request the request after the change
	 */
	public RequestStatusChangedEvent(String executorName, RequestStatus previousStatus, RequestSnapshot request) {
		super(executorName);
		this.executorName = executorName;
		this.previousStatus = previousStatus;
		this.request = request;
	}

	public String getExecutorName() {
		return this.executorName;
	}

	public RequestStatus getPreviousStatus() {
		return this.previousStatus;
	}

	/**
	 * The status the request entered.
	 * @return the new status
	 */
	public RequestStatus getStatus() {
		return this.request.status();
	}

	public RequestSnapshot getRequest() {
		return this.request;
	}

	@Override
	public String toString() {
		return "RequestStatusChangedEvent[" + this.executorName + " " + this.request.requestId() + " "
				+ this.previousStatus + " -> " + getStatus() + "]";
	}

}
