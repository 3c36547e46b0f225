package io.lionfuncs.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.client.ApiRequest;
import io.lionfuncs.network.client.AsyncApiClient;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The process {@link ColdStartPrecisionTests} starts: an application with the starter's
 * auto-configuration, its default client pointed at {@code <url>} and its executor at
 * {@code <rate>} requests per second with a burst of {@code <burst>}. The instant it has
 * started it submits {@code <calls>} calls through the default client and executor,
 * waits until they are terminal, prints {@code DONE <completed> <failed>} and exits.
 * Retries are off, so that every call is one request at the server.
 * <p>
 * {@code ColdStartingChild <url> <rate> <burst> <calls>}
 */
public final class ColdStartingChild {

	private ColdStartingChild() {
	}

	public static void main(String[] args) throws Exception {
		int calls = Integer.parseInt(args[3]);
		SpringApplication application = new SpringApplication(ChildApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setBannerMode(Banner.Mode.OFF);
		application.setLogStartupInfo(false);
		application.setDefaultProperties(Map.of("logging.level.root", "WARN", "spring.application.name",
				"cold-starting-child", "lionfuncs.client.base-url", args[0], "lionfuncs.client.retry.enabled", "false",
				"lionfuncs.executor.requests-rate", args[1], "lionfuncs.executor.requests-bucket-capacity", args[2],
				"lionfuncs.executor.concurrency-limit", "16", "lionfuncs.executor.queue-capacity",
				Integer.toString(calls)));
		ConfigurableApplicationContext context = application.run();
		Executor executor = context.getBean(Executor.class);
		AsyncApiClient client = context.getBean(AsyncApiClient.class);
		List<NetworkRequestEvent> events = new ArrayList<>(calls);
		for (int i = 0; i < calls; i++) {
			events.add(client.submitTask(executor, ApiRequest.get("/v1/items/{id}", i).build()));
		}
		CompletableFuture.allOf(events.stream().map(NetworkRequestEvent::completion)
			.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
		long completed = events.stream().filter((event) -> event.getStatus() == RequestStatus.COMPLETED).count();
		System.out.println("DONE " + completed + " " + (calls - completed));
		System.out.flush();
		// What was measured is over: no need to spend the graceful close's seconds.
		Runtime.getRuntime().halt(0);
	}

	/**
	 * The application: auto-configuration only.
	 */
	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class ChildApplication {

	}

}
