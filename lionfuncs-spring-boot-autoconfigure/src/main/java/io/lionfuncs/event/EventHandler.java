package io.lionfuncs.event;

/**
 * Sends events to one external service (a log, a directory, a webhook…), after e3's
 * {@code EventHandler}.
 * <p>
 * A handler fails by returning {@code false} or by throwing: an
 * {@link EventDeliveryException} (or any other exception) for a failure that may pass,
 * an {@link UndeliverableEventException} for an event it can never deliver. The
 * {@link EventManager} isolates handlers from each other, so one failing handler never
 * keeps an event from the others. A handler may be called from several threads at once
 * and must be thread-safe.
 */
public interface EventHandler {

	/**
	 * The handler's name: its key in the {@link EventManager} and in
	 * {@code E3_EVENT_HANDLERS}. For a handler that can be re-created from
	 * {@link #encodeConfig()}, the name of its {@link EventHandlerFactory}.
	 * @return the name, letters, digits, {@code .}, {@code _} or {@code -}
	 */
	String getName();

	/**
	 * Sends an event.
	 * @param event the event
	 * @return {@code true} when the service took it
	 */
	boolean sendEvent(Event event);

	/**
	 * The configuration that re-creates this handler through the factory of the same
	 * name: the part after {@code name=} in {@code E3_EVENT_HANDLERS}. It must not
	 * contain {@code |}. The default, an empty string, suits handlers without settings.
	 * @return the configuration
	 */
	default String encodeConfig() {
		return "";
	}

}
