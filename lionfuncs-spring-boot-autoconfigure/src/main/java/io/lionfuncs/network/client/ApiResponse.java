package io.lionfuncs.network.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.Redactor;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.util.LinkedCaseInsensitiveMap;

/**
 * A response with its status and headers kept, which the seed's client lost for
 * successful calls.
 *
 * @param <T> the body type
 * @param status the HTTP status code
 * @param headers the response headers, read-only
 * @param body the parsed body, {@code null} when there is none (204, empty body, HEAD)
 */
public record ApiResponse<T>(int status, HttpHeaders headers, @Nullable T body) {

	public ApiResponse {
		headers = HttpHeaders.readOnlyHttpHeaders((headers != null) ? headers : new HttpHeaders());
	}

	/**
	 * The first value of a header.
	 * @param name the header name, in any case
	 * @return the value, or {@code null}
	 */
	public @Nullable String header(String name) {
		return this.headers.getFirst(name);
	}

	/**
	 * What an {@link io.lionfuncs.network.Executor} records of this response: the
	 * status, the headers (one value per name, several joined with {@code ", "}, looked
	 * up in any case) and the body.
	 * @return the call result
	 */
	public CallResult toCallResult() {
		Map<String, String> single = new LinkedCaseInsensitiveMap<>(this.headers.size());
		this.headers.forEach((name, values) -> single.put(name, String.join(", ", values)));
		return new CallResult(this.status, Collections.unmodifiableMap(single), this.body);
	}

	/**
	 * Describes the response without secrets: sensitive headers (such as
	 * {@code Set-Cookie}) are masked and the body is named by its type only.
	 */
	@Override
	public String toString() {
		Map<String, Object> headers = new LinkedHashMap<>();
		this.headers.forEach(headers::put);
		return "ApiResponse[status=" + this.status + ", headers=" + Redactor.defaults().headers(headers) + ", body="
				+ ((this.body != null) ? this.body.getClass().getSimpleName() : null) + "]";
	}

}
