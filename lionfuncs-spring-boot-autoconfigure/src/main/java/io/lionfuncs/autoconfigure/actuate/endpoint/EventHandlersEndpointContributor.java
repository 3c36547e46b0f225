package io.lionfuncs.autoconfigure.actuate.endpoint;

import java.util.LinkedHashMap;
import java.util.Map;

import io.lionfuncs.event.EventManager;
import io.lionfuncs.event.HandlerStats;

/**
 * The {@code eventHandlers} section of the {@code lionfuncs} endpoint: what each event
 * handler has sent, failed, and holds queued or spooled.
 *
 * @since 0.1.0
 */
public class EventHandlersEndpointContributor implements LionfuncsEndpointContributor {

	private final EventManager eventManager;

	public EventHandlersEndpointContributor(EventManager eventManager) {
		this.eventManager = eventManager;
	}

	@Override
	public String section() {
		return "eventHandlers";
	}

	@Override
	public Map<String, HandlerStats> describe() {
		return new LinkedHashMap<>(this.eventManager.handlerStats());
	}

}
