package io.lionfuncs.autoconfigure.event;

import java.util.Objects;
import java.util.function.Supplier;

import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestSnapshot;
import io.lionfuncs.network.RequestStatus;

import org.springframework.context.ApplicationEvent;
import org.springframework.core.ResolvableType;
import org.springframework.core.ResolvableTypeProvider;

/**
 * Published when a request run by a lionfuncs executor changes status. Carries an
 * immutable, redacted snapshot taken at the change, so listeners may read it later or
 * on another thread.
 *
 * @since 0.1.0
 */
public class RequestStatusChangedEvent extends ApplicationEvent implements ResolvableTypeProvider {

	// Resolved once: publishing then neither resolves the type nor compares two copies
	// of it when Spring looks up the event type's listeners.
	private static final ResolvableType TYPE = ResolvableType.forClass(RequestStatusChangedEvent.class);

	private final String executorName;

	private final RequestStatus previousStatus;

	private final RequestStatus status;

	private final Supplier<RequestSnapshot> request;

	/**
	 * Creates a new event.
	 * @param executorName the executor that ran the request (the event source)
	 * @param previousStatus the status the request left
	 * @param request the request after the change
	 */
	public RequestStatusChangedEvent(String executorName, RequestStatus previousStatus, RequestSnapshot request) {
		this(executorName, previousStatus, request.status(), () -> request);
	}

	/**
	 * Creates an event whose snapshot is built when first read, from the state the
	 * request had at the change ({@link NetworkRequestEvent#snapshotLater()}).
	 * @param executorName the executor that ran the request (the event source)
	 * @param previousStatus the status the request left
	 * @param status the status the request entered
	 * @param request the request after the change
	 */
	RequestStatusChangedEvent(String executorName, RequestStatus previousStatus, RequestStatus status,
			Supplier<RequestSnapshot> request) {
		super(executorName);
		this.executorName = executorName;
		this.previousStatus = previousStatus;
		this.status = status;
		this.request = Objects.requireNonNull(request, "request must not be null");
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
		return this.status;
	}

	public RequestSnapshot getRequest() {
		return this.request.get();
	}

	@Override
	public ResolvableType getResolvableType() {
		return (getClass() == RequestStatusChangedEvent.class) ? TYPE : ResolvableType.forClass(getClass());
	}

	@Override
	public String toString() {
		return "RequestStatusChangedEvent[" + this.executorName + " " + getRequest().requestId() + " "
				+ this.previousStatus + " -> " + this.status + "]";
	}

}
