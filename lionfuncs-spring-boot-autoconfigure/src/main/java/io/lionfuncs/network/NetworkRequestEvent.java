package io.lionfuncs.network;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * The lifecycle of one call: its status, timestamps, result or error, and a bounded log.
 * <p>
 * Status changes are validated ({@link RequestStatus#canMoveTo}) and atomic; each stamps
 * {@code updatedAt}, and the first entry into {@code QUEUED}, {@code PROCESSING},
 * {@code CALLING} and a terminal status stamps {@code queuedAt},
 * {@code processingStartedAt}, {@code callStartedAt} and {@code completedAt}. Headers
 * are recorded with sensitive values redacted, so neither {@link #toString()} nor any
 * serialised form can carry a secret. {@link #completion()} and {@link #toMono()} let a
 * caller await the terminal status without polling.
 * <p>
 * An event submitted to an {@link Executor} has its status managed by that executor:
 * callers may only {@link #cancel()} it and {@link #addLog add log entries}.
 */
public final class NetworkRequestEvent {

	static final int DEFAULT_MAX_LOG_ENTRIES = 100;

	private static final int MAX_ERROR_DETAILS_LENGTH = 8192;

	private static final int NO_STATUS_CODE = Integer.MIN_VALUE;

	private final RequestOwner owner;

	// The id is kept as the two halves of a UUID; its text is made when first asked for.
	private final long requestIdHigh;

	private final long requestIdLow;

	private volatile @Nullable String requestId;

	// Timestamps in nanoseconds since the epoch (WallClock), WallClock.NONE when not set.
	private final long createdAt;

	private final @Nullable String endpointUrl;

	private final @Nullable String method;

	private final Map<String, String> headers;

	private final @Nullable Object payload;

	private final long numApiTokensNeeded;

	private final Map<String, Object> metadata;

	private volatile RequestStatus status = RequestStatus.PENDING;

	// The fields below are guarded by this event's monitor.

	private long updatedAt;

	private long queuedAt = WallClock.NONE;

	private long processingStartedAt = WallClock.NONE;

	private long callStartedAt = WallClock.NONE;

	private long completedAt = WallClock.NONE;

	private int responseStatusCode = NO_STATUS_CODE;

	private Map<String, String> responseHeaders = Map.of();

	private @Nullable Object responseBody;

	private @Nullable String errorType;

	private @Nullable String errorMessage;

	private @Nullable String errorDetails;

	private @Nullable Throwable error;

	private @Nullable Long apiTokensUsed;

	private @Nullable ArrayDeque<String> logs;

	private int droppedLogs;

	// The futures of callers awaiting the terminal status: null, one future, or a list of
	// them. Added to under this monitor while not terminal; volatile so that a terminal
	// change without listeners can complete them unlocked.
	private volatile @Nullable Object waiters;

	private @Nullable ExecutorTask task;

	NetworkRequestEvent(RequestOwner owner, @Nullable String endpointUrl, @Nullable String method,
			@Nullable Map<String, ?> headers, @Nullable Object payload, long numApiTokensNeeded,
			Map<String, Object> metadata) {
		this.owner = owner;
		// A random version 4 UUID. Request ids need uniqueness, not unpredictability, so
		// they come from the thread-local generator rather than the contended secure one.
		ThreadLocalRandom random = ThreadLocalRandom.current();
		this.requestIdHigh = (random.nextLong() & ~0xF000L) | 0x4000L;
		this.requestIdLow = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
		this.createdAt = owner.epochNanos();
		this.updatedAt = this.createdAt;
		this.endpointUrl = owner.redactor().url(endpointUrl);
		this.method = method;
		this.headers = owner.redactor().headers(headers);
		this.payload = payload;
		this.numApiTokensNeeded = numApiTokensNeeded;
		this.metadata = metadata;
	}

	/**
	 * Creates an event whose status the caller manages, as the seed's
	 * {@code NetworkRequestEvent} does.
	 * @param request what the event tracks (its call is not run)
	 * @return a {@code PENDING} event
	 */
	public static NetworkRequestEvent standalone(TaskRequest request) {
		return new NetworkRequestEvent(RequestOwner.Standalone.INSTANCE, request.endpointUrl(), request.method(),
				request.headers(), request.payload(), request.numApiTokensNeeded(), request.metadata());
	}

	void attach(ExecutorTask task) {
		this.task = task;
	}

	@Nullable ExecutorTask task() {
		return this.task;
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
		RequestStatus previous;
		synchronized (this) {
			previous = this.status;
			if (!previous.canMoveTo(newStatus)) {
				throw invalidTransition(newStatus);
			}
			moveTo(newStatus);
		}
		if (newStatus.isTerminal()) {
			announceTerminal(previous);
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
		RequestStatus previous = finishCompleted(new CallResult(statusCode, this.owner.redactor().headers(headers), body));
		if (previous == null) {
			throw invalidTransition(RequestStatus.COMPLETED);
		}
		announceTerminal(previous);
	}

	/**
	 * Records the error and moves to {@code FAILED}. Only for standalone events.
	 * @param error what went wrong
	 * @throws IllegalStateException if the event is already terminal
	 */
	public void setError(Throwable error) {
		requireCallerManaged("setError");
		RequestStatus previous = finishFailed(error);
		if (previous == null) {
			throw invalidTransition(RequestStatus.FAILED);
		}
		announceTerminal(previous);
	}

	/**
	 * Cancels the request: a queued or waiting request ends {@code CANCELLED} and gives
	 * back its reserved tokens; a call in flight is disposed.
	 * @return whether this call cancelled it ({@code false} when already terminal)
	 */
	public boolean cancel() {
		return this.owner.cancel(this, "cancelled by caller");
	}

	/**
	 * Appends a message to the request's log. The log keeps the latest entries only.
	 * @param message the message
	 */
	public synchronized void addLog(String message) {
		int max = this.owner.maxLogEntries();
		if (max <= 0) {
			return;
		}
		if (this.logs == null) {
			this.logs = new ArrayDeque<>(4);
		}
		if (this.logs.size() >= max) {
			this.logs.pollFirst();
			this.droppedLogs++;
		}
		this.logs.addLast(message);
	}

	// ---------------------------------------------------------------- awaiting

	/**
	 * A future that completes with this event once it is terminal. Each call returns a
	 * new future, so completing or cancelling it affects nobody else.
	 * @return the future
	 */
	public CompletableFuture<NetworkRequestEvent> completion() {
		CompletableFuture<NetworkRequestEvent> future = new CompletableFuture<>();
		if (!addWaiter(future)) {
			future.complete(this);
		}
		return future;
	}

	/**
	 * A {@link Mono} that emits this event once it is terminal. Cancelling the
	 * subscription does not cancel the request.
	 * @return the mono
	 */
	public Mono<NetworkRequestEvent> toMono() {
		return Mono.fromFuture(completion(), true);
	}

	/**
	 * Registers a future to complete at the terminal status.
	 * @return {@code false} when the event is terminal already
	 */
	@SuppressWarnings("unchecked")
	private synchronized boolean addWaiter(CompletableFuture<NetworkRequestEvent> future) {
		if (this.status.isTerminal()) {
			return false;
		}
		Object current = this.waiters;
		if (current == null) {
			this.waiters = future;
		}
		else if (current instanceof List<?> list) {
			((List<CompletableFuture<NetworkRequestEvent>>) list).add(future);
		}
		else {
			List<CompletableFuture<NetworkRequestEvent>> list = new ArrayList<>(4);
			list.add((CompletableFuture<NetworkRequestEvent>) current);
			list.add(future);
			this.waiters = list;
		}
		return true;
	}

	// ---------------------------------------------------------------- transitions (executor)

	/**
	 * Moves to a non-terminal status and tells the listeners, atomically.
	 * @return the previous status, or {@code null} if the change was not allowed
	 */
	@Nullable RequestStatus advance(RequestStatus next) {
		return advance(next, this.owner.epochNanos());
	}

	/**
	 * Moves to a non-terminal status at the given time, for an executor that has just
	 * read its clock for an earlier step of the same hand-over.
	 * @return the previous status, or {@code null} if the change was not allowed
	 */
	@Nullable RequestStatus advance(RequestStatus next, long now) {
		synchronized (this) {
			RequestStatus previous = this.status;
			if (!previous.canMoveTo(next)) {
				return null;
			}
			moveTo(next, now);
			if (this.owner.hasListeners()) {
				this.owner.statusChanged(this, previous, next);
			}
			return previous;
		}
	}

	/**
	 * Moves a queued event through {@code PROCESSING} to {@code CALLING} in one atomic
	 * step, for a call whose tokens exist when it leaves the queue; listeners are told of
	 * both changes, in order.
	 * @return {@code false} if the event was no longer {@code QUEUED}
	 */
	boolean startCall(long now) {
		synchronized (this) {
			if (this.status != RequestStatus.QUEUED) {
				return false;
			}
			moveTo(RequestStatus.PROCESSING, now);
			if (this.owner.hasListeners()) {
				this.owner.statusChanged(this, RequestStatus.QUEUED, RequestStatus.PROCESSING);
			}
			moveTo(RequestStatus.CALLING, now);
			if (this.owner.hasListeners()) {
				this.owner.statusChanged(this, RequestStatus.PROCESSING, RequestStatus.CALLING);
			}
			return true;
		}
	}

	/**
	 * Moves a new event to {@code QUEUED} at its creation time, before any other thread
	 * can see it: nothing can race with the change, so it takes no lock (the queue that
	 * publishes the event orders these writes before any reader).
	 */
	void queueUnpublished() {
		this.queuedAt = this.createdAt;
		this.status = RequestStatus.QUEUED;
		if (this.owner.hasListeners()) {
			this.owner.statusChanged(this, RequestStatus.PENDING, RequestStatus.QUEUED);
		}
	}

	@Nullable RequestStatus finishCompleted(CallResult result) {
		synchronized (this) {
			RequestStatus previous = this.status;
			if (!previous.canMoveTo(RequestStatus.COMPLETED)) {
				return null;
			}
			this.responseStatusCode = result.statusCode();
			this.responseHeaders = this.owner.redactor().headers(result.headers());
			this.responseBody = result.body();
			moveTo(RequestStatus.COMPLETED);
			return previous;
		}
	}

	@Nullable RequestStatus finishFailed(Throwable error) {
		Throwable cause = unwrap(error);
		String details = stackTrace(cause);
		synchronized (this) {
			RequestStatus previous = this.status;
			if (!previous.canMoveTo(RequestStatus.FAILED)) {
				return null;
			}
			this.errorType = cause.getClass().getName();
			this.errorMessage = String.valueOf(cause.getMessage());
			this.errorDetails = details;
			this.error = cause;
			if (cause instanceof ResponseDetails response) {
				Integer statusCode = response.statusCode();
				this.responseStatusCode = (statusCode != null) ? statusCode : NO_STATUS_CODE;
				this.responseHeaders = this.owner.redactor().headers(response.responseHeaders());
				this.responseBody = response.responseBodyExcerpt();
			}
			moveTo(RequestStatus.FAILED);
			return previous;
		}
	}

	@Nullable RequestStatus finishFailed(String errorType, String message) {
		synchronized (this) {
			RequestStatus previous = this.status;
			if (!previous.canMoveTo(RequestStatus.FAILED)) {
				return null;
			}
			this.errorType = errorType;
			this.errorMessage = message;
			moveTo(RequestStatus.FAILED);
			return previous;
		}
	}

	@Nullable RequestStatus finishCancelled(String reason) {
		synchronized (this) {
			RequestStatus previous = this.status;
			if (!previous.canMoveTo(RequestStatus.CANCELLED)) {
				return null;
			}
			this.errorType = CancellationException.class.getName();
			this.errorMessage = reason;
			moveTo(RequestStatus.CANCELLED);
			return previous;
		}
	}

	/**
	 * Tells the listeners of the terminal change and completes the awaiting futures.
	 * Called once, after the owner has done its bookkeeping, so that whoever wakes up
	 * sees the executor's slot and tokens already returned.
	 */
	void announceTerminal(RequestStatus previous) {
		Object current;
		if (this.owner.hasListeners()) {
			synchronized (this) {
				this.owner.statusChanged(this, previous, this.status);
				current = this.waiters;
			}
		}
		else {
			// Waiters are added only before the terminal change, which this thread made.
			current = this.waiters;
		}
		if (current != null) {
			this.waiters = null;
			if (current instanceof List<?> list) {
				for (Object future : list) {
					complete(future);
				}
			}
			else {
				complete(current);
			}
		}
	}

	@SuppressWarnings("unchecked")
	private void complete(Object future) {
		((CompletableFuture<NetworkRequestEvent>) future).complete(this);
	}

	synchronized void recordApiTokensUsed(long tokens) {
		this.apiTokensUsed = tokens;
	}

	private void moveTo(RequestStatus next) {
		moveTo(next, this.owner.epochNanos());
	}

	private void moveTo(RequestStatus next, long time) {
		// Stamps of one request never go backwards, whatever the clock does.
		long now = Math.max(time, this.updatedAt);
		switch (next) {
			case QUEUED -> this.queuedAt = now;
			case PROCESSING -> this.processingStartedAt = now;
			case CALLING -> this.callStartedAt = now;
			case COMPLETED, FAILED, CANCELLED -> this.completedAt = now;
			default -> {
			}
		}
		this.updatedAt = now;
		this.status = next;
	}

	private void requireCallerManaged(String operation) {
		if (this.owner.managesStatus()) {
			throw new IllegalStateException("Cannot " + operation + " on request " + getRequestId()
					+ ": its status is managed by executor '" + this.owner.executorName() + "'; use cancel() instead");
		}
	}

	private IllegalStateException invalidTransition(RequestStatus next) {
		return new IllegalStateException(
				"Request " + getRequestId() + " cannot move from " + this.status + " to " + next);
	}

	private static Throwable unwrap(Throwable error) {
		Throwable current = error;
		while ((current instanceof CompletionException || current instanceof ExecutionException)
				&& current.getCause() != null) {
			current = current.getCause();
		}
		return current;
	}

	private static String stackTrace(Throwable error) {
		StringWriter writer = new StringWriter();
		error.printStackTrace(new PrintWriter(writer));
		String trace = writer.toString();
		return (trace.length() <= MAX_ERROR_DETAILS_LENGTH) ? trace
				: trace.substring(0, MAX_ERROR_DETAILS_LENGTH) + "... (truncated)";
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
		return this.owner.executorName();
	}

	public RequestStatus getStatus() {
		return this.status;
	}

	/**
	 * Whether the status is terminal.
	 * @return {@code true} once {@code COMPLETED}, {@code FAILED} or {@code CANCELLED}
	 */
	public boolean isTerminal() {
		return this.status.isTerminal();
	}

	public Instant getCreatedAt() {
		return Objects.requireNonNull(WallClock.toInstant(this.createdAt));
	}

	public synchronized Instant getUpdatedAt() {
		return Objects.requireNonNull(WallClock.toInstant(this.updatedAt));
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
	public synchronized @Nullable Long getApiTokensUsed() {
		return this.apiTokensUsed;
	}

	public Map<String, Object> getMetadata() {
		return this.metadata;
	}

	public synchronized @Nullable Integer getResponseStatusCode() {
		return (this.responseStatusCode != NO_STATUS_CODE) ? this.responseStatusCode : null;
	}

	/**
	 * The response headers, sensitive values redacted.
	 * @return the headers
	 */
	public synchronized Map<String, String> getResponseHeaders() {
		return this.responseHeaders;
	}

	public synchronized @Nullable Object getResponseBody() {
		return this.responseBody;
	}

	public synchronized @Nullable String getErrorType() {
		return this.errorType;
	}

	public synchronized @Nullable String getErrorMessage() {
		return this.errorMessage;
	}

	public synchronized @Nullable String getErrorDetails() {
		return this.errorDetails;
	}

	public synchronized @Nullable Instant getQueuedAt() {
		return WallClock.toInstant(this.queuedAt);
	}

	public synchronized @Nullable Instant getProcessingStartedAt() {
		return WallClock.toInstant(this.processingStartedAt);
	}

	public synchronized @Nullable Instant getCallStartedAt() {
		return WallClock.toInstant(this.callStartedAt);
	}

	public synchronized @Nullable Instant getCompletedAt() {
		return WallClock.toInstant(this.completedAt);
	}

	/**
	 * The latest log entries, oldest first.
	 * @return a copy of the log
	 */
	public synchronized List<String> getLogs() {
		if (this.logs == null) {
			return List.of();
		}
		if (this.droppedLogs == 0) {
			return List.copyOf(this.logs);
		}
		List<String> copy = new ArrayList<>(this.logs.size() + 1);
		copy.add("(" + this.droppedLogs + " earlier entries dropped)");
		copy.addAll(this.logs);
		return List.copyOf(copy);
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
	public synchronized Supplier<RequestSnapshot> snapshotLater() {
		return new CapturedState(this.status, this.updatedAt, this.queuedAt, this.processingStartedAt,
				this.callStartedAt, this.completedAt, this.responseStatusCode, this.responseHeaders, this.errorType,
				this.errorMessage, this.apiTokensUsed, (this.logs != null) ? getLogs() : List.of());
	}

	private Map<String, Object> redactedMetadata() {
		Redactor redactor = this.owner.redactor();
		if (this.metadata.keySet().stream().noneMatch(redactor::isSensitive)) {
			return this.metadata;
		}
		Map<String, Object> redacted = new LinkedHashMap<>(this.metadata.size() * 2);
		this.metadata.forEach((key, value) -> redacted.put(key, redactor.isSensitive(key) ? Redactor.MASK : value));
		return Collections.unmodifiableMap(redacted);
	}

	@Override
	public synchronized String toString() {
		StringBuilder result = new StringBuilder(160).append("NetworkRequestEvent[requestId=")
			.append(getRequestId())
			.append(", status=")
			.append(this.status);
		if (this.method != null) {
			result.append(", method=").append(this.method);
		}
		if (this.endpointUrl != null) {
			result.append(", endpointUrl=").append(this.endpointUrl);
		}
		if (!this.headers.isEmpty()) {
			result.append(", headers=").append(this.headers);
		}
		if (this.responseStatusCode != NO_STATUS_CODE) {
			result.append(", responseStatusCode=").append(this.responseStatusCode);
		}
		if (this.errorType != null) {
			result.append(", errorType=").append(this.errorType).append(", errorMessage=").append(this.errorMessage);
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
	public synchronized @Nullable Throwable getError() {
		return this.error;
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
	private synchronized @Nullable Throwable failure() {
		if (this.status == RequestStatus.CANCELLED) {
			return new CancellationException("Request " + getRequestId() + " was cancelled: " + this.errorMessage);
		}
		if (this.status != RequestStatus.FAILED) {
			return null;
		}
		if (this.error != null) {
			return this.error;
		}
		// Refused before its call: only the type and message were recorded.
		String message = "Request " + getRequestId() + " failed: " + this.errorMessage;
		return IllegalArgumentException.class.getName().equals(this.errorType) ? new IllegalArgumentException(message)
				: new IllegalStateException(message + " (" + this.errorType + ")");
	}

	/**
	 * The changing part of an event's state at one moment, and the snapshot built from it
	 * with the parts that never change.
	 */
	private final class CapturedState implements Supplier<RequestSnapshot> {

		private final RequestStatus status;

		private final long updatedAt;

		private final long queuedAt;

		private final long processingStartedAt;

		private final long callStartedAt;

		private final long completedAt;

		private final int responseStatusCode;

		private final Map<String, String> responseHeaders;

		private final @Nullable String errorType;

		private final @Nullable String errorMessage;

		private final @Nullable Long apiTokensUsed;

		private final List<String> logs;

		// Built at most a few times by racing threads, all equal; then read.
		private volatile @Nullable RequestSnapshot snapshot;

		CapturedState(RequestStatus status, long updatedAt, long queuedAt, long processingStartedAt,
				long callStartedAt, long completedAt, int responseStatusCode, Map<String, String> responseHeaders,
				@Nullable String errorType, @Nullable String errorMessage, @Nullable Long apiTokensUsed,
				List<String> logs) {
			this.status = status;
			this.updatedAt = updatedAt;
			this.queuedAt = queuedAt;
			this.processingStartedAt = processingStartedAt;
			this.callStartedAt = callStartedAt;
			this.completedAt = completedAt;
			this.responseStatusCode = responseStatusCode;
			this.responseHeaders = responseHeaders;
			this.errorType = errorType;
			this.errorMessage = errorMessage;
			this.apiTokensUsed = apiTokensUsed;
			this.logs = logs;
		}

		@Override
		public RequestSnapshot get() {
			RequestSnapshot built = this.snapshot;
			if (built == null) {
				NetworkRequestEvent event = NetworkRequestEvent.this;
				// Steps of one hand-over share their stamp: one Instant per distinct stamp.
				Instant created = Objects.requireNonNull(WallClock.toInstant(event.createdAt));
				Instant queued = instant(this.queuedAt, event.createdAt, created);
				Instant processing = instant(this.processingStartedAt, this.queuedAt, queued);
				Instant calling = instant(this.callStartedAt, this.processingStartedAt, processing);
				Instant completed = instant(this.completedAt, this.callStartedAt, calling);
				Instant updated = updated(created, queued, processing, calling, completed);
				built = new RequestSnapshot(event.getRequestId(), event.owner.executorName(), this.status, created,
						updated, event.endpointUrl, event.method, event.headers, event.numApiTokensNeeded,
						this.apiTokensUsed, (this.responseStatusCode != NO_STATUS_CODE) ? this.responseStatusCode : null,
						this.responseHeaders, this.errorType, this.errorMessage, queued, processing, calling, completed,
						this.logs, event.redactedMetadata());
				this.snapshot = built;
			}
			return built;
		}

		/**
		 * The instant of the last change: the stamp of the status it entered.
		 */
		private Instant updated(Instant created, @Nullable Instant queued, @Nullable Instant processing,
				@Nullable Instant calling, @Nullable Instant completed) {
			long at = this.updatedAt;
			if (completed != null && at == this.completedAt) {
				return completed;
			}
			if (calling != null && at == this.callStartedAt) {
				return calling;
			}
			if (processing != null && at == this.processingStartedAt) {
				return processing;
			}
			if (queued != null && at == this.queuedAt) {
				return queued;
			}
			return (at == NetworkRequestEvent.this.createdAt) ? created
					: Objects.requireNonNull(WallClock.toInstant(at));
		}

		/**
		 * The instant of a stamp, the given one when the stamp equals the other stamp.
		 */
		private static @Nullable Instant instant(long stamp, long otherStamp, @Nullable Instant other) {
			return (stamp == otherStamp && other != null) ? other : WallClock.toInstant(stamp);
		}

	}

}
