package io.lionfuncs.network.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.Lease;
import io.lionfuncs.network.Redactor;
import io.lionfuncs.network.ResponseObserver;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import org.springframework.http.HttpHeaders;
import org.springframework.util.ClassUtils;
import org.springframework.util.LinkedCaseInsensitiveMap;

/**
 * One streamed call, from the request to the stream's end: it reads the events out of
 * the body's bytes, fails a stream idle too long, reads the usage the events report,
 * and, for a call made under a {@link Lease}, stamps the first byte and ends the lease
 * once with the stream's outcome: {@code COMPLETED} at the end of the body (or when its
 * subscriber cancels after OpenAI's {@code [DONE]}) with the usage read, {@code FAILED}
 * with the usage seen so far when the stream breaks, {@code CANCELLED} with the usage
 * seen so far when its subscriber cancels. The lease is offered to the attempts as their {@link ResponseObserver}, so
 * that a 429 before the first byte pauses the executor at once; if the executor ends the
 * lease first, the stream is cut and fails with a {@link CancellationException}.
 * <p>
 * One instance per subscription; its terminal hooks run on the stream's threads, one at
 * a time.
 */
final class StreamRun {

	private static final boolean JACKSON_PRESENT = ClassUtils.isPresent("tools.jackson.databind.JsonNode",
			StreamRun.class.getClassLoader());

	/** How long the rest of a body may take to arrive after OpenAI's {@code [DONE]}. */
	static final Duration DRAIN_AFTER_DONE = Duration.ofSeconds(1);

	private final @Nullable Lease lease;

	private final ExchangeDetails target;

	private final ErrorMapper errors;

	private final Duration idleTimeout;

	private final Redactor redactor;

	private final @Nullable StreamUsage usage;

	private final List<Disposable> handovers = new ArrayList<>(1);

	private volatile int status;

	private volatile Map<String, String> headers = Map.of();

	private boolean firstByte;

	private volatile boolean done;

	private final Sinks.Empty<Void> doneSignal = Sinks.empty();

	private volatile @Nullable String revokedBecause;

	StreamRun(@Nullable Lease lease, ExchangeDetails target, ErrorMapper errors, Duration idleTimeout,
			Redactor redactor) {
		this.lease = lease;
		this.target = target;
		this.errors = errors;
		this.idleTimeout = idleTimeout;
		this.redactor = redactor;
		this.usage = JACKSON_PRESENT ? new StreamUsage() : null;
	}

	/**
	 * Keeps a handover of a body, to dispose it if nobody took it up.
	 */
	void handedOver(Disposable handover) {
		synchronized (this.handovers) {
			this.handovers.add(handover);
		}
	}

	/**
	 * Runs a stream: its outcome ends the lease, and the executor's revocation cuts it.
	 * @param <T> the element type
	 * @param stream the stream, from the request on
	 * @return the stream as the caller sees it
	 */
	<T> Flux<T> observe(Flux<T> stream) {
		Flux<T> observed = stream.doOnComplete(this::completed)
			.doOnError(this::failed)
			.doOnCancel(this::cancelled)
			.doFinally((signal) -> disposeHandovers());
		Lease current = this.lease;
		if (current == null) {
			return observed;
		}
		Sinks.Empty<Void> revoked = Sinks.empty();
		current.onRevoke((reason) -> {
			this.revokedBecause = reason;
			revoked.tryEmitEmpty();
		});
		return observed.contextWrite((context) -> context.put(ResponseObserver.CONTEXT_KEY, current))
			.takeUntilOther(revoked.asMono())
			.concatWith(Mono.defer(() -> {
				String reason = this.revokedBecause;
				return (reason != null) ? Mono.error(new CancellationException(this.target.method() + " "
						+ this.target.uriTemplate() + " was ended by its executor: " + reason)) : Mono.empty();
			}));
	}

	/**
	 * The events of a response, from its first byte on.
	 * @param response the response, its body the stream of its bytes
	 * @return the events
	 */
	Flux<ServerSentEvent> events(ApiResponse<Flux<byte[]>> response) {
		this.status = response.status();
		this.headers = singleValued(response.headers());
		EventStreamDecoder decoder = EventStreamDecoder.forContentType(response.header(HttpHeaders.CONTENT_TYPE));
		Flux<byte[]> body = (response.body() != null) ? response.body() : Flux.empty();
		return IdleTimeout.bound(body, this.idleTimeout)
			.doOnNext((chunk) -> firstByte())
			.concatMapIterable(decoder::decode)
			.concatWith(Flux.defer(() -> Flux.fromIterable(decoder.end())))
			.doOnNext(this::read)
			.onErrorMap(this::midStream)
			// The end of the body follows [DONE] at once; a server that keeps the
			// connection busy after it is cut short, the stream complete.
			.takeUntilOther(this.doneSignal.asMono().then(Mono.delay(DRAIN_AFTER_DONE)));
	}

	private void firstByte() {
		if (!this.firstByte) {
			this.firstByte = true;
			if (this.lease != null) {
				this.lease.markFirstByte();
			}
		}
	}

	private void read(ServerSentEvent event) {
		if (this.usage != null) {
			this.usage.accept(event);
		}
		if (event.isDone() && !this.done) {
			// The stream's logical end: cancelling after it completes the call.
			this.done = true;
			this.doneSignal.tryEmitEmpty();
		}
	}

	private ApiClientException midStream(Throwable failure) {
		if (failure instanceof ApiClientException exception) {
			return exception;
		}
		// The response's details are redacted only for a stream that fails.
		ExchangeDetails details = new ExchangeDetails(this.target.method(), this.target.uriTemplate(), this.status,
				this.redactor.headers(this.headers), null, null);
		String call = details.method() + " " + details.uriTemplate();
		if (failure instanceof TimeoutException) {
			return new ApiTimeoutException(call + " stream was idle for longer than " + this.idleTimeout, details, false,
					null);
		}
		if (failure instanceof EventStreamDecoder.EventTooLargeException) {
			return new ApiClientException(call + " failed: " + failure.getMessage(), details, null);
		}
		return this.errors.forFailure(failure, details, this.idleTimeout);
	}

	// ---------------------------------------------------------------- the outcome

	private void completed() {
		Lease current = this.lease;
		if (current == null || current.isEnded()) {
			return;
		}
		Long used = usedSoFar();
		if (used != null) {
			current.complete(this.status, this.headers, used);
		}
		else {
			current.complete(new CallResult(this.status, this.headers, null));
		}
	}

	private void failed(Throwable error) {
		Lease current = this.lease;
		if (current == null || current.isEnded()) {
			return;
		}
		Long used = usedSoFar();
		if (used != null) {
			current.fail(error, used);
		}
		else {
			current.fail(error);
		}
	}

	private void cancelled() {
		Lease current = this.lease;
		if (current == null || current.isEnded()) {
			return;
		}
		if (this.done) {
			completed();
			return;
		}
		Long used = usedSoFar();
		current.cancel((used != null) ? used : 0);
	}

	private @Nullable Long usedSoFar() {
		return (this.usage != null) ? this.usage.apiTokensUsed() : null;
	}

	private void disposeHandovers() {
		synchronized (this.handovers) {
			this.handovers.forEach(Disposable::dispose);
			this.handovers.clear();
		}
	}

	private static Map<String, String> singleValued(HttpHeaders headers) {
		Map<String, String> single = new LinkedCaseInsensitiveMap<>(headers.size());
		headers.forEach((name, values) -> single.put(name, String.join(", ", values)));
		return single;
	}

}
