package io.lionfuncs.network.client;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

import reactor.core.publisher.Mono;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.util.ClassUtils;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.client.ClientResponse;

/**
 * Reads response bodies: the body of a successful response as JSON tree, text, bytes
 * or a requested type, and a bounded excerpt of an error response's body.
 */
final class ResponseBodies {

	/** Bytes read at most for an error body's excerpt; the rest is not read. */
	static final int MAX_EXCERPT_BYTES = 4096;

	private static final boolean JACKSON_PRESENT = ClassUtils.isPresent("tools.jackson.databind.JsonNode",
			ResponseBodies.class.getClassLoader());

	private ResponseBodies() {
	}

	/**
	 * Reads a response body.
	 *
	 * @param <T> the body type
	 */
	@FunctionalInterface
	interface BodyReader<T> {

		Mono<T> read(ClientResponse response);

	}

	/**
	 * A reader that picks the type from the content type: JSON as a Jackson
	 * {@code JsonNode}, {@code text/*}, XML, form data and a missing content type as a
	 * {@code String}, anything else as {@code byte[]}.
	 * @return the reader
	 */
	static BodyReader<Object> auto() {
		return ResponseBodies::readAuto;
	}

	static <T> BodyReader<T> of(Class<T> type) {
		return (response) -> response.bodyToMono(type);
	}

	static <T> BodyReader<T> of(ParameterizedTypeReference<T> type) {
		return (response) -> response.bodyToMono(type);
	}

	/**
	 * Whether a response to this method with this status has no body to read.
	 */
	static boolean hasNoBody(HttpMethod method, int status) {
		return status == 204 || status == 205 || status == 304 || HttpMethod.HEAD.equals(method);
	}

	private static Mono<Object> readAuto(ClientResponse response) {
		MediaType contentType = response.headers().contentType().orElse(null);
		if (contentType == null || isText(contentType)) {
			return response.bodyToMono(String.class).cast(Object.class);
		}
		if (JACKSON_PRESENT && isJson(contentType)) {
			return response.bodyToMono(tools.jackson.databind.JsonNode.class).cast(Object.class);
		}
		return response.bodyToMono(byte[].class).cast(Object.class);
	}

	private static boolean isJson(MediaType contentType) {
		return MediaType.APPLICATION_JSON.isCompatibleWith(contentType)
				|| contentType.getSubtype().endsWith("+json");
	}

	private static boolean isText(MediaType contentType) {
		String subtype = contentType.getSubtype();
		return "text".equals(contentType.getType()) || subtype.equals("xml") || subtype.endsWith("+xml")
				|| MediaType.APPLICATION_FORM_URLENCODED.isCompatibleWith(contentType)
				|| (!JACKSON_PRESENT && isJson(contentType));
	}

	/**
	 * The start of a response body as text, reading at most {@link #MAX_EXCERPT_BYTES};
	 * empty when the body is empty or cannot be read.
	 */
	static Mono<String> excerpt(ClientResponse response) {
		Charset charset = response.headers()
			.contentType()
			.map(MediaType::getCharset)
			.orElse(StandardCharsets.UTF_8);
		return DataBufferUtils
			.join(DataBufferUtils.takeUntilByteCount(response.body(BodyExtractors.toDataBuffers()), MAX_EXCERPT_BYTES))
			.map((buffer) -> {
				try {
					return buffer.toString(charset);
				}
				finally {
					DataBufferUtils.release(buffer);
				}
			})
			.onErrorResume((ex) -> Mono.empty())
			.defaultIfEmpty("");
	}

}
