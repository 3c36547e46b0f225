package io.lionfuncs.network;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * One call: what was asked (URL, method, redacted headers, payload, API tokens), how it
 * went (status, timestamps, result or error, API tokens used) and a bounded log.
 * <p>
 * Status changes are validated ({@link RequestStatus#canMoveTo}) and atomic; each stamps
 * {@code updatedAt}, and the first entry into {@code QUEUED}, {@code PROCESSING},
 * {@code CALLING} and a terminal status stamps {@code queuedAt},
 * {@code processingStartedAt}, {@code callStartedAt} and {@code completedAt}; a call
 * that reports its first byte (a stream, a lease) stamps {@code firstByteAt}. Headers
 * are recorded with sensitive values redacted, so neither {@link #toString()} nor any
 * serialised form can carry a secret. {@link #completion()} and {@link #toMono()} let a
 * caller await the terminal status without polling.
 * <p>
 * An event submitted to an {@link Executor} has its status managed by that executor:
 * callers may only {@link #cancel()} it and {@link #addLog add log entries}.
 */
public final class NetworkRequestEvent {

	private static final int NO_STATUS_CODE = Integer.MIN_VALUE;

	/** Status, timestamps, log and waiters; its terminal status publishes {@link #outcome}. */
	private final RequestLifecycle lifecycle;

	// The id is kept as the two halves of a UUID; its text is made when first asked for.
	private final long requestIdHigh;

	private final long requestIdLow;

	private volatile @Nullable String requestId;

	private final @Nullable String endpointUrl;

	private final @Nullable String method;

	private final Map<String, String> headers;

	private final @Nullable Object payload;

	private final long numApiTokensNeeded;

	private final Map<String, Object> metadata;

	/**
	 * What the call returned (a {@link CallResult}) or why it failed (a {@link Failed}):
	 * written by the change that ends the request, read once its status is terminal.
	 */
	private @Nullable Object outcome;

	private volatile @Nullable Long apiTokensUsed;

	NetworkRequestEvent(RequestLifecycle lifecycle, RequestContext context, TaskRequest request) {
		this.lifecycle = lifecycle;
		// A random version 4 UUID. Request ids need uniqueness, not unpredictability, so
		// they come from the thread-local generator rather than the contended secure one.
		ThreadLocalRandom random = ThreadLocalRandom.current();
		this.requestIdHigh = (random.nextLong() & ~0xF000L) | 0x4000L;
		this.requestIdLow = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
		this.endpointUrl = context.redactedUrl(request.endpointUrl());
		this.method = request.method();
		this.headers = context.redactor().headers(request.headers());
		this.payload = request.payload();
		this.numApiTokensNeeded = request.numApiTokensNeeded();
		this.metadata = request.metadata();
	}

	/**
	 * Creates an event whose status the caller manages, as the seed's
	 * {@code NetworkRequestEvent} does.
	 * @param request what the event tracks (its call, if any, is not run)
	 * @return a {@code PENDING} event
	 */
	public static NetworkRequestEvent standalone(TaskRequest request) {
		return new RequestLifecycle.Standalone(request).event;
	}

	RequestLifecycle lifecycle() {
		return this.lifecycle;
	}

	// ---------------------------------------------------------------- public mutators

	/**
	 * Moves this event to a new status. Only for events created with
	 * {@link #standalone}; an executor manages the status of the events it runs.
	 * @param newStatus the new status
	 * @throws IllegalStateException if the change is not allowed
	 */
	public void updateStatus(RequestStatus newStatus) {
		requireCallerManaged("updateStatus");
		if (newStatus == RequestStatus.CANCELLED) {
			if (!cancel()) {
				throw invalidTransition(newStatus);
			}
			return;
		}
		RequestStatus previous = newStatus.isTerminal() ? this.lifecycle.finish(newStatus)
				: this.lifecycle.advance(newStatus);
		if (previous == null) {
			throw invalidTransition(newStatus);
		}
		if (newStatus.isTerminal()) {
			this.lifecycle.announceTerminal(previous);
		}
	}

	/**
	 * Records the result and moves to {@code COMPLETED}. Only for standalone events.
	 * @param statusCode the HTTP status code
	 * @param headers the response headers (redacted when recorded)
	 * @param body the response body
	 * @throws IllegalStateException if the event is not {@code CALLING}
	 */
	public void setResult(int statusCode, @Nullable Map<String, ?> headers, @Nullable Object body) {
		requireCallerManaged("setResult");
		RequestStatus previous = this.lifecycle.finishCompleted(
				new CallResult(statusCode, this.lifecycle.context().redactor().headers(headers), body));
		if (previous == null) {
			throw invalidTransition(RequestStatus.COMPLETED);
		}
		this.lifecycle.announceTerminal(previous);
	}

	/**
	 * Records the error and moves to {@code FAILED}. Only for standalone events.
	 * @param error what went wrong
	 * @throws IllegalStateException if the event is already terminal
	 */
	public void setError(Throwable error) {
		requireCallerManaged("setError");
		RequestStatus previous = this.lifecycle.finishFailed(error);
		if (previous == null) {
			throw invalidTransition(RequestStatus.FAILED);
		}
		this.lifecycle.announceTerminal(previous);
	}

	/**
	 * Cancels the request: a queued or waiting request ends {@code CANCELLED} and gives
	 * back its reserved tokens; a call in flight is disposed (a lease's holder is told).
	 * @return whether this call cancelled it ({@code false} when already terminal)
	 */
	public boolean cancel() {
		return this.lifecycle.cancel("cancelled by caller");
	}

	/**
	 * Appends a message to the request's log. The log keeps the latest entries only.
	 * @param message the message
	 */
	public void addLog(String message) {
		this.lifecycle.addLog(message);
	}

	// ---------------------------------------------------------------- awaiting

	/**
	 * A future that completes with this event once it is terminal. Each call returns a
	 * new future, so completing or cancelling it affects nobody else.
	 * @return the future
	 */
	public CompletableFuture<NetworkRequestEvent> completion() {
		return this.lifecycle.completion();
	}

	/**
	 * A {@link Mono} that emits this event once it is terminal. Cancelling the
	 * subscription does not cancel the request.
	 * @return the mono
	 */
	public Mono<NetworkRequestEvent> toMono() {
		return Mono.fromFuture(completion(), true);
	}

	// ---------------------------------------------------------------- outcome (lifecycle)

	/** Records a result; called by the change that ends the request. */
	void recordResult(CallResult result) {
		Map<String, String> headers = this.lifecycle.context().redactor().headers(result.headers());
		// The result itself when nothing had to be masked: no copy per call.
		this.outcome = (headers == result.headers()) ? result : new CallResult(result.statusCode(), headers, result.body());
	}

	/** Records a failure; called by the change that ends the request. */
	void recordFailure(Failure failure) {
		ResponseDetails response = failure.response();
		if (response == null) {
			this.outcome = new Failed(failure.type(), failure.message(), failure.details(), NO_STATUS_CODE, Map.of(),
					null, failure.error());
			return;
		}
		Integer statusCode = response.statusCode();
		this.outcome = new Failed(failure.type(), failure.message(), failure.details(),
				(statusCode != null) ? statusCode : NO_STATUS_CODE,
				this.lifecycle.context().redactor().headers(response.responseHeaders()),
				response.responseBodyExcerpt(), failure.error());
	}

	/** Records an error or a cancellation; called by the change that ends the request. */
	void recordError(String errorType, String message) {
		this.outcome = new Failed(errorType, message, null, NO_STATUS_CODE, Map.of(), null, null);
	}

	void recordApiTokensUsed(long tokens) {
		this.apiTokensUsed = tokens;
	}

	/**
	 * The outcome as of a state word of the lifecycle read before.
	 * @return the outcome, or {@code null} unless that state is terminal
	 */
	@Nullable Object outcome(int state) {
		return RequestLifecycle.status(state).isTerminal() ? this.outcome : null;
	}

	/**
	 * The outcome now.
	 */
	private @Nullable Object outcome() {
		return outcome(this.lifecycle.state());
	}

	static @Nullable Integer statusCode(@Nullable Object outcome) {
		int statusCode = (outcome instanceof CallResult result) ? result.statusCode()
				: (outcome instanceof Failed failed) ? failed.statusCode : NO_STATUS_CODE;
		return (statusCode != NO_STATUS_CODE) ? statusCode : null;
	}

	static Map<String, String> responseHeaders(@Nullable Object outcome) {
		return (outcome instanceof CallResult result) ? result.headers()
				: (outcome instanceof Failed failed) ? failed.headers : Map.of();
	}

	/** The error, or {@code null} after a result. */
	static @Nullable Failed failed(@Nullable Object outcome) {
		return (outcome instanceof Failed failed) ? failed : null;
	}

	private void requireCallerManaged(String operation) {
		if (this.lifecycle.managedByExecutor()) {
			throw new IllegalStateException("Cannot " + operation + " on request " + getRequestId()
					+ ": its status is managed by executor '" + getExecutorName() + "'; use cancel() instead");
		}
	}

	private IllegalStateException invalidTransition(RequestStatus next) {
		return new IllegalStateException(
				"Request " + getRequestId() + " cannot move from " + getStatus() + " to " + next);
	}

	// ---------------------------------------------------------------- accessors

	public String getRequestId() {
		String id = this.requestId;
		if (id == null) {
			// Racing threads make equal strings; any of them will do.
			id = new UUID(this.requestIdHigh, this.requestIdLow).toString();
			this.requestId = id;
		}
		return id;
	}

	/**
	 * Whether this event has the given id, without making its text.
	 */
	boolean hasRequestId(UUID id) {
		return this.requestIdHigh == id.getMostSignificantBits() && this.requestIdLow == id.getLeastSignificantBits();
	}

	/**
	 * The executor running this request.
	 * @return its name, or {@code null} for a standalone event
	 */
	public @Nullable String getExecutorName() {
		return this.lifecycle.context().executorName();
	}

	public RequestStatus getStatus() {
		return this.lifecycle.status();
	}

	/**
	 * Whether the status is terminal.
	 * @return {@code true} once {@code COMPLETED}, {@code FAILED} or {@code CANCELLED}
	 */
	public boolean isTerminal() {
		return getStatus().isTerminal();
	}

	public Instant getCreatedAt() {
		return Objects.requireNonNull(WallClock.toInstant(this.lifecycle.createdAt()));
	}

	public Instant getUpdatedAt() {
		return Objects.requireNonNull(WallClock.toInstant(this.lifecycle.stamp(RequestLifecycle.UPDATED)));
	}

	public @Nullable String getEndpointUrl() {
		return this.endpointUrl;
	}

	public @Nullable String getMethod() {
		return this.method;
	}

	/**
	 * The request headers, sensitive values redacted.
	 * @return the headers
	 */
	public Map<String, String> getHeaders() {
		return this.headers;
	}

	public @Nullable Object getPayload() {
		return this.payload;
	}

	public long getNumApiTokensNeeded() {
		return this.numApiTokensNeeded;
	}

	/**
	 * API tokens the call actually used, once known.
	 * @return the tokens used, or {@code null} when not (yet) known
	 */
	public @Nullable Long getApiTokensUsed() {
		return this.apiTokensUsed;
	}

	public Map<String, Object> getMetadata() {
		return this.metadata;
	}

	public @Nullable Integer getResponseStatusCode() {
		return statusCode(outcome());
	}

	/**
	 * The response headers, sensitive values redacted.
	 * @return the headers
	 */
	public Map<String, String> getResponseHeaders() {
		return responseHeaders(outcome());
	}

	public @Nullable Object getResponseBody() {
		Object current = outcome();
		return (current instanceof CallResult result) ? result.body()
				: (current instanceof Failed failed) ? failed.body : null;
	}

	public @Nullable String getErrorType() {
		Failed failed = failed(outcome());
		return (failed != null) ? failed.type : null;
	}

	public @Nullable String getErrorMessage() {
		Failed failed = failed(outcome());
		return (failed != null) ? failed.message : null;
	}

	public @Nullable String getErrorDetails() {
		Failed failed = failed(outcome());
		return (failed != null) ? failed.details : null;
	}

	public @Nullable Instant getQueuedAt() {
		return WallClock.toInstant(this.lifecycle.stamp(RequestLifecycle.QUEUED));
	}

	public @Nullable Instant getProcessingStartedAt() {
		return WallClock.toInstant(this.lifecycle.stamp(RequestLifecycle.PROCESSING));
	}

	public @Nullable Instant getCallStartedAt() {
		return WallClock.toInstant(this.lifecycle.stamp(RequestLifecycle.CALLING));
	}

	/**
	 * When the call's first byte arrived, for calls that report it (streams, leases).
	 * @return the instant, or {@code null} when not (yet) reported
	 */
	public @Nullable Instant getFirstByteAt() {
		return WallClock.toInstant(this.lifecycle.stamp(RequestLifecycle.FIRST_BYTE));
	}

	public @Nullable Instant getCompletedAt() {
		return WallClock.toInstant(this.lifecycle.stamp(RequestLifecycle.COMPLETED));
	}

	/**
	 * The latest log entries, oldest first.
	 * @return a copy of the log
	 */
	public List<String> getLogs() {
		return this.lifecycle.logs();
	}

	/**
	 * An immutable, consistent copy of this event's state, as shown by the endpoint and
	 * in application events: the values of metadata keys that name a secret (such as
	 * {@code api_key}) are masked like headers.
	 * @return the snapshot
	 */
	public RequestSnapshot snapshot() {
		return snapshotLater().get();
	}

	/**
	 * This event's state now, as a snapshot built when first asked for: the fields that
	 * change are copied now, into one small object, and the immutable
	 * {@link RequestSnapshot} is built from that copy on the first {@code get()}, then
	 * kept. For publishers that must capture every status change while their receivers
	 * read only some of them: a change nobody reads costs the copy only.
	 * @return a supplier of the snapshot of this moment, safe to call from any thread
	 */
	public Supplier<RequestSnapshot> snapshotLater() {
		return CapturedState.of(this, this.lifecycle);
	}

	Map<String, Object> redactedMetadata() {
		Redactor redactor = this.lifecycle.context().redactor();
		if (this.metadata.isEmpty() || this.metadata.keySet().stream().noneMatch(redactor::isSensitive)) {
			return this.metadata;
		}
		Map<String, Object> redacted = new LinkedHashMap<>(this.metadata.size() * 2);
		this.metadata.forEach((key, value) -> redacted.put(key, redactor.isSensitive(key) ? Redactor.MASK : value));
		return Collections.unmodifiableMap(redacted);
	}

	@Override
	public String toString() {
		int state = this.lifecycle.state();
		StringBuilder result = new StringBuilder(160).append("NetworkRequestEvent[requestId=")
			.append(getRequestId())
			.append(", status=")
			.append(RequestLifecycle.status(state));
		if (this.method != null) {
			result.append(", method=").append(this.method);
		}
		if (this.endpointUrl != null) {
			result.append(", endpointUrl=").append(this.endpointUrl);
		}
		if (!this.headers.isEmpty()) {
			result.append(", headers=").append(this.headers);
		}
		Object current = outcome(state);
		Integer statusCode = statusCode(current);
		if (statusCode != null) {
			result.append(", responseStatusCode=").append(statusCode);
		}
		Failed failed = failed(current);
		if (failed != null) {
			result.append(", errorType=").append(failed.type).append(", errorMessage=").append(failed.message);
		}
		return result.append(']').toString();
	}

	// ---------------------------------------------------------------- outcome

	/**
	 * The exception the call failed with, the instance itself: for a call made by an
	 * {@code AsyncApiClient}, the {@code ApiClientException} subtype (such as
	 * {@code RateLimitException} or {@code ApiConnectionException}).
	 * @return the exception, or {@code null} unless the request {@code FAILED} with one; a
	 * request refused before its call (one needing more API tokens than the bucket holds)
	 * records only {@link #getErrorType()} and {@link #getErrorMessage()}
	 */
	public @Nullable Throwable getError() {
		Failed failed = failed(outcome());
		return (failed != null) ? failed.error : null;
	}

	/**
	 * A future of the response body, completed once the request is terminal: with the
	 * body when {@code COMPLETED} ({@code null} when the response had none), exceptionally
	 * with the call's exception when {@code FAILED} (see {@link #getError()}), and with a
	 * {@link CancellationException} when {@code CANCELLED}. Each call returns a new
	 * future, so completing or cancelling it affects nobody else.
	 * @return the future
	 */
	public CompletableFuture<@Nullable Object> bodyCompletion() {
		CompletableFuture<@Nullable Object> body = new CompletableFuture<>();
		completion().whenComplete((event, ex) -> {
			Throwable failure = failure();
			if (failure != null) {
				body.completeExceptionally(failure);
			}
			else {
				body.complete(getResponseBody());
			}
		});
		return body;
	}

	/**
	 * A {@link Mono} of the response body once the request is terminal: the body when
	 * {@code COMPLETED} (empty when the response had none), the call's exception when
	 * {@code FAILED} (see {@link #getError()}), and a {@link CancellationException} when
	 * {@code CANCELLED}. Cancelling the subscription does not cancel the request.
	 * @return the mono
	 */
	public Mono<Object> toBodyMono() {
		return toMono().flatMap((event) -> {
			Throwable failure = failure();
			return (failure != null) ? Mono.error(failure) : Mono.justOrEmpty(getResponseBody());
		});
	}

	/**
	 * What a terminal request that did not complete failed with.
	 * @return the failure, or {@code null} when {@code COMPLETED}
	 */
	private @Nullable Throwable failure() {
		int state = this.lifecycle.state();
		RequestStatus status = RequestLifecycle.status(state);
		Failed failed = failed(outcome(state));
		String message = (failed != null) ? failed.message : "";
		if (status == RequestStatus.CANCELLED) {
			return new CancellationException("Request " + getRequestId() + " was cancelled: " + message);
		}
		if (status != RequestStatus.FAILED) {
			return null;
		}
		if (failed != null && failed.error != null) {
			return failed.error;
		}
		// Refused before its call: only the type and message were recorded.
		String type = (failed != null) ? failed.type : null;
		String description = "Request " + getRequestId() + " failed: " + message;
		return IllegalArgumentException.class.getName().equals(type) ? new IllegalArgumentException(description)
				: new IllegalStateException(description + " (" + type + ")");
	}

}
