package io.lionfuncs.network.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLHandshakeException;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lionfuncs.network.Redactor;
import org.jspecify.annotations.Nullable;

import org.springframework.core.codec.CodecException;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.UnsupportedMediaTypeException;
import org.springframework.web.reactive.function.client.WebClientException;

/**
 * Turns HTTP error statuses and transport failures into the
 * {@link ApiClientException} hierarchy. Messages name the method, URI template, status
 * and, for transport failures, the I/O error; never header values, query values or
 * bodies. The cause kept is the underlying transport error, not WebClient's wrapper,
 * which holds the request's headers and full URI.
 */
final class ErrorMapper {

	private static final int MAX_CAUSE_DEPTH = 16;

	private static final String ABORTED_EXCEPTION = "reactor.netty.channel.AbortedException";

	private static final String CLOSED_BEFORE_SEND = "Connection has been closed BEFORE send operation";

	// Reactor Pool's refusals (shaded into Reactor Netty): the request never left.

	private static final String POOL_ACQUIRE_TIMEOUT = ".PoolAcquireTimeoutException";

	private static final String POOL_PENDING_LIMIT = ".PoolAcquirePendingLimitException";

	private static final String POOL_SHUTDOWN = ".PoolShutdownException";

	private final Redactor redactor;

	private final Clock clock;

	ErrorMapper(Redactor redactor, Clock clock) {
		this.redactor = redactor;
		this.clock = clock;
	}

	/**
	 * The exception for an error status (400 or more).
	 */
	ApiClientException forStatus(ExchangeDetails request, int status, HttpHeaders headers,
			@Nullable String bodyExcerpt) {
		Duration retryAfter = RetryAfter.from(headers, this.clock);
		ExchangeDetails details = new ExchangeDetails(request.method(), request.uriTemplate(), status,
				redactedHeaders(headers), (bodyExcerpt == null || bodyExcerpt.isEmpty()) ? null : bodyExcerpt,
				retryAfter);
		StringBuilder message = new StringBuilder(describe(request)).append(" failed with ").append(status);
		HttpStatus known = HttpStatus.resolve(status);
		if (known != null) {
			message.append(' ').append(known.getReasonPhrase());
		}
		if (retryAfter != null) {
			message.append(" (Retry-After ").append(retryAfter).append(')');
		}
		String text = message.toString();
		if (status == 401 || status == 403) {
			return new AuthenticationException(text, details, null);
		}
		if (status == 404) {
			return new ResourceNotFoundException(text, details, null);
		}
		if (status == 429) {
			return new RateLimitException(text, details, null);
		}
		if (status >= 500) {
			return new ServerException(text, details, null);
		}
		return new ApiClientException(text, details, null);
	}

	/**
	 * The exception for a failure without (or in the middle of) a response.
	 * @param failure what failed
	 * @param details the request, and the response's status and headers if the failure
	 * came while reading its body
	 * @param timeout the attempt's timeout, named when it expired
	 */
	ApiClientException forFailure(Throwable failure, ExchangeDetails details, Duration timeout) {
		if (failure instanceof ApiClientException exception) {
			return exception;
		}
		Throwable current = failure;
		for (int depth = 0; current != null && depth < MAX_CAUSE_DEPTH; depth++) {
			ApiClientException mapped = forCause(current, details, timeout);
			if (mapped != null) {
				return mapped;
			}
			current = (current.getCause() != current) ? current.getCause() : null;
		}
		Throwable cause = unwrap(failure);
		return new ApiClientException(
				describe(details) + " failed: " + cause.getClass().getSimpleName(), details, cause);
	}

	/**
	 * The exception for a call the circuit breaker refused.
	 */
	CircuitBreakerOpenException circuitBreakerOpen(CallNotPermittedException refusal, CircuitBreaker circuitBreaker,
			ExchangeDetails request, @Nullable Throwable lastFailure) {
		String message = "Circuit breaker '" + refusal.getCausingCircuitBreakerName() + "' is "
				+ circuitBreaker.getState() + ": " + describe(request) + " was not sent";
		return new CircuitBreakerOpenException(message, request, refusal.getCausingCircuitBreakerName(), lastFailure);
	}

