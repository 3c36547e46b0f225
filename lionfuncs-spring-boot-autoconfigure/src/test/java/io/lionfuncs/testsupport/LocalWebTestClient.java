package io.lionfuncs.testsupport;

import java.time.Duration;

import reactor.netty.http.client.HttpClient;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * A {@link WebTestClient} for an application running on a local port that opens a
 * connection per request: Reactor Netty 1.3.6's server can stall a reused keep-alive
 * connection when a request that arrived early is answered synchronously
 * (reactor/reactor-netty#4361).
 */
public final class LocalWebTestClient {

	private LocalWebTestClient() {
	}

	public static WebTestClient create(int port) {
		return WebTestClient.bindToServer(new ReactorClientHttpConnector(HttpClient.create().keepAlive(false)))
			.baseUrl("http://localhost:" + port)
			.responseTimeout(Duration.ofSeconds(10))
			.build();
	}

}
