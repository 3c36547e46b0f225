package io.lionfuncs.network.intercept;

import java.util.Map;

import io.lionfuncs.network.Redactor;
import io.lionfuncs.network.ResponseDetails;
import org.jspecify.annotations.Nullable;

/**
 * The outcome recorded for an intercepted call the provider answered with an error
 * status: the request's event ends {@code FAILED} with the status, redacted headers and a
 * body excerpt. The client sees the response itself, not this exception.
 */
public class InterceptedResponseException extends RuntimeException implements ResponseDetails {

	private final int statusCode;

	private final Map<String, String> responseHeaders;

	private final @Nullable String responseBodyExcerpt;

	InterceptedResponseException(int statusCode, Map<String, String> responseHeaders,
			@Nullable String responseBodyExcerpt) {
		super("The provider answered " + statusCode);
		this.statusCode = statusCode;
		this.responseHeaders = Redactor.defaults().headers(responseHeaders);
		this.responseBodyExcerpt = responseBodyExcerpt;
	}

	@Override
	public Integer statusCode() {
		return this.statusCode;
	}

	@Override
	public Map<String, String> responseHeaders() {
		return this.responseHeaders;
	}

	@Override
	public @Nullable String responseBodyExcerpt() {
		return this.responseBodyExcerpt;
	}

}
