package io.lionfuncs.event.request;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import io.lionfuncs.event.Event;
import io.lionfuncs.event.EventManager;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.Redactor;
import io.lionfuncs.network.RequestSnapshot;
import io.lionfuncs.network.RequestStatus;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns a request's status change into an {@link Event} named
 * {@value #EVENT_NAME}, for the {@link EventManager}'s handlers.
 * <p>
 * The event's uid is {@code <requestId>-<status>} (lower case), so a receiver can
 * de-duplicate on it; {@code begin_time} is when the request was created and
 * {@code end_time} when it last changed (the event is closed). Its data, with
 * {@code null} values left out:
 * <ul>
 * <li>{@code request_id}, {@code executor}, {@code status}, {@code previous_status},
 * {@code method}, {@code endpoint_url} (sensitive query values masked),
 * {@code status_code}, {@code error_type}, {@code error_message};</li>
 * <li>{@code api_tokens_needed}, {@code api_tokens_used};</li>
 * <li>{@code created_at}, {@code queued_at}, {@code processing_started_at},
 * {@code call_started_at}, {@code completed_at} (ISO-8601 UTC with milliseconds), and
 * {@code queue_wait_ms}, {@code call_duration_ms}, {@code total_duration_ms};</li>
 * <li>{@code metadata}, with the values of sensitive keys masked.</li>
 * </ul>
 * Headers and the request payload are never included; the response body only when
 * {@link #includeResponseBody(boolean) asked for}, as a bounded text excerpt.
 */
public final class RequestEventConverter {

	/** The name of the events this converter makes. */
	public static final String EVENT_NAME = "lionfuncs.request";

	/** The default length limit of an included response body. */
	public static final int DEFAULT_MAX_BODY_LENGTH = 4096;

	private final Redactor redactor;

	private final boolean includeResponseBody;

	private final int maxBodyLength;

	/** A converter with the default redactor that leaves the response body out. */
	public RequestEventConverter() {
		this(Redactor.defaults(), false, DEFAULT_MAX_BODY_LENGTH);
	}

	private RequestEventConverter(Redactor redactor, boolean includeResponseBody, int maxBodyLength) {
		this.redactor = redactor;
		this.includeResponseBody = includeResponseBody;
		this.maxBodyLength = maxBodyLength;
	}

	/**
	 * A copy that masks with another redactor (for example one with more header names).
	 * @param redactor the redactor
	 * @return a new converter
	 */
	public RequestEventConverter withRedactor(Redactor redactor) {
		return new RequestEventConverter(Objects.requireNonNull(redactor, "redactor"), this.includeResponseBody,
				this.maxBodyLength);
	}

	/**
	 * A copy that includes, or leaves out, the response body as {@code response_body}.
	 * Bodies can carry personal data or secrets; they are off by default.
	 * @param includeResponseBody whether to include it
	 * @return a new converter
	 */
	public RequestEventConverter includeResponseBody(boolean includeResponseBody) {
		return new RequestEventConverter(this.redactor, includeResponseBody, this.maxBodyLength);
	}

	/**
	 * A copy that cuts an included response body after a number of characters.
	 * @param maxBodyLength the limit (default {@value #DEFAULT_MAX_BODY_LENGTH})
	 * @return a new converter
	 */
	public RequestEventConverter maxBodyLength(int maxBodyLength) {
		if (maxBodyLength < 0) {
			throw new IllegalArgumentException("maxBodyLength must not be negative");
		}
		return new RequestEventConverter(this.redactor, this.includeResponseBody, maxBodyLength);
	}

	/**
	 * Converts a status change of a request.
	 * @param request the request
	 * @param previous the status it left, or {@code null} when not known
	 * @return a closed event
	 */
	public Event toEvent(NetworkRequestEvent request, @Nullable RequestStatus previous) {
		Event event = toEvent(request.snapshot(), previous, this.includeResponseBody ? request.getResponseBody() : null);
		return event;
	}

	/**
	 * Converts a snapshot of a request (for example from an application event). A
	 * snapshot holds no response body, so none is included.
	 * @param snapshot the request's state
	 * @param previous the status it left, or {@code null} when not known
	 * @return a closed event
	 */
	public Event toEvent(RequestSnapshot snapshot, @Nullable RequestStatus previous) {
		return toEvent(snapshot, previous, null);
	}

	private Event toEvent(RequestSnapshot snapshot, @Nullable RequestStatus previous, @Nullable Object body) {
		Map<String, @Nullable Object> data = new LinkedHashMap<>();
		data.put("request_id", snapshot.requestId());
		data.put("executor", snapshot.executorName());
		data.put("status", snapshot.status().name());
		data.put("previous_status", (previous != null) ? previous.name() : null);
		data.put("method", snapshot.method());
		data.put("endpoint_url", this.redactor.url(snapshot.endpointUrl()));
		data.put("status_code", snapshot.responseStatusCode());
		data.put("error_type", snapshot.errorType());
		data.put("error_message", snapshot.errorMessage());
		data.put("api_tokens_needed", snapshot.numApiTokensNeeded());
		data.put("api_tokens_used", snapshot.apiTokensUsed());
		data.put("created_at", snapshot.createdAt());
		data.put("queued_at", snapshot.queuedAt());
		data.put("processing_started_at", snapshot.processingStartedAt());
		data.put("call_started_at", snapshot.callStartedAt());
		data.put("completed_at", snapshot.completedAt());
		data.put("queue_wait_ms", millisBetween(snapshot.queuedAt(), snapshot.processingStartedAt()));
		data.put("call_duration_ms", millisBetween(snapshot.callStartedAt(), snapshot.completedAt()));
		data.put("total_duration_ms", millisBetween(snapshot.createdAt(), snapshot.completedAt()));
		if (!snapshot.metadata().isEmpty()) {
			data.put("metadata", redactedMetadata(snapshot.metadata()));
		}
		if (body != null) {
			data.put("response_body", excerpt(body));
		}
		data.values().removeIf(Objects::isNull);
		Event event = Event.builder(EVENT_NAME)
			.uid(uid(snapshot))
			.beginTime(snapshot.createdAt())
			.clock(Clock.fixed(snapshot.updatedAt(), ZoneOffset.UTC))
			.putAll(data)
			.build();
		event.close();
		return event;
	}

	private static String uid(RequestSnapshot snapshot) {
		String candidate = snapshot.requestId() + "-" + snapshot.status().name().toLowerCase(java.util.Locale.ROOT);
		return Event.isValidUid(candidate) ? candidate : java.util.UUID.randomUUID().toString();
	}

	private static @Nullable Long millisBetween(@Nullable Instant start, @Nullable Instant end) {
		return (start != null && end != null) ? Duration.between(start, end).toMillis() : null;
	}

	private Map<String, @Nullable Object> redactedMetadata(Map<String, Object> metadata) {
		Map<String, @Nullable Object> redacted = new LinkedHashMap<>(metadata.size() * 2);
		metadata.forEach((key, value) -> redacted.put(key, this.redactor.isSensitive(key) ? Redactor.MASK : value));
		return redacted;
	}

	private String excerpt(Object body) {
		String text;
		if (body instanceof CharSequence chars) {
			text = chars.toString();
		}
		else if (body instanceof byte[] bytes) {
			text = "(" + bytes.length + " bytes)";
		}
		else {
			try {
				text = BodyMapper.INSTANCE.writeValueAsString(body);
			}
			catch (RuntimeException ex) {
				text = String.valueOf(body);
			}
		}
		return (text.length() <= this.maxBodyLength) ? text
				: text.substring(0, this.maxBodyLength) + "... (" + text.length() + " characters)";
	}

	/** Holder so that the mapper is built on first use only. */
	private static final class BodyMapper {

		static final JsonMapper INSTANCE = JsonMapper.builder().build();

	}

}
