package io.lionfuncs.benchmarks.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * The application the {@link WireScenario} starts in a JVM of its own:
 * {@code WireProbe BASE_URL RATE BURST CALLS}. A WebFlux service with the starter's
 * auto-configuration, its default client pointed at the base URL and its executor
 * limited to {@code RATE} requests per second with a burst of {@code BURST}. The instant
 * {@link SpringApplication#run} returns it submits {@code CALLS} calls through the
 * default client and executor, waits until they are terminal and prints
 * {@code COLD <completed> <failed>}; after an idle second it does so again on the warm
 * JVM and prints {@code WARM <completed> <failed>}. Retries are off, so that every call
 * is one request at the server.
 */
public final class WireProbe {

	private static final long IDLE_MILLIS = 1500;

	private WireProbe() {
	}

	public static void main(String[] args) throws Exception {
		if (args.length != 4) {
			throw new IllegalArgumentException("Use WireProbe BASE_URL RATE BURST CALLS");
		}
		int calls = Integer.parseInt(args[3]);
		SpringApplication application = new SpringApplication(ProbeApplication.class);
		application.setWebApplicationType(WebApplicationType.REACTIVE);
		application.setBannerMode(Banner.Mode.OFF);
		application.setLogStartupInfo(false);
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("logging.level.root", "WARN");
		properties.put("server.port", "0");
		properties.put("spring.application.name", "wire-probe");
		properties.put("lionfuncs.client.base-url", args[0]);
		properties.put("lionfuncs.client.retry.enabled", "false");
		properties.put("lionfuncs.executor.requests-rate", args[1]);
		properties.put("lionfuncs.executor.requests-bucket-capacity", args[2]);
		properties.put("lionfuncs.executor.concurrency-limit", "16");
		properties.put("lionfuncs.executor.queue-capacity", Integer.toString(calls));
		application.setDefaultProperties(properties);
		ConfigurableApplicationContext context = application.run();
		Executor executor = context.getBean(Executor.class);
		AsyncApiClient client = context.getBean(AsyncApiClient.class);
		burst("COLD", client, executor, calls);
		Thread.sleep(IDLE_MILLIS);
		burst("WARM", client, executor, calls);
		// Only the bursts are measured: a graceful close would spend seconds in Reactor
		// Netty's quiet period.
		Runtime.getRuntime().halt(0);
	}

	private static void burst(String phase, AsyncApiClient client, Executor executor, int calls) throws Exception {
		ApiRequest request = ApiRequest.get(LimitedUpstream.PATH).build();
		List<NetworkRequestEvent> events = new ArrayList<>(calls);
		for (int i = 0; i < calls; i++) {
			events.add(client.submitTask(executor, request));
		}
		CompletableFuture.allOf(events.stream().map(NetworkRequestEvent::completion)
			.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
		long completed = events.stream().filter((event) -> event.getStatus() == RequestStatus.COMPLETED).count();
		System.out.println(phase + " " + completed + " " + (calls - completed));
		System.out.flush();
	}

	/**
	 * The application: auto-configuration only, no component scan.
	 */
	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class ProbeApplication {

	}

}
