package io.lionfuncs.network.intercept;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.Lease;
import io.lionfuncs.network.NetworkRequestEvent;
import org.jspecify.annotations.Nullable;

/**
 * One intercepted call holding its {@link Lease}: told of the response as it arrives
 * (status and headers, then the body as it passes to the client), it ends the lease once
 * with the outcome. A whole body is handed to the executor's usage extractor; a stream's
 * usage is read from its events. A status of 400 or more ends the lease {@code FAILED}
 * with that status (a 429 gives its API-token estimate back).
 * <p>
 * The adapter calls {@link #response} when the headers arrive, then either
 * {@link #completeWith} (a body read ahead whole) or the body as it passes
 * ({@link #body(byte[], int, int)}, {@link #event}) and its end ({@link #bodyEnded},
 * {@link #bodyClosed}); or {@link #failed} / {@link #cancelled} when there is no
 * response. Thread-safe; every outcome after the first is ignored.
 */
public final class GovernedExchange {

	private static final int EXCERPT_CHARACTERS = 512;

	private final Lease lease;

	private final InterceptRoute route;

	private int statusCode = -1;

	private Map<String, String> headers = Map.of();

	private @Nullable ResponseTap tap;

	private boolean bodyEnded;

	private long contentLength = -1;

	GovernedExchange(Lease lease, InterceptRoute route) {
		this.lease = lease;
		this.route = route;
	}

	/**
	 * The call's event.
	 * @return the event, {@code CALLING} while the call is in flight
	 */
	public NetworkRequestEvent event() {
		return this.lease.event();
	}

	public InterceptRoute route() {
		return this.route;
	}

	/**
	 * Aborts the HTTP call if the executor ends the lease first (a cancellation by
	 * request id, a stop).
	 * @param abort cancels the client's call; must not block
	 */
	public void onRevoke(Runnable abort) {
		this.lease.onRevoke((reason) -> abort.run());
	}

	/**
	 * The response's status and headers arrived: the provider's rate-limit headers and a
	 * 429 reach the executor at once.
	 * @param statusCode the status code
	 * @param headers the headers, one value per name (several joined by commas)
	 */
	public synchronized void response(int statusCode, Map<String, String> headers) {
		this.statusCode = statusCode;
		this.headers = headers;
		this.tap = new ResponseTap(header(headers, "Content-Type"));
		String length = header(headers, "Content-Length");
		if (length != null) {
			try {
				this.contentLength = Long.parseLong(length.trim());
			}
			catch (NumberFormatException ex) {
				this.contentLength = -1;
			}
		}
		this.lease.onResponse(statusCode, headers);
	}

	/**
	 * Whether the response body is a stream of events (server-sent events or
	 * newline-delimited JSON): such a body holds the lease until it ends and is read as it
	 * passes, while any other body can be read ahead whole.
	 * @return whether the body streams
	 */
	public synchronized boolean streamsBody() {
		return this.tap != null && this.tap.isStream();
	}

	/**
	 * Bytes of the body passed to the client.
	 * @param buffer the bytes
	 * @param offset where they start
	 * @param length how many
	 */
	public synchronized void body(byte[] buffer, int offset, int length) {
		if (length <= 0 || this.tap == null) {
			return;
		}
		if (this.tap.bytes() == 0) {
			this.lease.markFirstByte();
		}
		this.tap.accept(buffer, offset, length);
	}

	/**
	 * Bytes of the body passed to the client; the buffer's position is left alone.
	 * @param buffer the bytes between its position and limit
	 */
	public synchronized void body(ByteBuffer buffer) {
		if (!buffer.hasRemaining() || this.tap == null) {
			return;
		}
		if (this.tap.bytes() == 0) {
			this.lease.markFirstByte();
		}
		this.tap.accept(buffer);
	}

	/**
	 * An event of a stream, parsed by the client itself.
	 * @param type the event's type, or {@code null}
	 * @param data the event's data
	 */
	public synchronized void event(@Nullable String type, String data) {
		if (this.tap == null) {
			return;
		}
		this.lease.markFirstByte();
		this.tap.acceptEvent(type, data);
	}

