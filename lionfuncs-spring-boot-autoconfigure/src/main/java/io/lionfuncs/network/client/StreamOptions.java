package io.lionfuncs.network.client;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.util.ClassUtils;

/**
 * Asks an OpenAI-style API for the usage chunk at the end of a stream: adds
 * {@code "stream_options": {"include_usage": true}} to a request's JSON object body (a
 * {@code Map}, a Jackson object node, or JSON text), keeping any other stream option and
 * leaving a body that already says whether to include usage as it is. The body given is
 * never changed: the request sent carries a copy.
 */
final class StreamOptions {

	private static final Logger logger = LoggerFactory.getLogger(StreamOptions.class);

	private static final boolean JACKSON_PRESENT = ClassUtils.isPresent("tools.jackson.databind.JsonNode",
			StreamOptions.class.getClassLoader());

	static final String STREAM_OPTIONS = "stream_options";

	static final String INCLUDE_USAGE = "include_usage";

	private final String clientName;

	private final AtomicBoolean warned = new AtomicBoolean();

	StreamOptions(String clientName) {
		this.clientName = clientName;
	}

	/**
	 * The request to send: this one, or a copy whose body asks for usage.
	 * @param request the request
	 * @return the request to send
	 */
	ApiRequest includeUsage(ApiRequest request) {
		Object json = request.json();
		if (json == null) {
			return request;
		}
		Object changed = withUsage(json);
		if (changed == null) {
			if (this.warned.compareAndSet(false, true)) {
				logger.warn("Client '{}' asks for usage in streams, but a request body of type {} is not a JSON object "
						+ "it can add stream_options.include_usage to: put it in the body yourself", this.clientName,
						json.getClass().getName());
			}
			return request;
		}
		return (changed != json) ? request.withJson(changed) : request;
	}

	/**
	 * The body asking for usage: a copy, the body itself when it already says, or
	 * {@code null} when it is no JSON object this can change.
	 */
	private static @Nullable Object withUsage(Object json) {
		if (json instanceof Map<?, ?> map) {
			Object options = map.get(STREAM_OPTIONS);
			if (options instanceof Map<?, ?> given && given.containsKey(INCLUDE_USAGE)) {
				return json;
			}
			Map<Object, Object> streamOptions = new LinkedHashMap<>();
			if (options instanceof Map<?, ?> given) {
				streamOptions.putAll(given);
			}
			streamOptions.put(INCLUDE_USAGE, true);
			Map<Object, Object> body = new LinkedHashMap<>(map);
			body.put(STREAM_OPTIONS, streamOptions);
			return body;
		}
		if (JACKSON_PRESENT) {
			return Jackson.withUsage(json);
		}
		return null;
	}

	/**
	 * What touches Jackson, loaded only when Jackson is present.
	 */
	private static final class Jackson {

		static @Nullable Object withUsage(Object json) {
			if (json instanceof JsonNode node) {
				return (node instanceof ObjectNode object) ? withUsage(object) : null;
			}
			if (!(json instanceof CharSequence text) || !text.toString().stripLeading().startsWith("{")) {
				return null;
			}
			JsonNode parsed;
			try {
				parsed = JsonMapper.shared().readTree(text.toString());
			}
			catch (JacksonException ex) {
				// Sent as it is: the server says what is wrong with it.
				return json;
			}
			if (!(parsed instanceof ObjectNode object)) {
				return null;
			}
			ObjectNode changed = withUsage(object);
			return (changed == object) ? json : JsonMapper.shared().writeValueAsString(changed);
		}

		private static ObjectNode withUsage(ObjectNode body) {
			JsonNode options = body.get(STREAM_OPTIONS);
			if (options instanceof ObjectNode given && given.has(INCLUDE_USAGE)) {
				return body;
			}
			ObjectNode copy = body.deepCopy();
			JsonNode existing = copy.get(STREAM_OPTIONS);
			ObjectNode streamOptions = (existing instanceof ObjectNode object) ? object
					: copy.putObject(STREAM_OPTIONS);
			streamOptions.put(INCLUDE_USAGE, true);
			return copy;
		}

	}

}
