package io.lionfuncs.intercept;

import io.lionfuncs.autoconfigure.LionfuncsClients;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import org.springframework.ai.chat.client.ChatClient;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Base for the tests of a Spring AI application whose chat client the starter governs:
 * a fake provider of the test class's own, started before its application context
 * (which reads the provider's address), the check of the OkHttp the run expects, and
 * the beans the tests use. Subclasses declare the {@code @SpringBootTest} with the
 * provider's properties and register its address.
 */
abstract class AbstractSpringAiInterceptTests {

	private static @Nullable FakeProvider provider;

	@Autowired
	protected ChatClient.Builder chatClientBuilder;

	@Autowired
	protected LionfuncsClients clients;

	@BeforeAll
	static void startProvider() {
		OkHttpVersion.check();
		provider = new FakeProvider();
	}

	@AfterAll
	static void stopProvider() {
		provider().close();
		provider = null;
	}

	static FakeProvider provider() {
		FakeProvider started = provider;
		if (started == null) {
			throw new IllegalStateException("The fake provider runs only while a test class does");
		}
		return started;
	}

}
