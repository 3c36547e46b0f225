package io.lionfuncs.autoconfigure.event;

import java.util.EnumSet;
import java.util.Set;

import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.RequestStatusListener;
import org.jspecify.annotations.Nullable;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextRefreshedEvent;
import org.springframework.context.support.AbstractApplicationContext;
import org.springframework.core.ResolvableType;

/**
 * Republishes the status changes of every executor as
 * {@link RequestStatusChangedEvent}s, for the configured statuses.
 * <p>
 * Each event carries the request's state at the change, copied then; the immutable
 * snapshot is built from that copy when a listener first reads it. Given the
 * application context, the publisher also skips making events while no listener of the
 * context can receive them, looking at the listeners once the context is refreshed and
 * again whenever listeners are added or removed (see {@link EventListenerPresence}).
 */
final class ApplicationEventPublishingListener
		implements RequestStatusListener, ApplicationListener<ContextRefreshedEvent> {

	private final ApplicationEventPublisher publisher;

	private final Set<RequestStatus> statuses;

	private final @Nullable EventListenerPresence listeners;

	/**
	 * Creates a listener that publishes every configured change.
	 * @param publisher where to publish
	 * @param statuses the statuses whose entry is published
	 */
	ApplicationEventPublishingListener(ApplicationEventPublisher publisher, Set<RequestStatus> statuses) {
		this.publisher = publisher;
		this.statuses = statuses.isEmpty() ? EnumSet.noneOf(RequestStatus.class) : EnumSet.copyOf(statuses);
		this.listeners = (publisher instanceof AbstractApplicationContext context) ? new EventListenerPresence(context,
				ResolvableType.forClass(RequestStatusChangedEvent.class), String.class) : null;
	}

	@Override
	public void onStatusChange(NetworkRequestEvent event, RequestStatus previous, RequestStatus current) {
		if (this.statuses.contains(current) && (this.listeners == null || this.listeners.mayHaveListener())) {
			String executor = event.getExecutorName();
			this.publisher.publishEvent(new RequestStatusChangedEvent((executor != null) ? executor : "unknown",
					previous, current, event.snapshotLater()));
		}
	}

	/**
	 * Looks at the context's listeners once it is refreshed.
	 * @param event the refresh of this listener's context or of a child
	 */
	@Override
	public void onApplicationEvent(ContextRefreshedEvent event) {
		if (this.listeners != null && event.getApplicationContext() == this.publisher) {
			this.listeners.check();
		}
	}

}
