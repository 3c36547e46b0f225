package io.lionfuncs.network.client;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.lionfuncs.network.Redactor;
import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.util.LinkedCaseInsensitiveMap;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.util.DefaultUriBuilderFactory;
import org.springframework.web.util.UriBuilder;

/**
 * Turns an {@link ApiRequest} into a WebClient request ready to exchange: the URI
 * template expanded by the WebClient (so that observations keep the template) and checked
 * against the client's {@link RequestOrigin}, the body, and the default and request
 * headers. It also describes a request as it is recorded and reported: its URI template
 * resolved against the base URL, as WebClient resolves it, user info and sensitive query
 * values masked.
 */
final class RequestEncoder {

	private static final String QUERY_VARIABLE_PREFIX = "lionfuncsQuery";

	private final RequestOrigin origin;

	private final DefaultUriBuilderFactory templates;

	private final Map<String, List<String>> defaultHeaders;

	private final Redactor redactor;

	RequestEncoder(@Nullable String baseUrl, Map<String, List<String>> defaultHeaders, Redactor redactor) {
		this.origin = RequestOrigin.of(baseUrl);
		this.templates = (baseUrl != null) ? new DefaultUriBuilderFactory(baseUrl) : new DefaultUriBuilderFactory();
		this.defaultHeaders = copy(defaultHeaders);
		this.redactor = redactor;
	}

	/**
	 * A request ready to exchange, and what describes it in exceptions and logs.
	 *
	 * @param spec the WebClient request
	 * @param target the method and URI template
	 */
	record Encoded(WebClient.RequestHeadersSpec<?> spec, ExchangeDetails target) {
	}

	/**
	 * Prepares a request. Nothing is sent.
	 * @param webClient the client's WebClient
	 * @param request the request
	 * @return the prepared request
	 * @throws ApiClientException if the request's URI leaves the client's origin
	 */
	Encoded encode(WebClient webClient, ApiRequest request) {
		String method = request.method().name();
		Resolution resolution = new Resolution();
		WebClient.RequestBodySpec spec = webClient.method(request.method())
			.uri(request.uriTemplate(), (builder) -> resolution.resolve(builder, request, method));
		WebClient.RequestHeadersSpec<?> ready = withBody(spec, request)
			.headers((headers) -> applyHeaders(headers, request));
		return new Encoded(ready, ExchangeDetails.request(method, Objects.requireNonNull(resolution.described)));
	}

	/**
	 * The URI template as recorded and reported: resolved against the base URL, user
	 * info and sensitive query values masked.
	 * @param uriTemplate the template
	 * @return the description
	 */
	String describe(String uriTemplate) {
		return redact(this.templates.uriString(uriTemplate).toUriString());
	}

	/**
	 * The headers a request is recorded with: the default headers, replaced by the
	 * request's own of the same name (values not yet redacted).
	 * @param request the request
	 * @return the headers, looked up in any case
	 */
	Map<String, List<String>> recordedHeaders(ApiRequest request) {
		if (this.defaultHeaders.isEmpty() && request.headers().isEmpty()) {
			return Map.of();
		}
		Map<String, List<String>> headers = new LinkedCaseInsensitiveMap<>();
		headers.putAll(this.defaultHeaders);
		headers.putAll(request.headers());
		return headers;
	}

	Map<String, List<String>> defaultHeaders() {
		return this.defaultHeaders;
	}

	RequestOrigin origin() {
		return this.origin;
	}

	private String redact(String url) {
		return Objects.requireNonNull(this.redactor.url(url));
	}

	private static WebClient.RequestHeadersSpec<?> withBody(WebClient.RequestBodySpec spec, ApiRequest request) {
		Object json = request.json();
		if (json != null) {
			return spec.contentType(MediaType.APPLICATION_JSON).bodyValue(json);
		}
		Object data = request.data();
		if (data instanceof Map<?, ?> form) {
			MultiValueMap<String, String> fields = new LinkedMultiValueMap<>();
			form.forEach((name, value) -> {
				if (value instanceof Collection<?> values) {
					values.forEach((element) -> fields.add(String.valueOf(name), String.valueOf(element)));
				}
				else if (value != null) {
					fields.add(String.valueOf(name), String.valueOf(value));
				}
			});
			return spec.body(BodyInserters.fromFormData(fields));
		}
		if (data instanceof CharSequence text) {
			return spec.bodyValue(text.toString());
		}
		if (data instanceof byte[] bytes) {
			return spec.bodyValue(bytes);
		}
		return spec;
	}

	private void applyHeaders(HttpHeaders headers, ApiRequest request) {
		// HttpHeaders is case-insensitive: a request's header replaces a default one.
		this.defaultHeaders.forEach(headers::put);
		request.headers().forEach(headers::put);
	}

	private static Map<String, List<String>> copy(Map<String, List<String>> headers) {
		Map<String, List<String>> copy = new LinkedHashMap<>();
		headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
		return Collections.unmodifiableMap(copy);
	}

	/**
	 * Each query value becomes a template variable of its own, so that WebClient
	 * encodes it strictly and it never becomes part of the template.
	 */
	private static URI expand(UriBuilder builder, ApiRequest request) {
		List<Object> queryValues = new ArrayList<>();
		request.params().forEach((name, values) -> values.forEach((value) -> {
			builder.queryParam(name, "{" + QUERY_VARIABLE_PREFIX + queryValues.size() + "}");
			queryValues.add(value);
		}));
		if (!request.namedUriVariables().isEmpty()) {
			Map<String, Object> variables = new LinkedHashMap<>(request.namedUriVariables());
			for (int i = 0; i < queryValues.size(); i++) {
				variables.put(QUERY_VARIABLE_PREFIX + i, queryValues.get(i));
			}
			return builder.build(variables);
		}
		List<Object> variables = new ArrayList<>(request.uriVariables());
		variables.addAll(queryValues);
		return builder.build(variables.toArray());
	}

	/**
	 * Expands a template with WebClient's own builder (its base URL and encoding) and
	 * checks the result; remembers the template as WebClient resolved it.
	 */
	private final class Resolution {

		private @Nullable String described;

		URI resolve(UriBuilder builder, ApiRequest request, String method) {
			String described = redact(builder.toUriString());
			this.described = described;
			URI uri;
			try {
				uri = expand(builder, request);
			}
			catch (IllegalArgumentException ex) {
				// The parser's message quotes the values: it stays out of ours.
				throw new ApiClientException(method + " " + described + " was refused before sending: its URI is "
						+ "not valid", ExchangeDetails.request(method, described), null);
			}
			return RequestEncoder.this.origin.check(uri, method, described);
		}

	}

}
