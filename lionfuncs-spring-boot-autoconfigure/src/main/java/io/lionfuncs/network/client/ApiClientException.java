package io.lionfuncs.network.client;

import java.time.Duration;
import java.util.Map;

import io.lionfuncs.network.ResponseDetails;
import org.jspecify.annotations.Nullable;

/**
 * Base of every failure of an {@link AsyncApiClient} call, and the exception for a
 * response status that has no more specific type (a 4xx other than 401, 403, 404 and
 * 429), or a body that could not be read.
 * <p>
 * Each one carries the request's method and URI template and, when a response arrived,
 * its status, redacted headers and a bounded body excerpt; as a {@link ResponseDetails}
 * these end up on a {@code FAILED} {@link io.lionfuncs.network.NetworkRequestEvent}.
 * Messages name the method, URI template and status only: never header values, query
 * values or the body, which may carry secrets.
 */
public class ApiClientException extends RuntimeException implements ResponseDetails {

	private final ExchangeDetails details;

	/**
	 * Creates an exception.
	 * @param message what went wrong, without secrets
	 * @param details the request and, if any, the response
	 * @param cause the underlying failure, or {@code null}
	 */
	public ApiClientException(String message, ExchangeDetails details, @Nullable Throwable cause) {
		super(message, cause);
		this.details = details;
	}

	/**
	 * The request and response details.
	 * @return the details
	 */
	public ExchangeDetails details() {
		return this.details;
	}

	/**
	 * The request's HTTP method.
	 * @return the method
	 */
	public String method() {
		return this.details.method();
	}

	/**
	 * The URI template called: no variable or query values.
	 * @return the URI template
	 */
	public String uriTemplate() {
		return this.details.uriTemplate();
	}

	@Override
	public @Nullable Integer statusCode() {
		return this.details.statusCode();
	}

	@Override
	public Map<String, String> responseHeaders() {
		return this.details.headers();
	}

	@Override
	public @Nullable String responseBodyExcerpt() {
		return this.details.bodyExcerpt();
	}

	/**
	 * How long the server asked the client to wait before trying again, from a
	 * {@code Retry-After} header in seconds or as an HTTP-date.
	 * @return the delay, or {@code null} when the response had none
	 */
	public @Nullable Duration retryAfter() {
		return this.details.retryAfter();
	}

}
