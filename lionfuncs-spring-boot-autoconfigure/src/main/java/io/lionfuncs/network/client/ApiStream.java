package io.lionfuncs.network.client;

import java.util.concurrent.atomic.AtomicBoolean;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.Lease;
import io.lionfuncs.network.NetworkRequestEvent;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;

/**
 * A streamed request that an {@link Executor} has let leave: its event, already
 * {@code CALLING} (a concurrency slot held, both buckets' tokens reserved), and the
 * stream, sent when first subscribed ({@link AsyncApiClient#stream(Executor, ApiRequest, long)}).
 * The slot is held until the stream ends, and the event ends with it:
 * <ul>
 * <li>{@code COMPLETED} at the end of the body (for {@link #json()}, at OpenAI's
 * {@code data: [DONE]}), with
 * the API tokens the stream reported ({@link StreamUsage}) for the executor's true-up, or
 * its estimate when it reported none;</li>
 * <li>{@code FAILED} when the stream breaks (reset, premature close, idle longer than
 * {@link StreamSettings#idleTimeout()}), with the API tokens reported so far;</li>
 * <li>{@code CANCELLED} when its subscriber cancels: the connection is closed and what
 * the estimate left unused, beyond the API tokens reported so far, goes back to the
 * bucket.</li>
 * </ul>
 * Its first byte is stamped on the event ({@code firstByteAt}). The executor may end it
 * first ({@link Executor#cancel(String)}, a stop): the stream is cut and fails with a
 * {@link java.util.concurrent.CancellationException}.
 * <p>
 * Read it once, through {@link #events()} or {@link #json()}; until then it holds its
 * slot. {@link #close()} ends it unread.
 */
public final class ApiStream implements AutoCloseable {

	/**
	 * The metadata key that marks the event of a streamed call, its value {@code true}:
	 * the endpoint lists such calls in flight as open streams.
	 */
	public static final String METADATA_KEY = "stream";

	private final Lease lease;

	private final String clientName;

	private final Opener opener;

	private final AtomicBoolean read = new AtomicBoolean();

	ApiStream(Lease lease, String clientName, Opener opener) {
		this.lease = lease;
		this.clientName = clientName;
		this.opener = opener;
	}

	/**
	 * The request's event.
	 * @return the event, {@code CALLING} until the stream ends
	 */
	public NetworkRequestEvent event() {
		return this.lease.event();
	}

	/**
	 * The stream's events, {@code [DONE]} included; sends the request when subscribed.
	 * @return the events
	 * @throws IllegalStateException when subscribed a second time
	 */
	public Flux<ServerSentEvent> events() {
		return open(StreamingCalls.EVENTS);
	}

	/**
	 * The data of the stream's events as JSON, up to OpenAI's {@code [DONE]}; sends the
	 * request when subscribed. Events without data are skipped; data that is not JSON
	 * fails the stream.
	 * @return the JSON payloads
	 * @throws IllegalStateException when subscribed a second time
	 */
	public Flux<JsonNode> json() {
		return open(StreamingCalls.JSON);
	}

	private <T> Flux<T> open(StreamingCalls.View<T> view) {
		return Flux.defer(() -> this.read.compareAndSet(false, true) ? this.opener.open(view)
				: Flux.error(new IllegalStateException("The stream of request " + event().getRequestId()
						+ " of client '" + this.clientName + "' can be read once")));
	}

	/**
	 * Ends the stream unless it is read: an unread stream ends {@code CANCELLED}, its
	 * request unsent, and frees its slot; one being read is left to its subscriber.
	 */
	@Override
	public void close() {
		if (this.read.compareAndSet(false, true)) {
			this.lease.cancel();
		}
	}

	@Override
	public String toString() {
		return "ApiStream[client=" + this.clientName + ", requestId=" + event().getRequestId() + ", status="
				+ event().getStatus() + "]";
	}

	/**
	 * Opens the stream under the lease.
	 */
	interface Opener {

		<T> Flux<T> open(StreamingCalls.View<T> view);

	}

}
