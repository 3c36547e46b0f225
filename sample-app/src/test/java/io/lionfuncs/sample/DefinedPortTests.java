package io.lionfuncs.sample;

import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import reactor.netty.http.client.HttpClient;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.util.TestSocketUtils;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * Base of the tests that run the whole sample application. The client's default
 * base-url is {@code http://localhost:${server.port}/upstream}, so the server must listen
 * on the port the property names: each application context gets a free port chosen
 * here, as {@code server.port}, instead of a random port the property would not know.
 * Subclasses without their own properties share one application context.
 */
@SpringBootTest(webEnvironment = WebEnvironment.DEFINED_PORT)
public abstract class DefinedPortTests {

	@LocalServerPort
	protected int port;

	/** A client of the running application, on a new connection for every request. */
	protected WebTestClient client;

	@DynamicPropertySource
	static void serverPort(DynamicPropertyRegistry registry) {
		// Called once per application context, so contexts kept in the cache never clash.
		int port = TestSocketUtils.findAvailableTcpPort();
		registry.add("server.port", () -> port);
	}

	@BeforeEach
	void buildClient() {
		// No keep-alive: Reactor Netty 1.3.6's server can stall a reused connection when a
		// request arrives before the previous one's operations have terminated
		// (reactor/reactor-netty#4361), which back-to-back test requests provoke.
		this.client = WebTestClient.bindToServer(new ReactorClientHttpConnector(HttpClient.newConnection()))
			.baseUrl("http://localhost:" + this.port)
			.responseTimeout(Duration.ofSeconds(60))
			.build();
	}

}