	private @Nullable ApiClientException forCause(Throwable cause, ExchangeDetails details, Duration timeout) {
		String type = cause.getClass().getName();
		if (type.endsWith(POOL_ACQUIRE_TIMEOUT)) {
			// Before the attempt's own timeout, so that a request that waited for a
			// connection in vain says it was never sent.
			return new ApiTimeoutException(describe(details) + " was not sent: no pooled connection became free in "
					+ "time", details, true, cause);
		}
		if (type.endsWith(POOL_PENDING_LIMIT) || type.endsWith(POOL_SHUTDOWN)) {
			return new ApiConnectionException(describe(details) + " was not sent: the connection pool refused it ("
					+ cause.getClass().getSimpleName() + ")", details, true, cause);
		}
		if (cause instanceof TimeoutException) {
			return new ApiTimeoutException(describe(details) + " got no response within " + timeout, details, false,
					null);
		}
		if (type.equals("io.netty.channel.ConnectTimeoutException")
				|| type.equals("java.net.http.HttpConnectTimeoutException")) {
			return new ApiTimeoutException(describe(details) + " timed out connecting: " + describe(cause), details,
					true, cause);
		}
		if (type.startsWith("io.netty.handler.timeout.") || type.equals("java.net.http.HttpTimeoutException")
				|| cause instanceof SocketTimeoutException) {
			return new ApiTimeoutException(describe(details) + " timed out: " + describe(cause), details, false,
					cause);
		}
		if (type.equals(ABORTED_EXCEPTION)) {
			// Reactor Netty's: the connection closed before (or while) the request was
			// written, typically a reused connection the server had just closed.
			boolean notSent = CLOSED_BEFORE_SEND.equals(cause.getMessage());
			return new ApiConnectionException(
					describe(details) + (notSent ? " was not sent: the connection closed first" : " failed: "
							+ describe(cause)), details, notSent, cause);
		}
		if (cause instanceof ConnectException || cause instanceof UnknownHostException
				|| cause instanceof NoRouteToHostException || cause instanceof SSLHandshakeException) {
			return new ApiConnectionException(describe(details) + " could not connect: " + describe(cause), details,
					true, cause);
		}
		if (cause instanceof IOException) {
			return new ApiConnectionException(describe(details) + " failed: " + describe(cause), details, false,
					cause);
		}
		if (cause instanceof DataBufferLimitException) {
			return new ApiClientException(describe(details) + " returned a body larger than the codecs accept "
					+ "(raise maxInMemorySize through a WebClient customizer)", details, cause);
		}
		if (cause instanceof UnsupportedMediaTypeException unsupported) {
			return new ApiClientException(describe(details) + " returned content type " + unsupported.getContentType()
					+ ", which cannot be read as " + unsupported.getBodyType(), details, cause);
		}
		if (cause instanceof CodecException) {
			// The codec's message may quote the body, so it stays out of ours.
			return new ApiClientException(describe(details) + " returned a body that could not be read", details,
					cause);
		}
		return null;
	}

	private static Throwable unwrap(Throwable failure) {
		Throwable current = failure;
		while (current instanceof WebClientException && current.getCause() != null) {
			current = current.getCause();
		}
		return current;
	}

	private Map<String, String> redactedHeaders(HttpHeaders headers) {
		Map<String, Object> all = new LinkedHashMap<>();
		headers.forEach(all::put);
		return this.redactor.headers(all);
	}

	private static String describe(ExchangeDetails details) {
		StringBuilder text = new StringBuilder(details.method()).append(' ').append(details.uriTemplate());
		if (details.statusCode() != null) {
			text.append(" (status ").append(details.statusCode()).append(')');
		}
		return text.toString();
	}

	private static String describe(Throwable cause) {
		String message = cause.getMessage();
		return (message == null || message.isBlank()) ? cause.getClass().getSimpleName()
				: cause.getClass().getSimpleName() + ": " + message;
	}

}
