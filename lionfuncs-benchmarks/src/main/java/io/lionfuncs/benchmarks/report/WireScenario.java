package io.lionfuncs.benchmarks.report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;

/**
 * Precision where the provider judges it: at the server, by arrival time, from the first
 * call of a freshly started JVM. A {@link LimitedUpstream} with a strict token bucket of
 * the executor's rate and its burst plus {@value #SPARE} (an independent limiter
 * configured like the executor, with a little room for the network) answers
 * {@code 429} beyond it. A {@link WireProbe} JVM, a WebFlux service with the starter,
 * fires its calls the instant it is started ({@code cold}), and again once warm
 * ({@code warm}).
 * <p>
 * Figures per shape and phase, over {@value #RUNS} fresh JVMs: the requests the server
 * rejected (target 0); the busiest window of {@code T} = 100 ms and 1 s at the server
 * against {@code capacity + rate × T}; and {@code burstNeeded}, the smallest capacity of a
 * bucket of the executor's rate that would have let every arrival through (at most the
 * executor's burst when arrivals keep its shape exactly).
 * <p>
 * The system property {@code lionfuncs.benchmarks.probe-classpath} gives the probe JVMs
 * another class path (a build to compare with), this JVM's by default.
 */
final class WireScenario implements Scenario {

	static final int SPARE = 3;

	private static final int RUNS = 3;

	private static final long PROBE_TIMEOUT_SECONDS = 180;

	private static final List<Duration> WINDOWS = List.of(Duration.ofMillis(100), Duration.ofSeconds(1));

	private static final List<Shape> SHAPES = List.of(new Shape("wire", 50, 5, 300),
			new Shape("wire.fast", 200, 10, 1000));

	@Override
	public String name() {
		return "wire";
	}

	@Override
	public Map<String, Object> run() throws Exception {
		Map<String, Object> figures = new LinkedHashMap<>();
		try (LimitedUpstream upstream = LimitedUpstream.start()) {
			warmUp(upstream);
			for (Shape shape : SHAPES) {
				List<List<LimitedUpstream.Arrival>> cold = new ArrayList<>();
				List<List<LimitedUpstream.Arrival>> warm = new ArrayList<>();
				for (int run = 0; run < RUNS; run++) {
					probe(upstream, shape, cold, warm);
				}
				figures.putAll(figures(shape, "cold", cold));
				figures.putAll(figures(shape, "warm", warm));
			}
		}
		return figures;
	}

	/**
	 * Loads and compiles the server's own code, so that its first requests are not
	 * judged late.
	 */
	private static void warmUp(LimitedUpstream upstream) {
		upstream.reset(Long.MAX_VALUE / 2.0, 1e9);
		HttpClient client = HttpClient.create().baseUrl(upstream.baseUrl());
		Flux.range(0, 2000)
			.flatMap((i) -> client.get().uri(LimitedUpstream.PATH).responseContent().aggregate().asString(), 8)
			.blockLast(Duration.ofMinutes(1));
	}

