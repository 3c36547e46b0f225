package io.lionfuncs.network;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * An immutable copy of a {@link NetworkRequestEvent}'s state at one moment. Headers are
 * redacted; the payload and the response body are left out, so a snapshot is safe to
 * publish, log or serialise.
 *
 * @param requestId the request id
 * @param executorName the executor that ran the request, {@code null} for a standalone
 * event
 * @param status the status
 * @param createdAt when the event was created
 * @param updatedAt when the status last changed
 * @param endpointUrl the URL called, sensitive query values redacted
 * @param method the HTTP method
 * @param headers the request headers, redacted
 * @param numApiTokensNeeded the API tokens reserved
 * @param apiTokensUsed the API tokens actually used, once known
 * @param responseStatusCode the response status code
 * @param responseHeaders the response headers, redacted
 * @param errorType the error class, or the cancellation
 * @param errorMessage the error message, or the cancellation reason
 * @param queuedAt when the request entered the queue
 * @param processingStartedAt when it left the queue
 * @param callStartedAt when the call started
 * @param firstByteAt when the call's first byte arrived, for calls that report it
 * (streams, leases)
 * @param completedAt when it reached a terminal status
 * @param logs the latest log entries
 * @param metadata the custom metadata, values of sensitive keys masked
 */
public record RequestSnapshot(String requestId, @Nullable String executorName, RequestStatus status,
		Instant createdAt, Instant updatedAt, @Nullable String endpointUrl, @Nullable String method,
		Map<String, String> headers, long numApiTokensNeeded, @Nullable Long apiTokensUsed,
		@Nullable Integer responseStatusCode, Map<String, String> responseHeaders, @Nullable String errorType,
		@Nullable String errorMessage, @Nullable Instant queuedAt, @Nullable Instant processingStartedAt,
		@Nullable Instant callStartedAt, @Nullable Instant firstByteAt, @Nullable Instant completedAt, List<String> logs,
		Map<String, Object> metadata) {

	/**
	 * Time from entering the queue to the terminal status.
	 * @return the duration, or {@code null} when not both known
	 */
	public @Nullable Duration queuedToCompleted() {
		return (this.queuedAt != null && this.completedAt != null) ? Duration.between(this.queuedAt, this.completedAt)
				: null;
	}

}
