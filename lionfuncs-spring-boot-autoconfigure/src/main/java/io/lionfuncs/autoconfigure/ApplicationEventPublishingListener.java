package io.lionfuncs.autoconfigure;

import java.util.EnumSet;
import java.util.Set;

import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.RequestStatusListener;

import org.springframework.context.ApplicationEventPublisher;

/**
 * Republishes the status changes of every executor as
 * {@link RequestStatusChangedEvent}s, for the configured statuses.
 *
 * @since 0.1.0
 */
public class ApplicationEventPublishingListener implements RequestStatusListener {

	private final ApplicationEventPublisher publisher;

	private final Set<RequestStatus> statuses;

	public ApplicationEventPublishingListener(ApplicationEventPublisher publisher, Set<RequestStatus> statuses) {
		this.publisher = publisher;
		this.statuses = statuses.isEmpty() ? EnumSet.noneOf(RequestStatus.class) : EnumSet.copyOf(statuses);
	}

	@Override
	public void onStatusChange(NetworkRequestEvent event, RequestStatus previous, RequestStatus current) {
		if (this.statuses.contains(current)) {
			String executor = event.getExecutorName();
			this.publisher.publishEvent(new RequestStatusChangedEvent((executor != null) ? executor : "unknown",
					previous, event.snapshot()));
		}
	}

}
