package io.lionfuncs.sample;

import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Starts the sample application as the README runs it.
 */
class SampleApplicationTests extends DefinedPortTests {

	@Test
	void applicationStartsHealthy() {
		this.client.get()
			.uri("/actuator/health")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("UP")
			.jsonPath("$.components.lionfuncs.status")
			.isEqualTo("UP");
	}

	@Test
	void defaultClientCallsTheEmbeddedUpstreamOnTheServerPort() {
		this.client.get()
			.uri("/actuator/lionfuncs")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.clients.default.baseUrl")
			.isEqualTo("http://localhost:" + this.port + "/upstream")
			.jsonPath("$.executors.default.running")
			.isEqualTo(true);
	}

	@Test
	void dashboardIsServedAtTheRoot() {
		String html = this.client.get()
			.uri("/")
			.accept(MediaType.TEXT_HTML)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(html).contains("<title>lionfuncs dashboard</title>").contains("dashboard.js");
		this.client.get().uri("/dashboard.js").exchange().expectStatus().isOk().expectBody(Void.class);
		this.client.get().uri("/dashboard.css").exchange().expectStatus().isOk().expectBody(Void.class);
	}

	@Test
	void actuatorExposesTheDocumentedEndpoints() {
		this.client.get()
			.uri("/actuator")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$._links.health")
			.exists()
			.jsonPath("$._links.info")
			.exists()
			.jsonPath("$._links.metrics")
			.exists()
			.jsonPath("$._links.prometheus")
			.exists()
			.jsonPath("$._links.lionfuncs")
			.exists();
	}

}
