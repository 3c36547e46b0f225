package io.lionfuncs.network;

import java.util.Map;
import java.util.function.Consumer;

/**
 * The right to make one call now: a concurrency slot and the tokens of both buckets,
 * granted by an {@link Executor} in queue order, first come first served with its
 * submitted tasks. A caller that makes its own HTTP call (an interceptor inside another
 * HTTP client, a stream) takes a lease, makes the call, and ends the lease with the
 * outcome; a submitted task is a lease whose call the executor makes.
 * <p>
 * The lease's {@link #event() event} is {@code CALLING} when granted and feeds the
 * listeners, counters, endpoint and budget like any task. Report each response as it
 * arrives ({@link #onResponse}: provider rate-limit headers lower the buckets, a 429
 * pauses the executor), {@linkplain #markFirstByte() the first byte} of a stream, and end
 * the lease once: {@link #complete(CallResult)} reads the API tokens used from the
 * result like a task's; {@link #complete(int, Map, long)} and the usage arguments of
 * {@link #fail(Throwable, long)} and {@link #cancel(long)} tell them for a call that
 * counts them itself. The first outcome wins, later ones return {@code false}, and the
 * slot is released exactly once; {@link #close()} without an outcome cancels. Always end
 * a lease, best in a {@code try}-with-resources block: a lease never ended holds its
 * slot.
 * <p>
 * The executor may end a lease from its side ({@link Executor#cancel(String)}, a stop):
 * its event is then terminal, later outcomes are ignored, and the actions given to
 * {@link #onRevoke} run, so that the holder can abort its call.
 * <p>
 * All methods are thread-safe and never block.
 */
public interface Lease extends ResponseObserver, AutoCloseable {

	/**
	 * The lease's request.
	 * @return its event, {@code CALLING} once granted
	 */
	NetworkRequestEvent event();

	/**
	 * A response arrived (one of several attempts, possibly): reads the provider's
	 * rate-limit headers and pauses the executor on 429 or on {@code Retry-After}. A
	 * lease that reported its responses is not read again at its end.
	 * @param statusCode the HTTP status code
	 * @param headers the response headers
	 */
	@Override
	void onResponse(int statusCode, Map<String, String> headers);

	/**
	 * Stamps the arrival of the call's first byte ({@code firstByteAt}), once.
	 * @return whether this call stamped it
	 */
	boolean markFirstByte();

	/**
	 * Ends the lease with the call's result; the API tokens used are read from it as for
	 * a task ({@code usage.json-pointers}, a {@code UsageExtractor}).
	 * @param result the status, headers and body
	 * @return whether this outcome ended the lease
	 */
	boolean complete(CallResult result);

	/**
	 * Ends the lease with the call's status and headers and the API tokens it used, as
	 * the holder counted them (a stream's final usage).
	 * @param statusCode the HTTP status code
	 * @param headers the response headers
	 * @param apiTokensUsed the API tokens used, zero or more
	 * @return whether this outcome ended the lease
	 */
	boolean complete(int statusCode, Map<String, String> headers, long apiTokensUsed);

	/**
	 * Ends the lease {@code FAILED}; the API-token estimate stands (a 429 gives it back).
	 * @param error what went wrong
	 * @return whether this outcome ended the lease
	 */
	boolean fail(Throwable error);

	/**
	 * Ends the lease {@code FAILED} with the API tokens used before the failure (a stream
	 * broken midway): what the estimate left unused goes back to the bucket.
	 * @param error what went wrong
	 * @param apiTokensUsedSoFar the API tokens used, zero or more
	 * @return whether this outcome ended the lease
	 */
	boolean fail(Throwable error, long apiTokensUsedSoFar);

	/**
	 * Ends the lease {@code CANCELLED} as if nothing of the API-token estimate was used:
	 * all of it goes back to the bucket. The request token stays taken, since the call
	 * may have left.
	 * @return whether this outcome ended the lease
	 */
	default boolean cancel() {
		return cancel(0);
	}

	/**
	 * Ends the lease {@code CANCELLED} with the API tokens used so far (a stream its
	 * subscriber cancelled): what the estimate left unused goes back to the bucket.
	 * @param apiTokensUsedSoFar the API tokens used, zero or more
	 * @return whether this outcome ended the lease
	 */
	boolean cancel(long apiTokensUsedSoFar);

	/**
	 * Whether the lease has ended, by its holder or by the executor.
	 * @return {@code true} once its event is terminal
	 */
	boolean isEnded();

	/**
	 * Runs an action if the executor ends the lease before its holder does (a
	 * cancellation by request id, a stop): the holder should abort its call. Runs at once
	 * when that happened already; runs on the thread that ended the lease, so it must not
	 * block.
	 * @param action receives the reason, such as {@code cancelled by caller}
	 */
	void onRevoke(Consumer<String> action);

	/**
	 * Cancels the lease unless it has ended: a lease closed without an outcome ends
	 * {@code CANCELLED} and frees its slot, as {@link #cancel()} does.
	 */
	@Override
	void close();

}
