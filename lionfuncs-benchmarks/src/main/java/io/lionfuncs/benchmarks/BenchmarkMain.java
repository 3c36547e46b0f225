package io.lionfuncs.benchmarks;

import java.nio.file.Path;
import java.util.Arrays;

import io.lionfuncs.benchmarks.report.PerformanceReport;

/**
 * Entry point of the benchmarks jar: {@code report [--out FILE]} runs the end-to-end
 * scenarios and writes their figures as JSON; anything else is passed to JMH.
 */
public final class BenchmarkMain {

	private BenchmarkMain() {
	}

	public static void main(String[] args) throws Exception {
		if (args.length > 0 && args[0].equals("report")) {
			Path out = Path.of("target", "bench.json");
			for (int i = 1; i < args.length; i++) {
				if (args[i].equals("--out") && i + 1 < args.length) {
					out = Path.of(args[++i]);
				}
			}
			new PerformanceReport().run(out);
			return;
		}
		org.openjdk.jmh.Main.main(Arrays.copyOf(args, args.length));
	}

}
