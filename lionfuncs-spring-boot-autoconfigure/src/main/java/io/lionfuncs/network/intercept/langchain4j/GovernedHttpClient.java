package io.lionfuncs.network.intercept.langchain4j;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEvent;
import dev.langchain4j.http.client.sse.ServerSentEventContext;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;
import dev.langchain4j.http.client.sse.ServerSentEventParsingHandle;
import io.lionfuncs.network.intercept.CallGovernor;
import io.lionfuncs.network.intercept.GovernedExchange;
import io.lionfuncs.network.intercept.InterceptRoute;
import org.jspecify.annotations.Nullable;
import reactor.core.scheduler.Schedulers;

/**
 * A LangChain4j {@link HttpClient} whose requests to the origins of configured clients
 * wait for a lease of their client's executor: a synchronous call on the calling thread
 * (bounded by the maximum wait), a streamed one without blocking the caller, holding the
 * lease until the stream closes. A request that gets no lease fails as the JDK client's
 * I/O failures do: a {@link TimeoutException} after the maximum wait, otherwise a
 * {@link RuntimeException} caused by the {@link IOException} that says why.
 */
final class GovernedHttpClient implements HttpClient {

	static final String CLIENT = "LangChain4j";

	private final HttpClient delegate;

	private final CallGovernor governor;

	private final ResponseHeadersCapture capture;

	GovernedHttpClient(HttpClient delegate, CallGovernor governor, ResponseHeadersCapture capture) {
		this.delegate = delegate;
		this.governor = governor;
		this.capture = capture;
	}

	@Override
	public SuccessfulHttpResponse execute(HttpRequest request) {
		URI uri = URI.create(request.url());
		InterceptRoute route = this.governor.route(uri);
		if (route == null) {
			return this.delegate.execute(request);
		}
		GovernedExchange exchange;
		try {
			exchange = this.governor.acquire(route, request.method().name(), uri, single(request.headers()),
					body(request), CLIENT, null);
		}
		catch (IOException ex) {
			throw notSent(ex);
		}
		ResponseHeadersCapture.Slot slot = this.capture.open();
		try (CallGovernor.Scope scope = CallGovernor.enter()) {
			SuccessfulHttpResponse response = this.delegate.execute(request);
			exchange.response(response.statusCode(), single(response.headers()));
			exchange.completeWith(response.bodyBytes());
			return response;
		}
		catch (HttpException ex) {
			exchange.response(ex.statusCode(), slot.headersOf(ex.statusCode()));
			exchange.completeWith(bytes(ex.getMessage()));
			throw ex;
		}
		catch (RuntimeException | Error ex) {
			exchange.failed(ex);
			throw ex;
		}
		finally {
			this.capture.close();
		}
	}

	@Override
	public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
		URI uri = URI.create(request.url());
		InterceptRoute route = this.governor.route(uri);
		if (route == null) {
			this.delegate.execute(request, parser, listener);
			return;
		}
		this.governor.lease(route, request.method().name(), uri, single(request.headers()), body(request), CLIENT)
			// The delegate may do some work on the calling thread: not on the executor's.
			.publishOn(Schedulers.boundedElastic())
			.subscribe((exchange) -> stream(request, parser, listener, exchange),
					(ex) -> listener.onError((ex instanceof IOException io) ? notSent(io) : ex));
	}

	private void stream(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener,
			GovernedExchange exchange) {
		ResponseHeadersCapture.Slot slot = this.capture.open();
		try (CallGovernor.Scope scope = CallGovernor.enter()) {
			this.delegate.execute(request, parser, new GovernedListener(listener, exchange, slot));
		}
		catch (RuntimeException | Error ex) {
			exchange.failed(ex);
			listener.onError(ex);
		}
		finally {
			this.capture.close();
		}
	}

	private static RuntimeException notSent(IOException ex) {
		return (ex instanceof InterruptedIOException) ? new TimeoutException(ex.getMessage(), ex)
				: new RuntimeException(ex.getMessage(), ex);
	}

	private static byte @Nullable [] body(HttpRequest request) {
		return (request.body() != null) ? request.body().getBytes(StandardCharsets.UTF_8) : null;
	}

	private static byte @Nullable [] bytes(@Nullable String text) {
		return (text != null) ? text.getBytes(StandardCharsets.UTF_8) : null;
	}

	private static Map<String, String> single(@Nullable Map<String, List<String>> headers) {
		Map<String, String> single = new LinkedHashMap<>();
		if (headers != null) {
			headers.forEach((name, values) -> {
				if (name != null && values != null && !values.isEmpty()) {
					single.put(name, String.join(", ", values));
				}
			});
		}
		return single;
	}

	/**
	 * Shows the stream to the exchange as it passes to the model's listener, and ends the
	 * lease when it closes.
	 */
	private static final class GovernedListener implements ServerSentEventListener {

		private final ServerSentEventListener listener;

		private final GovernedExchange exchange;

		private final ResponseHeadersCapture.Slot slot;

		private volatile @Nullable ServerSentEventParsingHandle parsing;

		private volatile boolean revoked;

		GovernedListener(ServerSentEventListener listener, GovernedExchange exchange,
				ResponseHeadersCapture.Slot slot) {
			this.listener = listener;
			this.exchange = exchange;
			this.slot = slot;
			exchange.onRevoke(() -> {
				this.revoked = true;
				ServerSentEventParsingHandle handle = this.parsing;
				if (handle != null) {
					handle.cancel();
				}
			});
		}

		@Override
		public void onOpen(SuccessfulHttpResponse response) {
			this.exchange.response(response.statusCode(), single(response.headers()));
			this.listener.onOpen(response);
		}

		@Override
		public void onEvent(ServerSentEvent event, ServerSentEventContext context) {
			this.parsing = context.parsingHandle();
			if (this.revoked) {
				context.parsingHandle().cancel();
				return;
			}
			this.exchange.event(event.event(), event.data());
			this.listener.onEvent(event, context);
		}

		@Override
		public void onEvent(ServerSentEvent event) {
			this.exchange.event(event.event(), event.data());
			this.listener.onEvent(event);
		}

		@Override
		public void onError(Throwable error) {
			if (error instanceof HttpException http) {
				this.exchange.response(http.statusCode(), this.slot.headersOf(http.statusCode()));
				this.exchange.completeWith(bytes(http.getMessage()));
			}
			else {
				this.exchange.failed(error);
			}
			this.listener.onError(error);
		}

		@Override
		public void onClose() {
			this.exchange.bodyClosed();
			this.listener.onClose();
		}

	}

}
