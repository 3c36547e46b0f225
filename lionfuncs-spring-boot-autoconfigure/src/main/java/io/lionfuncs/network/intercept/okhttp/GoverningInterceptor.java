package io.lionfuncs.network.intercept.okhttp;

import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import io.lionfuncs.network.intercept.CallGovernor;
import io.lionfuncs.network.intercept.GovernedExchange;
import io.lionfuncs.network.intercept.InterceptRoute;
import okhttp3.Headers;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.ForwardingSource;
import okio.Okio;
import org.jspecify.annotations.Nullable;

/**
 * Governs the requests of an OkHttp client to the origins of configured clients: each
 * waits for a lease of its client's executor on the thread running the interceptor (the
 * caller's for a synchronous call, a dispatcher thread for an enqueued one), bounded by
 * the maximum wait and by the call's cancellation. {@code chain.proceed} returns at the
 * response headers: a streamed body (server-sent events, newline-delimited JSON) holds
 * the lease until it is read to its end or closed, its usage read from the bytes that
 * pass; any other body is peeked whole (up to a bound) so that the lease ends with its
 * usage. A request that gets no lease fails with an {@link IOException} (an
 * {@link java.io.InterruptedIOException} after the maximum wait).
 * <p>
 * Each attempt of a retrying client is a request of its own, with its own lease. One
 * interceptor serves any number of clients.
 */
public final class GoverningInterceptor implements Interceptor {

	static final String CLIENT = "OkHttp";

	private static final long MAX_REQUEST_BODY_BYTES = 8L * 1024 * 1024;

	private static final long PEEK_BYTES = 4L * 1024 * 1024;

	private final CallGovernor governor;

	private final String client;

	public GoverningInterceptor(CallGovernor governor) {
		this(governor, CLIENT);
	}

	/**
	 * Creates an interceptor that records its requests as made by the given client.
	 * @param governor the governor
	 * @param client the kind of client, for the record (such as {@code Spring AI OpenAI})
	 */
	public GoverningInterceptor(CallGovernor governor, String client) {
		this.governor = governor;
		this.client = client;
	}

	@Override
	public Response intercept(Chain chain) throws IOException {
		Request request = chain.request();
		URI uri = request.url().uri();
		InterceptRoute route = this.governor.route(uri);
		if (route == null) {
			return chain.proceed(request);
		}
		GovernedExchange exchange = this.governor.acquire(route, request.method(), uri, single(request.headers()),
				bodyBytes(request.body()), this.client, () -> chain.call().isCanceled());
		exchange.onRevoke(() -> chain.call().cancel());
		Response response;
		try (CallGovernor.Scope scope = CallGovernor.enter()) {
			response = chain.proceed(request);
		}
		catch (IOException | RuntimeException | Error ex) {
			if (chain.call().isCanceled()) {
				exchange.cancelled();
			}
			else {
				exchange.failed(ex);
			}
			throw ex;
		}
		exchange.response(response.code(), single(response.headers()));
		ResponseBody body = response.body();
		if (body == null) {
			exchange.completeWith(null);
			return response;
		}
		if (!exchange.streamsBody()) {
			try {
				ResponseBody peeked = response.peekBody(PEEK_BYTES);
				byte[] bytes = peeked.bytes();
				boolean whole = bytes.length < PEEK_BYTES || body.contentLength() == bytes.length;
				if (whole) {
					exchange.completeWith(bytes);
					return response;
				}
			}
			catch (IOException | RuntimeException ex) {
				exchange.failed(ex);
				response.close();
				throw ex;
			}
		}
		return response.newBuilder().body(new GovernedBody(body, exchange)).build();
	}

	/**
	 * The bytes of a request body for the estimate, when they can be read more than once.
	 */
	private static byte @Nullable [] bodyBytes(@Nullable RequestBody body) throws IOException {
		if (body == null || body.isOneShot() || body.isDuplex()) {
			return null;
		}
		long length = body.contentLength();
		if (length > MAX_REQUEST_BODY_BYTES) {
			return null;
		}
		Buffer buffer = new Buffer();
		body.writeTo(buffer);
		if (buffer.size() > MAX_REQUEST_BODY_BYTES) {
			buffer.clear();
			return null;
		}
		return buffer.readByteArray();
	}

	private static Map<String, String> single(Headers headers) {
		Map<String, String> single = new LinkedHashMap<>();
		for (String name : headers.names()) {
			single.put(name, String.join(", ", headers.values(name)));
		}
		return single;
	}

	@Override
	public String toString() {
		return "GoverningInterceptor[" + this.governor + "]";
	}

	/**
	 * A response body whose bytes are shown to the exchange as the client reads them; its
	 * end or its close ends the lease.
	 */
	private static final class GovernedBody extends ResponseBody {

		private final ResponseBody body;

		private final BufferedSource source;

		GovernedBody(ResponseBody body, GovernedExchange exchange) {
			this.body = body;
			this.source = Okio.buffer(new TappedSource(body.source(), exchange));
		}

		@Override
		public @Nullable MediaType contentType() {
			return this.body.contentType();
		}

		@Override
		public long contentLength() {
			return this.body.contentLength();
		}

		@Override
		public BufferedSource source() {
			return this.source;
		}

	}

	private static final class TappedSource extends ForwardingSource {

		private final GovernedExchange exchange;

		private final Tap tap = new Tap();

		TappedSource(okio.Source delegate, GovernedExchange exchange) {
			super(delegate);
			this.exchange = exchange;
		}

		@Override
		public long read(Buffer sink, long byteCount) throws IOException {
			long read;
			try {
				read = super.read(sink, byteCount);
			}
			catch (IOException | RuntimeException ex) {
				this.exchange.failed(ex);
				throw ex;
			}
			if (read < 0) {
				this.exchange.bodyEnded();
			}
			else if (read > 0) {
				this.tap.exchange = this.exchange;
				sink.copyTo(this.tap, sink.size() - read, read);
			}
			return read;
		}

		@Override
		public void close() throws IOException {
			try {
				super.close();
			}
			finally {
				this.exchange.bodyClosed();
			}
		}

	}

	/**
	 * Hands the bytes copied out of OkHttp's buffer to the exchange.
	 */
	private static final class Tap extends java.io.OutputStream {

		@Nullable GovernedExchange exchange;

		@Override
		public void write(int value) {
			write(new byte[] { (byte) value }, 0, 1);
		}

		@Override
		public void write(byte[] buffer, int offset, int length) {
			GovernedExchange current = this.exchange;
			if (current != null) {
				current.body(buffer, offset, length);
			}
		}

	}

}