	/**
	 * The whole body was read ahead (or there is none): ends the lease.
	 * @param body the body, or {@code null} when there is none or it was too large
	 */
	public void completeWith(byte @Nullable [] body) {
		synchronized (this) {
			if (body != null && body.length > 0 && this.tap != null && this.tap.bytes() == 0) {
				this.lease.markFirstByte();
			}
			this.bodyEnded = true;
		}
		finish(body, null);
	}

	/**
	 * The body ended, all of it passed: ends the lease with the usage read.
	 */
	public void bodyEnded() {
		byte[] kept;
		Long used;
		synchronized (this) {
			this.bodyEnded = true;
			if (this.tap == null) {
				kept = null;
				used = null;
			}
			else {
				this.tap.end();
				kept = this.tap.keptBody();
				used = this.tap.streamUsage();
			}
		}
		finish(kept, used);
	}

	/**
	 * The client closed the body: ends the lease completed when the body ended (or the
	 * stream said it is complete, or all its announced bytes passed), else cancelled with
	 * the usage read so far (the client stopped reading).
	 */
	public void bodyClosed() {
		boolean whole;
		synchronized (this) {
			ResponseTap current = this.tap;
			whole = this.bodyEnded || current == null || current.streamFinished()
					|| (this.contentLength >= 0 && current.bytes() >= this.contentLength);
		}
		if (whole) {
			bodyEnded();
		}
		else {
			cancelled();
		}
	}

	/**
	 * The call failed (no response, or its body broke off): ends the lease
	 * {@code FAILED}, with the usage a stream reported so far.
	 * @param error the failure
	 */
	public void failed(Throwable error) {
		Long used;
		synchronized (this) {
			used = (this.tap != null) ? this.tap.streamUsage() : null;
		}
		if (used != null) {
			this.lease.fail(error, used);
		}
		else {
			this.lease.fail(error);
		}
	}

	/**
	 * The client gave up on the call (cancelled, or closed the body early): ends the
	 * lease {@code CANCELLED}, the unused part of its estimate going back to the bucket.
	 */
	public void cancelled() {
		Long used;
		synchronized (this) {
			used = (this.tap != null) ? this.tap.streamUsage() : null;
		}
		this.lease.cancel((used != null) ? used : 0);
	}

	/**
	 * Whether the lease has ended.
	 * @return {@code true} once the call's event is terminal
	 */
	public boolean isEnded() {
		return this.lease.isEnded();
	}

	private void finish(byte @Nullable [] body, @Nullable Long streamUsed) {
		int status;
		Map<String, String> responseHeaders;
		synchronized (this) {
			status = this.statusCode;
			responseHeaders = this.headers;
		}
		if (status < 0) {
			this.lease.fail(new IllegalStateException("The intercepted call ended without a response"));
			return;
		}
		if (status >= 400) {
			InterceptedResponseException error = new InterceptedResponseException(status, responseHeaders,
					excerpt(body));
			if (streamUsed != null) {
				this.lease.fail(error, streamUsed);
			}
			else {
				this.lease.fail(error);
			}
			return;
		}
		if (streamUsed != null) {
			this.lease.complete(status, responseHeaders, streamUsed);
		}
		else {
			this.lease.complete(new CallResult(status, responseHeaders, body));
		}
	}

	private static @Nullable String excerpt(byte @Nullable [] body) {
		if (body == null || body.length == 0) {
			return null;
		}
		String text = new String(body, 0, Math.min(body.length, EXCERPT_CHARACTERS * 4), StandardCharsets.UTF_8);
		return (text.length() > EXCERPT_CHARACTERS) ? text.substring(0, EXCERPT_CHARACTERS) : text;
	}

	static @Nullable String header(Map<String, String> headers, String name) {
		String value = headers.get(name);
		if (value != null) {
			return value;
		}
		for (Map.Entry<String, String> header : headers.entrySet()) {
			if (name.equalsIgnoreCase(header.getKey())) {
				return header.getValue();
			}
		}
		return null;
	}

	@Override
	public String toString() {
		return "GovernedExchange[" + this.route.name() + ", " + this.lease.event().getRequestId() + "]";
	}

}
