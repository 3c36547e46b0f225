package io.lionfuncs.event.request;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

import io.lionfuncs.event.EventManager;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.RequestStatusListener;

/**
 * Publishes chosen status changes of an executor's requests to an
 * {@link EventManager}, as {@value RequestEventConverter#EVENT_NAME} events. It only
 * converts and {@link EventManager#publish publishes}, so it never blocks the executor
 * on a handler.
 *
 * <pre class="code">
 * executor.addListener(new RequestEventPublisher(eventManager,
 *         EnumSet.of(RequestStatus.COMPLETED, RequestStatus.FAILED, RequestStatus.CANCELLED)));
 * </pre>
 */
public final class RequestEventPublisher implements RequestStatusListener {

	private final EventManager eventManager;

	private final Set<RequestStatus> statuses;

	private final RequestEventConverter converter;

	/**
	 * Publishes the terminal statuses with the default converter.
	 * @param eventManager where to publish
	 */
	public RequestEventPublisher(EventManager eventManager) {
		this(eventManager, EnumSet.of(RequestStatus.COMPLETED, RequestStatus.FAILED, RequestStatus.CANCELLED),
				new RequestEventConverter());
	}

	/**
	 * Publishes the given statuses with the default converter.
	 * @param eventManager where to publish
	 * @param statuses the statuses whose entry is published
	 */
	public RequestEventPublisher(EventManager eventManager, Set<RequestStatus> statuses) {
		this(eventManager, statuses, new RequestEventConverter());
	}

	/**
	 * Publishes the given statuses with a converter.
	 * @param eventManager where to publish
	 * @param statuses the statuses whose entry is published
	 * @param converter how to convert
	 */
	public RequestEventPublisher(EventManager eventManager, Set<RequestStatus> statuses,
			RequestEventConverter converter) {
		this.eventManager = Objects.requireNonNull(eventManager, "eventManager");
		this.statuses = statuses.isEmpty() ? EnumSet.noneOf(RequestStatus.class) : EnumSet.copyOf(statuses);
		this.converter = Objects.requireNonNull(converter, "converter");
	}

	@Override
	public void onStatusChange(NetworkRequestEvent event, RequestStatus previous, RequestStatus current) {
		if (this.statuses.contains(current) && this.eventManager.hasHandlers()) {
			this.eventManager.publish(this.converter.toEvent(event, previous));
		}
	}

}
