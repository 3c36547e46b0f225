package io.lionfuncs.reliability;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.lionfuncs.reliability.ShutdownWebApplication.Answer;
import io.lionfuncs.reliability.ShutdownWebApplication.BurstController;
import io.lionfuncs.reliability.Upstream.Reply;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.awaitility.Awaitility.await;

/**
 * Base for the tests that close a running {@link ShutdownWebApplication} while a web
 * request waits on a burst of queued calls: an upstream of the test class's own that
 * answers every call after 50 ms, a spool directory, and the steps the tests share.
 * Subclasses declare the {@code @SpringBootTest} with their shutdown properties and
 * {@link ClosesItsContext}.
 */
abstract class AbstractShutdownWebApplicationTests {

	private static @Nullable Upstream upstream;

	@TempDir
	static Path spool;

	@LocalServerPort
	protected int port;

	@Autowired
	private ConfigurableApplicationContext context;

	@Autowired
	protected BurstController controller;

	@BeforeAll
	static void startUpstream() {
		// before the context, which reads the upstream's address when it starts
		upstream = new Upstream("shutdown-upstream", (request) -> Reply.ok().after(Duration.ofMillis(50)));
	}

	@DynamicPropertySource
	static void properties(DynamicPropertyRegistry registry) {
		registry.add("lionfuncs.client.base-url", () -> upstream().baseUrl());
		registry.add("lionfuncs.events.spool-directory", () -> spool.toString());
	}

	@AfterAll
	static void stopUpstream() {
		upstream().close();
		upstream = null;
	}

	static Upstream upstream() {
		Upstream started = upstream;
		if (started == null) {
			throw new IllegalStateException("The upstream runs only while a test class does");
		}
		return started;
	}

	/**
	 * Sends the web request that makes {@code calls} calls and waits until the upstream
	 * has received {@code received} of them, so that the close starts with calls queued.
	 */
	protected CompletableFuture<Answer> burstUntilUpstreamReceived(int calls, int received) {
		CompletableFuture<Answer> answer = ShutdownWebApplication.burst(this.port, calls);
		await().atMost(Duration.ofSeconds(20)).until(() -> upstream().requests() >= received);
		return answer;
	}

	/** Closes the application context on another thread, as a shutdown hook would. */
	protected CompletableFuture<Void> closeContext() {
		return CompletableFuture.runAsync(this.context::close);
	}

}
