package io.lionfuncs.benchmarks.report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Start-up cost of the starter: a minimal Spring Boot application started with the
 * lionfuncs auto-configurations and without them (excluded, same class path), each start
 * in a fresh JVM ({@link StartupProbe}), in alternating pairs after one pair that warms
 * the file cache. The application is a WebFlux service, as the starter's users run.
 * <p>
 * Fresh JVMs, because that is how an application starts: the starter's classes (and
 * the Reactor Netty, Resilience4j and Bucket4j classes its beans load) are loaded and
 * run cold. Started again in one JVM, a context finds them loaded and compiled, and the
 * difference shrinks to the bean wiring alone.
 * <p>
 * Figures: the medians of each side's start time ({@code SpringApplication.run}), and
 * the median of each pair's difference; likewise for the CPU time of the starting
 * thread, which other processes competing for the CPUs do not inflate.
 */
final class StartupScenario implements Scenario {

	private static final int PAIRS = 9;

	private static final String WEB_TYPE = "reactive";

	private static final long PROBE_TIMEOUT_SECONDS = 120;

	@Override
	public String name() {
		return "startup";
	}

	@Override
	public Map<String, Object> run() throws Exception {
		Path result = Files.createTempFile("lionfuncs-startup", ".txt");
		Path log = Path.of(result + ".log");
		try {
			return measure(result, log);
		}
		finally {
			Files.deleteIfExists(result);
			Files.deleteIfExists(log);
		}
	}

	private static Map<String, Object> measure(Path result, Path log) throws Exception {
		start(StartupProbe.WITH, result, log);
		start(StartupProbe.WITHOUT, result, log);
		Start[] with = new Start[PAIRS];
		Start[] without = new Start[PAIRS];
		for (int i = 0; i < PAIRS; i++) {
			// Alternate which side goes first, so that neither always follows the other.
			if (i % 2 == 0) {
				with[i] = start(StartupProbe.WITH, result, log);
				without[i] = start(StartupProbe.WITHOUT, result, log);
			}
			else {
				without[i] = start(StartupProbe.WITHOUT, result, log);
				with[i] = start(StartupProbe.WITH, result, log);
			}
		}
		double[] withMillis = new double[PAIRS];
		double[] withoutMillis = new double[PAIRS];
		double[] added = new double[PAIRS];
		double[] addedCpu = new double[PAIRS];
		for (int i = 0; i < PAIRS; i++) {
			withMillis[i] = with[i].millis();
			withoutMillis[i] = without[i].millis();
			added[i] = with[i].millis() - without[i].millis();
			addedCpu[i] = with[i].cpuMillis() - without[i].cpuMillis();
		}
		Map<String, Object> figures = new LinkedHashMap<>();
		figures.put("startup.millis", Stats.round(Stats.median(withMillis), 1));
		figures.put("startup.baselineMillis", Stats.round(Stats.median(withoutMillis), 1));
		figures.put("startup.addedMillis", Stats.round(Stats.median(added), 1));
		figures.put("startup.addedCpuMillis", Stats.round(Stats.median(addedCpu), 1));
		Map<String, Object> rounds = new LinkedHashMap<>();
		rounds.put("millis", Stats.rounded(withMillis));
		rounds.put("baselineMillis", Stats.rounded(withoutMillis));
		figures.put("startup.pairs", rounds);
		return figures;
	}

	/**
	 * Starts the application once in a new JVM.
	 */
	private static Start start(String mode, Path result, Path log) throws Exception {
		Files.writeString(result, "");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
				StartupProbe.class.getName(), mode, WEB_TYPE, result.toString())
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		try {
			if (!process.waitFor(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
				throw new IllegalStateException("Start-up probe '" + mode + "' did not finish within "
						+ PROBE_TIMEOUT_SECONDS + " s: " + Files.readString(log));
			}
			String[] values = Files.readString(result).trim().split(" ");
			if (process.exitValue() != 0 || values.length != 3) {
				throw new IllegalStateException("Start-up probe '" + mode + "' failed (exit "
						+ process.exitValue() + "): " + Files.readString(log));
			}
			int executors = Integer.parseInt(values[2]);
			if ((executors > 0) != mode.equals(StartupProbe.WITH)) {
				throw new IllegalStateException(
						"Start-up probe '" + mode + "' found " + executors + " lionfuncs executors");
			}
			return new Start(Long.parseLong(values[0]) / 1e6, Long.parseLong(values[1]) / 1e6);
		}
		finally {
			process.destroyForcibly();
		}
	}

	private record Start(double millis, double cpuMillis) {

	}

}
