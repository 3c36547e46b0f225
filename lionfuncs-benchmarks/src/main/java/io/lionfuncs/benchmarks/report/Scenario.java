package io.lionfuncs.benchmarks.report;

import java.util.Map;

/**
 * One end-to-end measurement of the report: it runs its subject and its baseline side
 * by side and returns its figures under their published names (for example
 * {@code dispatch.tasksPerSecond}). Adding a figure to the report means adding one
 * implementation and listing it in {@link PerformanceReport}.
 */
interface Scenario {

	/**
	 * A short name for progress output.
	 * @return the name
	 */
	String name();

	/**
	 * Runs the scenario.
	 * @return the figures, in the order they should appear
	 * @throws Exception if the scenario could not run
	 */
	Map<String, Object> run() throws Exception;

}
