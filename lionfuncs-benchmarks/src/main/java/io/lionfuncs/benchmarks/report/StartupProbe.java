package io.lionfuncs.benchmarks.report;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.lionfuncs.network.Executor;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.context.annotation.ImportCandidates;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One start of a minimal Spring Boot application, run in a JVM of its own by the
 * {@link StartupScenario}: {@code StartupProbe with|without reactive|none RESULT_FILE}.
 * The application has the starter on its class path either way; {@code without}
 * excludes every lionfuncs auto-configuration. {@code reactive} makes it a WebFlux
 * service on a free port, {@code none} a non-web application.
 * <p>
 * Written to the result file: the time {@link SpringApplication#run} takes (what Spring
 * Boot logs as "Started in"), the CPU time the main thread spent in it (which waiting for
 * a CPU taken by other processes does not inflate), and the number of lionfuncs
 * executors the context holds, so that the scenario can check what it measured.
 */
public final class StartupProbe {

	static final String WITH = "with";

	static final String WITHOUT = "without";

	private StartupProbe() {
	}

	public static void main(String[] args) throws IOException {
		if (args.length != 3 || !(args[0].equals(WITH) || args[0].equals(WITHOUT))) {
			throw new IllegalArgumentException("Use StartupProbe with|without reactive|none RESULT_FILE");
		}
		SpringApplication application = new SpringApplication(ProbeApplication.class);
		application.setWebApplicationType(WebApplicationType.valueOf(args[1].toUpperCase(Locale.ROOT)));
		application.setBannerMode(Banner.Mode.OFF);
		application.setLogStartupInfo(false);
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("logging.level.root", "WARN");
		properties.put("server.port", "0");
		// The starter's client as an application would configure it; ignored when excluded.
		properties.put("lionfuncs.client.base-url", "http://127.0.0.1:9");
		if (args[0].equals(WITHOUT)) {
			properties.put("spring.autoconfigure.exclude", String.join(",", lionfuncsAutoConfigurations()));
		}
		application.setDefaultProperties(properties);
		ThreadMXBean threads = ManagementFactory.getThreadMXBean();
		long cpuStarted = threads.getCurrentThreadCpuTime();
		long started = System.nanoTime();
		ConfigurableApplicationContext context = application.run();
		long startNanos = System.nanoTime() - started;
		long cpuNanos = threads.getCurrentThreadCpuTime() - cpuStarted;
		int executors = context.getBeanNamesForType(Executor.class).length;
		Files.writeString(Path.of(args[2]), startNanos + " " + cpuNanos + " " + executors);
		// Only the start is measured: a graceful close would spend seconds in Reactor
		// Netty's quiet period for each of the scenario's JVMs.
		Runtime.getRuntime().halt(0);
	}

	static List<String> lionfuncsAutoConfigurations() {
		return ImportCandidates.load(AutoConfiguration.class, StartupProbe.class.getClassLoader())
			.getCandidates()
			.stream()
			.filter((name) -> name.startsWith("io.lionfuncs."))
			.toList();
	}

	/**
	 * The application: auto-configuration only, no component scan.
	 */
	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class ProbeApplication {

	}

}
