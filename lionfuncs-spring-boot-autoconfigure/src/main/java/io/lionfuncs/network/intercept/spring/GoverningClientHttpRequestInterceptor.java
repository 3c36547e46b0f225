package io.lionfuncs.network.intercept.spring;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;

import io.lionfuncs.network.intercept.CallGovernor;
import io.lionfuncs.network.intercept.GovernedExchange;
import io.lionfuncs.network.intercept.InterceptRoute;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * Governs the requests of a {@code RestClient} (or {@code RestTemplate}) to the origins
 * of configured clients: each waits on the calling thread for a lease of its client's
 * executor, then leaves. A response body that is a stream (server-sent events,
 * newline-delimited JSON) holds the lease until it is read to its end or closed, and its
 * usage is read as it passes; any other body is read ahead (up to a bound) so that the
 * lease ends with the usage it reports. A request that gets no lease fails with an
 * {@link IOException} (an {@link java.io.InterruptedIOException} after the maximum wait).
 */
public final class GoverningClientHttpRequestInterceptor implements ClientHttpRequestInterceptor {

	static final String CLIENT = "RestClient";

	private static final int READ_AHEAD_BYTES = 4 * 1024 * 1024;

	private final CallGovernor governor;

	public GoverningClientHttpRequestInterceptor(CallGovernor governor) {
		this.governor = governor;
	}

	@Override
	public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
			throws IOException {
		URI uri = request.getURI();
		InterceptRoute route = this.governor.route(uri);
		if (route == null) {
			return execution.execute(request, body);
		}
		String method = request.getMethod().name();
		GovernedExchange exchange = this.governor.acquire(route, method, uri,
				SpringHeaders.single(request.getHeaders()), body, CLIENT, null);
		ClientHttpResponse response;
		try (CallGovernor.Scope scope = CallGovernor.enter()) {
			response = execution.execute(request, body);
		}
		catch (IOException | RuntimeException | Error ex) {
			exchange.failed(ex);
			throw ex;
		}
		try {
			exchange.response(response.getStatusCode().value(), SpringHeaders.single(response.getHeaders()));
		}
		catch (IOException | RuntimeException ex) {
			exchange.failed(ex);
			response.close();
			throw ex;
		}
		if (exchange.streamsBody()) {
			exchange.onRevoke(response::close);
			return new GovernedResponse(response, new TappedInputStream(response.getBody(), exchange), exchange);
		}
		return readAhead(response, exchange);
	}

	/**
	 * Reads a whole body ahead, so that the lease ends with its usage now; a body larger
	 * than the bound holds the lease until it is read or closed.
	 */
	private static ClientHttpResponse readAhead(ClientHttpResponse response, GovernedExchange exchange)
			throws IOException {
		InputStream body;
		try {
			body = response.getBody();
		}
		catch (IOException ex) {
			// The client sees the same failure when it reads the body.
			exchange.completeWith(null);
			return response;
		}
		byte[] start;
		try {
			start = body.readNBytes(READ_AHEAD_BYTES);
		}
		catch (IOException ex) {
			exchange.failed(ex);
			response.close();
			throw ex;
		}
		if (start.length < READ_AHEAD_BYTES) {
			exchange.completeWith(start);
			return new GovernedResponse(response, new ByteArrayInputStream(start), null);
		}
		InputStream whole = new SequenceInputStream(new ByteArrayInputStream(start), body);
		return new GovernedResponse(response, new TappedInputStream(whole, exchange), exchange);
	}

	@Override
	public String toString() {
		return "GoverningClientHttpRequestInterceptor[" + this.governor + "]";
	}

	/**
	 * The response with its body as the interceptor passes it on; closing it ends the
	 * lease unless the body already did.
	 */
	private static final class GovernedResponse implements ClientHttpResponse {

		private final ClientHttpResponse response;

		private final InputStream body;

		private final @Nullable GovernedExchange exchange;

		GovernedResponse(ClientHttpResponse response, InputStream body, @Nullable GovernedExchange exchange) {
			this.response = response;
			this.body = body;
			this.exchange = exchange;
		}

		@Override
		public HttpStatusCode getStatusCode() throws IOException {
			return this.response.getStatusCode();
		}

		@Override
		public String getStatusText() throws IOException {
			return this.response.getStatusText();
		}

		@Override
		public HttpHeaders getHeaders() {
			return this.response.getHeaders();
		}

		@Override
		public InputStream getBody() {
			return this.body;
		}

		@Override
		public void close() {
			try {
				this.response.close();
			}
			finally {
				if (this.exchange != null) {
					this.exchange.bodyClosed();
				}
			}
		}

	}

}
