package io.lionfuncs.network;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * Implemented by exceptions that describe an HTTP response, so that a failed
 * {@link NetworkRequestEvent} still records the status code and headers.
 */
public interface ResponseDetails {

	/**
	 * The response status code.
	 * @return the status code, or {@code null} when no response arrived
	 */
	@Nullable Integer statusCode();

	/**
	 * The response headers, already redacted.
	 * @return the headers
	 */
	Map<String, String> responseHeaders();

	/**
	 * The start of the response body.
	 * @return a bounded excerpt, or {@code null}
	 */
	@Nullable String responseBodyExcerpt();

}
