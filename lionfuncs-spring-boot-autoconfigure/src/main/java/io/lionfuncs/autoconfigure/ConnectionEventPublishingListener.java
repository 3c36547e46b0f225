package io.lionfuncs.autoconfigure;

import io.lionfuncs.network.connection.ConnectionEvent;
import io.lionfuncs.network.connection.ConnectionEventListener;

import org.springframework.context.ApplicationEventPublisher;

/**
 * Republishes the connection events of every client as
 * {@link ConnectionLifecycleEvent}s.
 *
 * @since 0.1.0
 */
public class ConnectionEventPublishingListener implements ConnectionEventListener {

	private final ApplicationEventPublisher publisher;

	public ConnectionEventPublishingListener(ApplicationEventPublisher publisher) {
		this.publisher = publisher;
	}

	@Override
	public void onEvent(ConnectionEvent event) {
		this.publisher.publishEvent(new ConnectionLifecycleEvent(event));
	}

}
