package io.lionfuncs.autoconfigure.event;

import io.lionfuncs.network.connection.ConnectionEvent;
import io.lionfuncs.network.connection.ConnectionEventListener;

import org.springframework.context.ApplicationEventPublisher;

/**
 * Republishes the connection events of every client as
 * {@link ConnectionLifecycleEvent}s.
 */
final class ConnectionEventPublishingListener implements ConnectionEventListener {

	private final ApplicationEventPublisher publisher;

	ConnectionEventPublishingListener(ApplicationEventPublisher publisher) {
		this.publisher = publisher;
	}

	@Override
	public void onEvent(ConnectionEvent event) {
		this.publisher.publishEvent(new ConnectionLifecycleEvent(event));
	}

}
