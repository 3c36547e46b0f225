package io.lionfuncs.network;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * What a call hands back to the {@link Executor}: the response status, headers and
 * body.
 *
 * @param statusCode the HTTP status code
 * @param headers the response headers
 * @param body the response body, {@code null} when there is none
 */
public record CallResult(int statusCode, Map<String, String> headers, @Nullable Object body) {

	public CallResult {
		headers = (headers != null) ? headers : Map.of();
	}

	/**
	 * A result without headers.
	 * @param statusCode the HTTP status code
	 * @param body the response body
	 * @return the result
	 */
	public static CallResult of(int statusCode, @Nullable Object body) {
		return new CallResult(statusCode, Map.of(), body);
	}

	/**
	 * Describes the result without secrets: sensitive headers (such as
	 * {@code Set-Cookie}) are masked and the body is named by its type only, since it may
	 * hold credentials (a token endpoint's answer) or be large.
	 */
	@Override
	public String toString() {
		return "CallResult[statusCode=" + this.statusCode + ", headers=" + Redactor.defaults().headers(this.headers)
				+ ", body=" + ((this.body != null) ? this.body.getClass().getSimpleName() : null) + "]";
	}

}
