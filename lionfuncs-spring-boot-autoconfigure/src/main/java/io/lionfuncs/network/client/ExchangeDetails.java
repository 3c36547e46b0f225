package io.lionfuncs.network.client;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * What is known about a failed exchange: the request's method and URI template, and,
 * when a response arrived, its status, headers and the start of its body. Headers are
 * already redacted and the body excerpt is bounded, so the details can be logged and
 * recorded as they are.
 *
 * @param method the HTTP method
 * @param uriTemplate the URI template called (base URL included when known), never the
 * expanded URI, so that it holds no variable or query values
 * @param statusCode the response status, {@code null} when no response arrived
 * @param headers the response headers, sensitive values redacted
 * @param bodyExcerpt the start of the response body, at most
 * {@link #MAX_BODY_EXCERPT_LENGTH} characters, or {@code null}
 * @param retryAfter how long the server asked the client to wait ({@code Retry-After}),
 * or {@code null}
 */
public record ExchangeDetails(String method, String uriTemplate, @Nullable Integer statusCode,
		Map<String, String> headers, @Nullable String bodyExcerpt, @Nullable Duration retryAfter) {

	/** The longest body excerpt kept, in characters. */
	public static final int MAX_BODY_EXCERPT_LENGTH = 1000;

	private static final String TRUNCATED = "...";

	public ExchangeDetails {
		Objects.requireNonNull(method, "method must not be null");
		Objects.requireNonNull(uriTemplate, "uriTemplate must not be null");
		headers = (headers == null || headers.isEmpty()) ? Map.of()
				: Collections.unmodifiableMap(new LinkedHashMap<>(headers));
		bodyExcerpt = excerpt(bodyExcerpt);
	}

	/**
	 * Details of a request that got no response.
	 * @param method the HTTP method
	 * @param uriTemplate the URI template
	 * @return the details
	 */
	public static ExchangeDetails request(String method, String uriTemplate) {
		return new ExchangeDetails(method, uriTemplate, null, Map.of(), null, null);
	}

	/**
	 * Whether this request's method is idempotent (RFC 9110 section 9.2.2), so that
	 * sending it twice has the effect of sending it once.
	 * @return whether the method is idempotent
	 */
	public boolean isIdempotent() {
		return switch (this.method) {
			case "GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE" -> true;
			default -> false;
		};
	}

	private static @Nullable String excerpt(@Nullable String body) {
		if (body == null || body.length() <= MAX_BODY_EXCERPT_LENGTH) {
			return body;
		}
		return body.substring(0, MAX_BODY_EXCERPT_LENGTH - TRUNCATED.length()) + TRUNCATED;
	}

}
