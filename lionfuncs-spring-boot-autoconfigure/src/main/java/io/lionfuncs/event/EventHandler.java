package io.lionfuncs.event;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

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
 * <p>
 * The {@link EventManager} sends a handler its published events in publication order,
 * one at a time. A handler that can take several at once without waiting for each (an
 * HTTP receiver) says so with {@link #maxInFlight()} and implements
 * {@link #sendEventAsync(Event)}; events may then reach it out of order.
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

	/**
	 * Sends an event without waiting for the service's answer, for handlers that take
	 * several events at once ({@link #maxInFlight()}). The stage completes with what
	 * {@link #sendEvent(Event)} would return, or with what it would throw. The default
	 * calls {@link #sendEvent(Event)} on the calling thread.
	 * @param event the event
	 * @return {@code true} when the service took it
	 */
	default CompletionStage<Boolean> sendEventAsync(Event event) {
		try {
			return CompletableFuture.completedFuture(sendEvent(event));
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	/**
	 * How many published events the {@link EventManager} may have in flight to this
	 * handler at once, through {@link #sendEventAsync(Event)}. The default, 1, keeps
	 * publication order, a failed event included: nothing newer is sent until it went
	 * through.
	 * @return at least 1
	 */
	default int maxInFlight() {
		return 1;
	}

}
