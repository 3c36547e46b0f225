package io.lionfuncs.network.client;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.jspecify.annotations.Nullable;

/**
 * Reads the seed's request map ({@code method}, {@code url}, {@code params},
 * {@code json}, {@code data}, {@code headers}, {@code timeout}) into an
 * {@link ApiRequest}. Unknown keys are refused rather than ignored, so a typo never
 * silently drops part of a request.
 */
final class CallMap {

	private CallMap() {
	}

	static ApiRequest toRequest(Map<String, ?> request) {
		Set<String> unknown = new TreeSet<>(request.keySet());
		unknown.removeAll(AsyncApiClient.CALL_KEYS);
		if (!unknown.isEmpty()) {
			throw new IllegalArgumentException(
					"Unknown request keys " + unknown + "; accepted keys are " + new TreeSet<>(AsyncApiClient.CALL_KEYS));
		}
		Object method = request.get("method");
		Object url = request.get("url");
		if (!(url instanceof CharSequence)) {
			throw new IllegalArgumentException("Request key 'url' must be a string but was " + typeOf(url));
		}
		if (method != null && !(method instanceof CharSequence)) {
			throw new IllegalArgumentException("Request key 'method' must be a string but was " + typeOf(method));
		}
		ApiRequest.Builder builder = ApiRequest.builder((method != null) ? method.toString() : "GET", url.toString())
			.params(map(request, "params"))
			.headers(map(request, "headers"))
			.json(request.get("json"))
			.data(request.get("data"));
		Object timeout = request.get("timeout");
		if (timeout != null) {
			builder.timeout(timeout(timeout));
		}
		return builder.build();
	}

	private static @Nullable Map<String, ?> map(Map<String, ?> request, String key) {
		Object value = request.get(key);
		if (value == null) {
			return null;
		}
		if (!(value instanceof Map<?, ?> map)) {
			throw new IllegalArgumentException("Request key '" + key + "' must be a map but was " + typeOf(value));
		}
		@SuppressWarnings("unchecked")
		Map<String, ?> typed = (Map<String, ?>) map;
		return typed;
	}

	private static Duration timeout(Object value) {
		if (value instanceof Duration duration) {
			return duration;
		}
		if (value instanceof Number number) {
			BigDecimal seconds = new BigDecimal(number.toString());
			return Duration.ofNanos(seconds.movePointRight(9).longValue());
		}
		throw new IllegalArgumentException(
				"Request key 'timeout' must be a number of seconds or a Duration but was " + typeOf(value));
	}

	private static String typeOf(@Nullable Object value) {
		return (value != null) ? value.getClass().getName() : "null";
	}

}
