package io.lionfuncs.autoconfigure.actuate.metrics;

import io.lionfuncs.event.EventManager;
import io.lionfuncs.event.HandlerStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Meters of the event handlers: {@code lionfuncs.events.sent{handler,outcome}}, the
 * events waiting in each handler's spool, and the events lost because even the spool
 * failed.
 *
 * @since 0.1.0
 */
public class EventManagerMeterBinder implements MeterBinder {

	private final EventManager eventManager;

	public EventManagerMeterBinder(EventManager eventManager) {
		this.eventManager = eventManager;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		for (String handler : this.eventManager.handlerStats().keySet()) {
			FunctionCounter.builder("lionfuncs.events.sent", this.eventManager, (manager) -> stats(manager, handler).sent())
				.tags("handler", handler, "outcome", "success")
				.baseUnit("events")
				.description("Events a handler took")
				.register(registry);
			FunctionCounter
				.builder("lionfuncs.events.sent", this.eventManager, (manager) -> stats(manager, handler).failed())
				.tags("handler", handler, "outcome", "failure")
				.baseUnit("events")
				.description("Attempts a handler failed (the event is spooled and re-sent)")
				.register(registry);
			Gauge.builder("lionfuncs.events.spooled", this.eventManager, (manager) -> stats(manager, handler).spooled())
				.tags("handler", handler)
				.baseUnit("events")
				.description("Events waiting in the handler's spool to be re-sent")
				.register(registry);
		}
		FunctionCounter.builder("lionfuncs.events.lost", this.eventManager, EventManager::lostEvents)
			.baseUnit("events")
			.description("Events lost because they could not even be spooled")
			.register(registry);
	}

	private static HandlerStats stats(EventManager manager, String handler) {
		HandlerStats stats = manager.handlerStats().get(handler);
		return (stats != null) ? stats : new HandlerStats(0, 0, 0, 0, 0);
	}

}
