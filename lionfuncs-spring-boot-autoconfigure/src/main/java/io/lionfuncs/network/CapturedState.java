package io.lionfuncs.network;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * The changing part of an event's state at one moment, copied into one small object,
 * and the {@link RequestSnapshot} built from it with the parts that never change when
 * first asked for.
 */
final class CapturedState implements Supplier<RequestSnapshot> {

	private final NetworkRequestEvent event;

	private final RequestStatus status;

	private final long createdAt;

	private final long updatedAt;

	private final long queuedAt;

	private final long processingStartedAt;

	private final long callStartedAt;

	private final long firstByteAt;

	private final long completedAt;

	private final @Nullable Integer responseStatusCode;

	private final Map<String, String> responseHeaders;

	private final @Nullable String errorType;

	private final @Nullable String errorMessage;

	private final @Nullable Long apiTokensUsed;

	private final List<String> logs;

	// Built at most a few times by racing threads, all equal; then read.
	private volatile @Nullable RequestSnapshot snapshot;

	private CapturedState(NetworkRequestEvent event, RequestLifecycle lifecycle, int state) {
		this.event = event;
		this.status = RequestLifecycle.status(state);
		this.createdAt = lifecycle.createdAt;
		this.updatedAt = lifecycle.stamp(RequestLifecycle.UPDATED, state);
		this.queuedAt = lifecycle.stamp(RequestLifecycle.QUEUED, state);
		this.processingStartedAt = lifecycle.stamp(RequestLifecycle.PROCESSING, state);
		this.callStartedAt = lifecycle.stamp(RequestLifecycle.CALLING, state);
		this.firstByteAt = lifecycle.stamp(RequestLifecycle.FIRST_BYTE, state);
		this.completedAt = lifecycle.stamp(RequestLifecycle.COMPLETED, state);
		Object outcome = event.outcome(state);
		this.responseStatusCode = NetworkRequestEvent.statusCode(outcome);
		this.responseHeaders = NetworkRequestEvent.responseHeaders(outcome);
		Failed failed = NetworkRequestEvent.failed(outcome);
		this.errorType = (failed != null) ? failed.type : null;
		this.errorMessage = (failed != null) ? failed.message : null;
		this.apiTokensUsed = event.getApiTokensUsed();
		this.logs = lifecycle.logs();
	}

	/**
	 * Copies the state of one moment: read between two readings of the same state word,
	 * so that no change happened in between (a status is entered only once).
	 */
	static CapturedState of(NetworkRequestEvent event, RequestLifecycle lifecycle) {
		for (;;) {
			int state = lifecycle.state();
			CapturedState captured = new CapturedState(event, lifecycle, state);
			if (lifecycle.state() == state) {
				return captured;
			}
		}
	}

	@Override
	public RequestSnapshot get() {
		RequestSnapshot built = this.snapshot;
		if (built == null) {
			// Steps of one hand-over share their stamp: one Instant per distinct stamp.
			Instant created = Objects.requireNonNull(WallClock.toInstant(this.createdAt));
			Instant queued = instant(this.queuedAt, this.createdAt, created);
			Instant processing = instant(this.processingStartedAt, this.queuedAt, queued);
			Instant calling = instant(this.callStartedAt, this.processingStartedAt, processing);
			Instant firstByte = instant(this.firstByteAt, this.callStartedAt, calling);
			Instant completed = instant(this.completedAt, this.callStartedAt, calling);
			Instant updated = updated(created, queued, processing, calling, completed);
			NetworkRequestEvent source = this.event;
			built = new RequestSnapshot(source.getRequestId(), source.getExecutorName(), this.status, created,
					updated, source.getEndpointUrl(), source.getMethod(), source.getHeaders(),
					source.getNumApiTokensNeeded(), this.apiTokensUsed, this.responseStatusCode,
					this.responseHeaders, this.errorType, this.errorMessage, queued, processing, calling, firstByte,
					completed, this.logs, source.redactedMetadata());
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
		return (at == this.createdAt) ? created : Objects.requireNonNull(WallClock.toInstant(at));
	}

	/**
	 * The instant of a stamp, the given one when the stamp equals the other stamp.
	 */
	private static @Nullable Instant instant(long stamp, long otherStamp, @Nullable Instant other) {
		return (stamp == otherStamp && other != null) ? other : WallClock.toInstant(stamp);
	}

}
