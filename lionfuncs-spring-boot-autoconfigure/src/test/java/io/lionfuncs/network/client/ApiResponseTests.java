package io.lionfuncs.network.client;

import java.util.Map;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ApiResponse}.
 */
class ApiResponseTests {

	@Test
	void toStringMasksSensitiveHeadersAndLeavesTheBodyOut() {
		HttpHeaders headers = new HttpHeaders();
		headers.add("Set-Cookie", "sid=sk-secret; HttpOnly");
		headers.add("ETag", "v1");
		ApiResponse<Map<String, String>> response = new ApiResponse<>(200, headers, Map.of("token", "sk-secret"));

		assertThat(response.toString()).doesNotContain("sk-secret").contains("status=200", "ETag", "body=");
		assertThat(response.header("Set-Cookie")).as("the caller still reads its headers").contains("sk-secret");
	}

}
