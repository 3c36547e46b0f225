package io.lionfuncs.event.request;

import java.time.Clock;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import io.lionfuncs.event.Event;
import io.lionfuncs.event.EventManager;
import io.lionfuncs.network.budget.ExecutorPause;
import io.lionfuncs.network.budget.ExecutorPauseListener;
import org.jspecify.annotations.Nullable;

/**
 * Publishes the pauses of an executor to an {@link EventManager}, as
 * {@value #EVENT_NAME} events: a provider answered 429 or reported an exhausted limit,
 * and the executor holds its calls back until {@code paused_until}. It only converts
 * and {@link EventManager#publish publishes}, so it never blocks the executor on a
 * handler.
 * <p>
 * The event's data: {@code executor}, {@code reason}, {@code status_code} (when a
 * response caused the pause), {@code paused_at}, {@code paused_until} and
 * {@code duration_ms}; it begins at {@code paused_at} and ends at {@code paused_until}.
 *
 * <pre class="code">
 * executor.addPauseListener(new ExecutorPauseEventPublisher(eventManager));
 * </pre>
 */
public final class ExecutorPauseEventPublisher implements ExecutorPauseListener {

	/** The name of the events this publisher makes. */
	public static final String EVENT_NAME = "lionfuncs.executor.paused";

	private final EventManager eventManager;

	/**
	 * Creates a publisher.
	 * @param eventManager where to publish
	 */
	public ExecutorPauseEventPublisher(EventManager eventManager) {
		this.eventManager = Objects.requireNonNull(eventManager, "eventManager");
	}

	@Override
	public void onPause(ExecutorPause pause) {
		if (this.eventManager.hasHandlers()) {
			this.eventManager.publish(toEvent(pause));
		}
	}

	/**
	 * Converts a pause.
	 * @param pause the pause
	 * @return a closed event
	 */
	public static Event toEvent(ExecutorPause pause) {
		Map<String, @Nullable Object> data = new LinkedHashMap<>();
		data.put("executor", pause.executorName());
		data.put("reason", pause.reason());
		if (pause.statusCode() != null) {
			data.put("status_code", pause.statusCode());
		}
		data.put("paused_at", pause.pausedAt());
		data.put("paused_until", pause.pausedUntil());
		data.put("duration_ms", pause.duration().toMillis());
		Event event = Event.builder(EVENT_NAME)
			.uid(UUID.randomUUID().toString())
			.beginTime(pause.pausedAt())
			.clock(Clock.fixed(pause.pausedUntil(), ZoneOffset.UTC))
			.putAll(data)
			.build();
		event.close();
		return event;
	}

}
