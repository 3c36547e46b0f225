package io.lionfuncs.network.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpMethod;

/**
 * One request for an {@link AsyncApiClient}: method, URI template and its variables,
 * query parameters, headers, a JSON or form/raw body, and an optional timeout.
 * <p>
 * The URI stays a template (e.g. {@code /v1/models/{model}}) all the way to WebClient,
 * so that the {@code http.client.requests} observation gets a bounded {@code uri} tag
 * and exceptions and events name the template, never the values.
 *
 * <pre class="code">
 * ApiRequest request = ApiRequest.post("/v1/chat/{model}", "small")
 *     .param("stream", false)
 *     .json(Map.of("prompt", "Hello"))
 *     .build();
 * </pre>
 */
public final class ApiRequest {

	private final HttpMethod method;

	private final String uriTemplate;

	private final List<Object> uriVariables;

	private final Map<String, ?> namedUriVariables;

	private final Map<String, List<String>> params;

	private final Map<String, List<String>> headers;

	private final @Nullable Object json;

	private final @Nullable Object data;

	private final @Nullable Duration timeout;

	private ApiRequest(Builder builder) {
		this.method = builder.method;
		this.uriTemplate = builder.uriTemplate;
		this.uriVariables = List.copyOf(builder.uriVariables);
		this.namedUriVariables = Collections.unmodifiableMap(new LinkedHashMap<>(builder.namedUriVariables));
		this.params = copy(builder.params);
		this.headers = copy(builder.headers);
		this.json = builder.json;
		this.data = builder.data;
		this.timeout = builder.timeout;
	}

	private ApiRequest(ApiRequest request, Object json) {
		this.method = request.method;
		this.uriTemplate = request.uriTemplate;
		this.uriVariables = request.uriVariables;
		this.namedUriVariables = request.namedUriVariables;
		this.params = request.params;
		this.headers = request.headers;
		this.json = json;
		this.data = null;
		this.timeout = request.timeout;
	}

	/**
	 * Starts a request.
	 * @param method the HTTP method
	 * @param uriTemplate the URI template, relative to the client's base URL or absolute
	 * @param uriVariables values for the template's variables, in order
	 * @return a builder
	 */
	public static Builder builder(HttpMethod method, String uriTemplate, Object... uriVariables) {
		return new Builder(method, uriTemplate).uriVariables(uriVariables);
	}

	/**
	 * Starts a request, with the method given by name.
	 * @param method the HTTP method name, in any case
	 * @param uriTemplate the URI template
	 * @param uriVariables values for the template's variables, in order
	 * @return a builder
	 */
	public static Builder builder(String method, String uriTemplate, Object... uriVariables) {
		Objects.requireNonNull(method, "method must not be null");
		return builder(HttpMethod.valueOf(method.trim().toUpperCase(Locale.ROOT)), uriTemplate, uriVariables);
	}

	/**
	 * Starts a {@code GET}.
	 * @param uriTemplate the URI template
	 * @param uriVariables the template's values, in order
	 * @return a builder
	 */
	public static Builder get(String uriTemplate, Object... uriVariables) {
		return builder(HttpMethod.GET, uriTemplate, uriVariables);
	}

	/**
	 * Starts a {@code POST}, retried only when provably not processed.
	 * @param uriTemplate the URI template
	 * @param uriVariables the template's values, in order
	 * @return a builder
	 */
	public static Builder post(String uriTemplate, Object... uriVariables) {
		return builder(HttpMethod.POST, uriTemplate, uriVariables);
	}

	/**
	 * Starts a {@code PUT}.
	 * @param uriTemplate the URI template
	 * @param uriVariables the template's values, in order
	 * @return a builder
	 */
	public static Builder put(String uriTemplate, Object... uriVariables) {
		return builder(HttpMethod.PUT, uriTemplate, uriVariables);
	}

	/**
	 * Starts a {@code PATCH}, retried only when provably not processed.
	 * @param uriTemplate the URI template
	 * @param uriVariables the template's values, in order
	 * @return a builder
	 */
	public static Builder patch(String uriTemplate, Object... uriVariables) {
		return builder(HttpMethod.PATCH, uriTemplate, uriVariables);
	}

	/**
	 * Starts a {@code DELETE}.
	 * @param uriTemplate the URI template
	 * @param uriVariables the template's values, in order
	 * @return a builder
	 */
	public static Builder delete(String uriTemplate, Object... uriVariables) {
		return builder(HttpMethod.DELETE, uriTemplate, uriVariables);
	}

	public HttpMethod method() {
		return this.method;
	}

	public String uriTemplate() {
		return this.uriTemplate;
	}

	/**
	 * Values for the template's variables, in order (used when no named values are
	 * given).
	 * @return the values
	 */
	public List<Object> uriVariables() {
		return this.uriVariables;
	}

	/**
	 * Values for the template's variables, by name.
	 * @return the values
	 */
	public Map<String, ?> namedUriVariables() {
		return this.namedUriVariables;
	}

	/**
	 * Query parameters, added to the URI as template variables so their values are
	 * encoded strictly.
	 * @return the parameters
	 */
	public Map<String, List<String>> params() {
		return this.params;
	}

	/**
	 * Headers of this request; they add to and override the client's default headers.
	 * @return the headers
	 */
	public Map<String, List<String>> headers() {
		return this.headers;
	}

	/**
	 * The body to send as JSON: an object serialised by the client's codecs, or a
	 * string sent as it is.
	 * @return the JSON body, or {@code null}
	 */
	public @Nullable Object json() {
		return this.json;
	}

