package io.lionfuncs.benchmarks.report;

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

}
