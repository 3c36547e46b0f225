package io.lionfuncs.sample.demo;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import io.lionfuncs.network.client.ApiClientException;
import io.lionfuncs.network.client.ApiRequest;
import io.lionfuncs.network.client.AsyncApiClient;
import io.lionfuncs.sample.DefinedPortTests;
import io.lionfuncs.sample.upstream.FakeLlmUpstream;
import io.lionfuncs.sample.upstream.FakeLlmUpstream.UpstreamSettings;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.entry;

/**
 * {@code POST /demo/burst} at the default settings: the executor keeps the client below
 * the fake upstream's limits, so no call is ever answered 429.
 */
class BurstTests extends DefinedPortTests {

	@Autowired
	private FakeLlmUpstream upstream;

	@Autowired
	@Qualifier("default")
	private AsyncApiClient apiClient;

	@Test
	void burstOfFiftyCompletesWithoutThrottling() {
		long throttledBefore = this.upstream.settings().throttled();
		long servedBefore = this.upstream.settings().served();
		BurstResult result = burst("/demo/burst?count=50&tokens=400");
		assertThat(result.count()).isEqualTo(50);
		assertThat(result.statuses()).containsEntry("COMPLETED", 50L)
			.containsEntry("FAILED", 0L)
			.containsEntry("CANCELLED", 0L);
		assertThat(result.httpStatus()).containsExactly(entry("200", 50L));
		assertThat(this.upstream.settings().throttled()).isEqualTo(throttledBefore);
		assertThat(this.upstream.settings().served()).isEqualTo(servedBefore + 50);
		// Ten leave at once (the bucket's burst), the other forty at ten per second.
		assertThat(result.elapsedMillis()).isGreaterThanOrEqualTo(3000);
	}

	@Test
	void burstAboveTheBoundIsRejectedWithTheReason() {
		this.client.post()
			.uri("/demo/burst?count=1001")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.detail")
			.isEqualTo("count must be between 1 and 1000 but was 1001");
	}

	@Test
	void emptyBurstIsRejected() {
		this.client.post()
			.uri("/demo/burst?count=0")
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.detail")
			.isEqualTo("count must be between 1 and 1000 but was 0");
	}

	@Test
	void burstOnlyCallsPathsBelowTheBaseUrl() {
		this.client.post()
			.uri((uri) -> uri.path("/demo/burst").queryParam("count", 1).queryParam("path", "http://example.com/").build())
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.detail")
			.isEqualTo("path must be a path starting with '/' below lionfuncs.client.base-url");
	}

	@Test
	void burstRefusesEveryPathOutsideTheUpstreamsApiAndSendsNothing() {
		UpstreamSettings before = this.upstream.settings();
		for (String path : List.of("//evil.example:9/steal", "/admin/faults?errorRate=0.01", "/admin/faults",
				"/v1/../admin/faults", "/v1/%2e%2e/admin/faults", "/v1/chat/completions?errorRate=1",
				"/v1/chat/completions#x", "/v1/{model}", "/v1\\..\\admin", "/v1/./chat", "/v1//chat", "/v1",
				"/upstream/admin/faults")) {
			this.client.post()
				.uri((uri) -> uri.path("/demo/burst").queryParam("count", 1).queryParam("path", "{path}").build(path))
				.exchange()
				.expectStatus()
				.isBadRequest()
				.expectBody()
				.jsonPath("$.detail")
				.value(String.class, (detail) -> assertThat(detail).as(path).startsWith("path must be"));
		}
		UpstreamSettings after = this.upstream.settings();
		assertThat(after).isEqualTo(before);
	}

	@Test
	void theUpstreamsAdminResourceCannotBeReachedThroughABurst() {
		UpstreamSettings before = this.upstream.settings();
		this.client.post()
			.uri(URI.create("http://localhost:" + this.port + "/demo/burst?count=1&path=/admin/faults%3FerrorRate%3D0.01"))
			.exchange()
			.expectStatus()
			.isBadRequest();

		assertThat(this.upstream.settings()).isEqualTo(before);
		assertThat(this.upstream.settings().errorRate()).isZero();
	}

	@Test
	void theClientItselfRefusesAPathThatLeavesTheBaseUrl() {
		assertThatExceptionOfType(ApiClientException.class)
			.isThrownBy(() -> this.apiClient.request(ApiRequest.post("//evil.example:9/steal").json("{}").build())
				.block(Duration.ofSeconds(10)))
			.withMessageContaining("was refused before sending");
	}

	@Test
	void burstToAMissingPathReportsEveryCallAsFailed() {
		BurstResult result = burst("/demo/burst?count=3&tokens=10&path=/v1/missing");
		assertThat(result.statuses()).containsEntry("FAILED", 3L).containsEntry("COMPLETED", 0L);
		assertThat(result.httpStatus()).containsExactly(entry("404", 3L));
	}

	private BurstResult burst(String uri) {
		BurstResult result = this.client.post()
			.uri(uri)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(BurstResult.class)
			.returnResult()
			.getResponseBody();
		assertThat(result).isNotNull();
		return result;
	}

}