	private static void probe(LimitedUpstream upstream, Shape shape, List<List<LimitedUpstream.Arrival>> cold,
			List<List<LimitedUpstream.Arrival>> warm) throws Exception {
		Path log = Files.createTempFile("lionfuncs-wire", ".log");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		String classpath = System.getProperty("lionfuncs.benchmarks.probe-classpath",
				System.getProperty("java.class.path"));
		upstream.reset(shape.burst() + SPARE, shape.rate());
		Process process = new ProcessBuilder(java, "-cp", classpath, WireProbe.class.getName(), upstream.baseUrl(),
				Integer.toString(shape.rate()), Integer.toString(shape.burst()), Integer.toString(shape.calls()))
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		try {
			awaitLine(process, log, "COLD ");
			// The probe idles before its warm burst: the server's bucket fills meanwhile.
			cold.add(upstream.arrivals());
			upstream.reset(shape.burst() + SPARE, shape.rate());
			awaitLine(process, log, "WARM ");
			warm.add(upstream.arrivals());
			if (!process.waitFor(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
				throw new IllegalStateException("Wire probe did not exit: " + Files.readString(log));
			}
		}
		finally {
			process.destroyForcibly();
			Files.deleteIfExists(log);
		}
	}

	private static void awaitLine(Process process, Path log, String prefix) throws Exception {
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(PROBE_TIMEOUT_SECONDS);
		while (Files.readAllLines(log).stream().noneMatch((line) -> line.startsWith(prefix))) {
			if (!process.isAlive() || System.nanoTime() > deadline) {
				throw new IllegalStateException("Wire probe did not print " + prefix.trim() + " (exit "
						+ (process.isAlive() ? "none" : process.exitValue()) + "): " + Files.readString(log));
			}
			Thread.sleep(10);
		}
	}

	private static Map<String, Object> figures(Shape shape, String phase, List<List<LimitedUpstream.Arrival>> runs) {
		String prefix = shape.name() + "." + phase + ".";
		List<Long> rejected = new ArrayList<>();
		List<Long> arrivals = new ArrayList<>();
		List<Double> burstNeeded = new ArrayList<>();
		Map<Duration, List<Integer>> busiest = new LinkedHashMap<>();
		for (List<LimitedUpstream.Arrival> run : runs) {
			long[] nanos = run.stream().mapToLong(LimitedUpstream.Arrival::nanos).sorted().toArray();
			rejected.add(run.stream().filter((arrival) -> !arrival.allowed()).count());
			arrivals.add((long) nanos.length);
			burstNeeded.add(Stats.round(burstNeeded(nanos, shape.rate()), 2));
			for (Duration window : WINDOWS) {
				busiest.computeIfAbsent(window, (key) -> new ArrayList<>()).add(busiest(nanos, window));
			}
		}
		Map<String, Object> figures = new LinkedHashMap<>();
		figures.put(prefix + "rejected", rejected);
		figures.put(prefix + "arrivals", arrivals);
		figures.put(prefix + "burstNeeded", burstNeeded);
		figures.put(prefix + "burst", shape.burst());
		busiest.forEach((window, counts) -> {
			String name = window.toMillis() + "ms";
			figures.put(prefix + "busiest" + name, counts);
			figures.put(prefix + "bound" + name,
					Stats.round(shape.burst() + shape.rate() * window.toNanos() / 1e9, 1));
		});
		return figures;
	}

	/**
	 * The most arrivals in any closed window {@code [t, t + window]}.
	 */
	static int busiest(long[] sortedNanos, Duration window) {
		int max = 0;
		int end = 0;
		for (int begin = 0; begin < sortedNanos.length; begin++) {
			while (end < sortedNanos.length && sortedNanos[end] - sortedNanos[begin] <= window.toNanos()) {
				end++;
			}
			max = Math.max(max, end - begin);
		}
		return max;
	}

	/**
	 * The smallest capacity of a bucket refilling at the given rate, full at the first
	 * arrival, that lets every arrival through: the most arrivals in any window beyond
	 * what the rate adds during it, {@code max(j - i + 1 - rate × (t[j] - t[i]))}.
	 */
	static double burstNeeded(long[] sortedNanos, double perSecond) {
		double needed = 0;
		// The running maximum of (rate x t[i] - i) over i <= j gives every window ending at j.
		double best = Double.NEGATIVE_INFINITY;
		for (int j = 0; j < sortedNanos.length; j++) {
			double at = perSecond * sortedNanos[j] / 1e9;
			best = Math.max(best, at - j);
			needed = Math.max(needed, j + 1 - at + best);
		}
		return needed;
	}

	/**
	 * An executor's request bucket and the calls fired through it.
	 */
	private record Shape(String name, int rate, int burst, int calls) {

	}

}