	/**
	 * The body to send as it is: a {@code Map} is sent as form fields
	 * ({@code application/x-www-form-urlencoded}), a {@code String} or {@code byte[]}
	 * as raw content.
	 * @return the raw body, or {@code null}
	 */
	public @Nullable Object data() {
		return this.data;
	}

	/**
	 * The body this request sends, for tracking.
	 * @return the JSON or raw body, or {@code null}
	 */
	public @Nullable Object payload() {
		return (this.json != null) ? this.json : this.data;
	}

	/**
	 * How long each attempt may take; overrides the client's timeout.
	 * @return the timeout, or {@code null} for the client's
	 */
	public @Nullable Duration timeout() {
		return this.timeout;
	}

	/**
	 * This request with another JSON body.
	 */
	ApiRequest withJson(Object json) {
		return new ApiRequest(this, json);
	}

	@Override
	public String toString() {
		return "ApiRequest[" + this.method.name() + " " + this.uriTemplate + "]";
	}

	private static Map<String, List<String>> copy(Map<String, List<String>> source) {
		Map<String, List<String>> copy = new LinkedHashMap<>();
		source.forEach((name, values) -> copy.put(name, List.copyOf(values)));
		return Collections.unmodifiableMap(copy);
	}

	/**
	 * Builds an {@link ApiRequest}.
	 */
	public static final class Builder {

		private final HttpMethod method;

		private final String uriTemplate;

		private List<Object> uriVariables = List.of();

		private Map<String, ?> namedUriVariables = Map.of();

		private final Map<String, List<String>> params = new LinkedHashMap<>();

		private final Map<String, List<String>> headers = new LinkedHashMap<>();

		private @Nullable Object json;

		private @Nullable Object data;

		private @Nullable Duration timeout;

		private Builder(HttpMethod method, String uriTemplate) {
			this.method = Objects.requireNonNull(method, "method must not be null");
			this.uriTemplate = Objects.requireNonNull(uriTemplate, "uriTemplate must not be null");
		}

		/**
		 * Values for the template's variables, in order.
		 * @param uriVariables the values
		 * @return this builder
		 */
		public Builder uriVariables(Object... uriVariables) {
			this.uriVariables = Arrays.asList(uriVariables.clone());
			return this;
		}

		/**
		 * Values for the template's variables, by name; replaces positional values.
		 * @param uriVariables the values
		 * @return this builder
		 */
		public Builder uriVariables(Map<String, ?> uriVariables) {
			this.namedUriVariables = new LinkedHashMap<>(uriVariables);
			this.uriVariables = List.of();
			return this;
		}

		/**
		 * Adds a query parameter; a collection or array gives one parameter per element,
		 * a {@code null} value is skipped.
		 * @param name the parameter name
		 * @param value the value
		 * @return this builder
		 */
		public Builder param(String name, @Nullable Object value) {
			List<String> values = values(value);
			if (!values.isEmpty()) {
				this.params.computeIfAbsent(name, (key) -> new ArrayList<>()).addAll(values);
			}
			return this;
		}

		/**
		 * Adds query parameters; see {@link #param(String, Object)}.
		 * @param params the parameters
		 * @return this builder
		 */
		public Builder params(@Nullable Map<String, ?> params) {
			if (params != null) {
				params.forEach(this::param);
			}
			return this;
		}

		/**
		 * Sets a header, replacing a default header of the same name.
		 * @param name the header name
		 * @param value the value; a collection gives several values
		 * @return this builder
		 */
		public Builder header(String name, @Nullable Object value) {
			List<String> values = values(value);
			if (values.isEmpty()) {
				this.headers.remove(name);
			}
			else {
				this.headers.put(name, values);
			}
			return this;
		}

		/**
		 * Sets headers; see {@link #header(String, Object)}.
		 * @param headers the headers
		 * @return this builder
		 */
		public Builder headers(@Nullable Map<String, ?> headers) {
			if (headers != null) {
				headers.forEach(this::header);
			}
			return this;
		}

		/**
		 * The body, sent as JSON.
		 * @param json an object for the codecs, or a JSON string sent as it is
		 * @return this builder
		 */
		public Builder json(@Nullable Object json) {
			this.json = json;
			return this;
		}

		/**
		 * The body, sent as form fields (a {@code Map}) or raw content ({@code String},
		 * {@code byte[]}).
		 * @param data the body
		 * @return this builder
		 */
		public Builder data(@Nullable Object data) {
			if (data != null && !(data instanceof Map) && !(data instanceof CharSequence)
					&& !(data instanceof byte[])) {
				throw new IllegalArgumentException(
						"data must be a Map (form fields), a String or a byte[] but was " + data.getClass().getName());
			}
			this.data = data;
			return this;
		}

		/**
		 * How long each attempt may take, overriding the client's timeout.
		 * @param timeout the timeout, positive, or {@code null} for the client's
		 * @return this builder
		 */
		public Builder timeout(@Nullable Duration timeout) {
			if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
				throw new IllegalArgumentException("timeout must be positive but was " + timeout);
			}
			this.timeout = timeout;
			return this;
		}

		/**
		 * Builds the request.
		 * @return the request
		 * @throws IllegalArgumentException if both a JSON and a raw body are set
		 */
		public ApiRequest build() {
			if (this.json != null && this.data != null) {
				throw new IllegalArgumentException("Set either json or data, not both");
			}
			return new ApiRequest(this);
		}

		private static List<String> values(@Nullable Object value) {
			if (value == null) {
				return List.of();
			}
			if (value instanceof Collection<?> collection) {
				return collection.stream().filter(Objects::nonNull).map(String::valueOf).toList();
			}
			if (value instanceof Object[] array) {
				return Arrays.stream(array).filter(Objects::nonNull).map(String::valueOf).toList();
			}
			return List.of(String.valueOf(value));
		}

	}

}
