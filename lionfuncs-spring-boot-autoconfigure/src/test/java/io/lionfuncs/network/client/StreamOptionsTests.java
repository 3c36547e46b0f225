package io.lionfuncs.network.client;

import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link StreamOptions}: the usage chunk is asked for in a copy of the body,
 * whatever form the JSON object takes, and a body that says otherwise is left alone.
 */
class StreamOptionsTests {

	private final StreamOptions options = new StreamOptions("test");

	@Test
	void aMapBodyGetsACopyWithStreamOptions() {
		Map<String, Object> body = new LinkedHashMap<>(Map.of("model", "m", "stream", true));
		body.put("stream_options", Map.of("other", 1));

		ApiRequest sent = this.options.includeUsage(ApiRequest.post("/v1/chat").json(body).build());

		assertThat(sent.json()).isEqualTo(Map.of("model", "m", "stream", true, "stream_options",
				Map.of("other", 1, "include_usage", true)));
		assertThat(body.get("stream_options")).as("the caller's body is not changed").isEqualTo(Map.of("other", 1));
	}

	@Test
	void aJsonObjectNodeGetsACopyWithStreamOptions() {
		ObjectNode body = JsonMapper.shared().createObjectNode().put("model", "m");

		ApiRequest sent = this.options.includeUsage(ApiRequest.post("/v1/chat").json(body).build());

		assertThat(((JsonNode) sent.json()).at("/stream_options/include_usage").asBoolean()).isTrue();
		assertThat(body.has("stream_options")).isFalse();
	}

	@Test
	void jsonTextIsRewritten() {
		ApiRequest sent = this.options
			.includeUsage(ApiRequest.post("/v1/chat").json("{\"model\":\"m\",\"stream\":true}").build());

		assertThat(JsonMapper.shared().readTree((String) sent.json()).at("/stream_options/include_usage").asBoolean())
			.isTrue();
	}

	@Test
	void aBodyThatSaysWhetherToIncludeUsageIsLeftAlone() {
		ApiRequest request = ApiRequest.post("/v1/chat")
			.json(Map.of("stream_options", Map.of("include_usage", false)))
			.build();

		assertThat(this.options.includeUsage(request)).isSameAs(request);
	}

	@Test
	void bodiesThatAreNoJsonObjectAreSentAsTheyAre() {
		ApiRequest array = ApiRequest.post("/v1/chat").json("[1, 2]").build();
		ApiRequest record = ApiRequest.post("/v1/chat").json(new Chat("m")).build();
		ApiRequest noBody = ApiRequest.get("/v1/events").build();

		assertThat(this.options.includeUsage(array)).isSameAs(array);
		assertThat(this.options.includeUsage(record)).isSameAs(record);
		assertThat(this.options.includeUsage(noBody)).isSameAs(noBody);
	}

	@Test
	void theCopyKeepsEverythingElseOfTheRequest() {
		ApiRequest request = ApiRequest.post("/v1/{model}/chat", "m1")
			.param("q", "v")
			.header("X-Trace", "t")
			.timeout(java.time.Duration.ofSeconds(3))
			.json(Map.of("a", 1))
			.build();

		ApiRequest sent = this.options.includeUsage(request);

		assertThat(sent.method()).isEqualTo(request.method());
		assertThat(sent.uriTemplate()).isEqualTo(request.uriTemplate());
		assertThat(sent.uriVariables()).isEqualTo(request.uriVariables());
		assertThat(sent.params()).isEqualTo(request.params());
		assertThat(sent.headers()).isEqualTo(request.headers());
		assertThat(sent.timeout()).isEqualTo(request.timeout());
	}

	record Chat(String model) {
	}

}
