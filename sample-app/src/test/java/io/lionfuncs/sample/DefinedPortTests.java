package io.lionfuncs.sample;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.util.TestSocketUtils;

/**
 * Base of the tests that run the whole sample application. The client's default
 * base-url is {@code http://localhost:${server.port}/upstream}, so the server must listen
 * on the port the property names: each application context gets a free port chosen
 * here, as {@code server.port}, instead of a random port the property would not know.
 * Subclasses without their own properties share one application context.
 * <p>
 * Read or discard ({@code expectBody(Void.class)}) every response body: an unread body
 * keeps its connection out of the pool that all the contexts' clients share.
 */
@SpringBootTest(webEnvironment = WebEnvironment.DEFINED_PORT)
@AutoConfigureWebTestClient(timeout = "60s")
public abstract class DefinedPortTests {

	@DynamicPropertySource
	static void serverPort(DynamicPropertyRegistry registry) {
		// Called once per application context, so contexts kept in the cache never clash.
		int port = TestSocketUtils.findAvailableTcpPort();
		registry.add("server.port", () -> port);
	}

}
