package io.lionfuncs.network.intercept;

import java.net.URI;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the default {@link ApiTokenEstimator}: the output cap named in the body plus
 * the input at four characters per token, or the fallback.
 */
class JsonBodyApiTokenEstimatorTests {

	private static final URI URI_ = URI.create("https://api.example.com/v1/chat");

	private final ApiTokenEstimator estimator = ApiTokenEstimator.ofJsonBody(500);

	private long estimate(String body) {
		return this.estimator.estimate("POST", URI_, body.getBytes(StandardCharsets.UTF_8));
	}

	@Test
	void eachProvidersOutputCapPlusTheInput() {
		String messages = "\"messages\":[{\"role\":\"user\",\"content\":\"12345678\"}]";
		// role "user" (4) and content (8): 12 characters, 3 tokens; the model's name is not input.
		assertThat(estimate("{\"model\":\"gpt-4o-mini\",\"max_tokens\":100," + messages + "}")).isEqualTo(103);
		assertThat(estimate("{\"max_completion_tokens\":200," + messages + "}")).isEqualTo(203);
		assertThat(estimate("{\"max_output_tokens\":300,\"input\":\"12345678\"}")).isEqualTo(302);
		assertThat(estimate("{\"model\":\"llama3\",\"options\":{\"num_predict\":400}," + messages + "}"))
			.isEqualTo(403);
	}

	@Test
	void noOutputCapFallsBackForTheOutput() {
		assertThat(estimate("{\"prompt\":\"123\"}")).isEqualTo(501);
	}

	@Test
	void aBodyThatIsNotAJsonObjectIsTheFallback() {
		assertThat(estimate("plain text")).isEqualTo(500);
		assertThat(estimate("[1,2]")).isEqualTo(500);
		assertThat(estimate("{broken")).isEqualTo(500);
		assertThat(this.estimator.estimate("GET", URI_, null)).isEqualTo(500);
	}

}
