package io.lionfuncs.benchmarks;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

import io.lionfuncs.benchmarks.report.PerformanceReport;

/**
 * Entry point of the benchmarks jar: {@code report [--out FILE] [--only NAMES]} runs the
 * end-to-end scenarios (all, or the comma-separated names given) and writes their
 * figures as JSON; anything else is passed to JMH.
 */
public final class BenchmarkMain {

	private BenchmarkMain() {
	}

	public static void main(String[] args) throws Exception {
		if (args.length > 0 && args[0].equals("report")) {
			Path out = Path.of("target", "bench.json");
			Set<String> only = Set.of();
			for (int i = 1; i < args.length; i++) {
				if (args[i].equals("--out") && i + 1 < args.length) {
					out = Path.of(args[++i]);
				}
				else if (args[i].equals("--only") && i + 1 < args.length) {
					only = Set.of(args[++i].split(","));
				}
				else {
					throw new IllegalArgumentException("Unknown report option " + args[i]
							+ "; use report [--out FILE] [--only dispatch,memory,rate,tokens,http,streaming,events,spool,webhook,wire,startup,redis]");
				}
			}
			new PerformanceReport(only).run(out);
			return;
		}
		org.openjdk.jmh.Main.main(Arrays.copyOf(args, args.length));
	}

}
