package io.lionfuncs.network.client;

import java.util.Objects;
import java.util.function.Consumer;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;

/**
 * Authentication for an {@link AsyncApiClient}, as {@link ExchangeFilterFunction}s that
 * add a credential header to every attempt. Their {@code toString} never shows the
 * credential.
 */
public final class ApiAuth {

	private ApiAuth() {
	}

	/**
	 * {@code Authorization: Bearer <token>}.
	 * @param token the token
	 * @return the filter
	 */
	public static ExchangeFilterFunction bearer(String token) {
		requireText(token, "token");
		return new HeaderFilter("bearer", (headers) -> headers.setBearerAuth(token));
	}

	/**
	 * {@code Authorization: Basic <base64(username:password)>}.
	 * @param username the user name
	 * @param password the password
	 * @return the filter
	 */
	public static ExchangeFilterFunction basic(String username, String password) {
		requireText(username, "username");
		Objects.requireNonNull(password, "password must not be null");
		return new HeaderFilter("basic", (headers) -> headers.setBasicAuth(username, password));
	}

	/**
	 * A key in a header of its own, such as {@code X-Api-Key} or {@code api-key}. The
	 * header name should be one the client's {@code Redactor} masks (the defaults mask
	 * any name ending in {@code key}).
	 * @param headerName the header name
	 * @param key the key
	 * @return the filter
	 */
	public static ExchangeFilterFunction apiKey(String headerName, String key) {
		requireText(headerName, "headerName");
		requireText(key, "key");
		return new HeaderFilter("apiKey(" + headerName + ")", (headers) -> headers.set(headerName, key));
	}

	private static void requireText(String value, String name) {
		if (value == null || value.isBlank()) {
			throw new IllegalArgumentException(name + " must not be empty");
		}
	}

	private static final class HeaderFilter implements ExchangeFilterFunction {

		private final String description;

		private final Consumer<HttpHeaders> credential;

		HeaderFilter(String description, Consumer<HttpHeaders> credential) {
			this.description = description;
			this.credential = credential;
		}

		@Override
		public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
			return next.exchange(ClientRequest.from(request).headers(this.credential).build());
		}

		@Override
		public String toString() {
			return "ApiAuth." + this.description + "(******)";
		}

	}

}
