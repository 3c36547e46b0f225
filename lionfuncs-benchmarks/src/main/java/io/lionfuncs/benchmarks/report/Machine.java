package io.lionfuncs.benchmarks.report;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the figures were measured on.
 */
final class Machine {

	private Machine() {
	}

	static Map<String, Object> describe() {
		Map<String, Object> machine = new LinkedHashMap<>();
		machine.put("cpus", Runtime.getRuntime().availableProcessors());
		machine.put("maxHeapMb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
		machine.put("java", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version"));
		machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
		return machine;
	}

	/**
	 * The system load average over the last minute: runnable processes, ours included,
	 * compared with the number of CPUs it tells how much else competed for them.
	 * @return the load average, or -1 where it is not available
	 */
	static double loadAverage() {
		return Stats.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), 2);
	}

}
