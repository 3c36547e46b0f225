package io.lionfuncs.benchmarks.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs every end-to-end scenario, each side by side with its baseline, and writes one
 * JSON object of figures.
 */
public final class PerformanceReport {

	private static final Logger logger = LoggerFactory.getLogger(PerformanceReport.class);

	private final Map<String, Object> figures = new LinkedHashMap<>();

	private final Set<String> only;

	/**
	 * A report of every scenario.
	 */
	public PerformanceReport() {
		this(Set.of());
	}

	/**
	 * A report of some scenarios, for quicker runs while tuning.
	 * @param only the names of the scenarios to run ({@code dispatch}, {@code memory},
	 * {@code rate}, {@code tokens}, {@code http}, {@code streaming}, {@code events}, {@code spool},
	 * {@code webhook}, {@code wire}, {@code startup}, {@code redis}); empty
	 * for all
	 */
	public PerformanceReport(Set<String> only) {
		this.only = Set.copyOf(only);
	}

	/**
	 * The scenarios, in the order they run: the throughput one first, on a fresh heap.
	 * To add figures, add a {@link Scenario} here.
	 */
	private static List<Scenario> scenarios() {
		return List.of(new DispatchScenario(), new QueuedMemoryScenario(), RatePrecisionScenario.requestsBucket(),
				RatePrecisionScenario.apiTokensBucket(), new BudgetAccuracyScenario(), new HttpScenario(),
				new StreamingScenario(), new EventsScenario(), new SpoolScenario(), new WebhookScenario(),
				new WireScenario(), new StartupScenario(), new RedisJoinScenario());
	}

	/**
	 * Runs the scenarios and writes their figures.
	 * @param out the JSON file to write
	 * @throws Exception if a scenario failed
	 */
	public void run(Path out) throws Exception {
		long started = System.nanoTime();
		Map<String, Object> load = new LinkedHashMap<>();
		load.put("start", Machine.loadAverage());
		Map<String, Object> seconds = new LinkedHashMap<>();
		for (Scenario scenario : scenarios()) {
			if (!this.only.isEmpty() && !this.only.contains(scenario.name())) {
				continue;
			}
			long scenarioStarted = System.nanoTime();
			put(scenario.run());
			seconds.put(scenario.name(), secondsSince(scenarioStarted));
		}
		load.put("end", Machine.loadAverage());
		this.figures.put("machine", Machine.describe());
		this.figures.put("machine.loadAverage", load);
		this.figures.put("report.scenarioSeconds", seconds);
		this.figures.put("report.seconds", secondsSince(started));
		write(out);
	}

	private static double secondsSince(long startedNanos) {
		return Stats.round((System.nanoTime() - startedNanos) / 1e9, 2);
	}

	private void put(Map<String, Object> scenarioFigures) {
		this.figures.putAll(scenarioFigures);
		scenarioFigures.forEach((name, value) -> logger.info(String.format("%-32s %s", name, value)));
	}

	private void write(Path out) throws IOException {
		if (out.getParent() != null) {
			Files.createDirectories(out.getParent());
		}
		JsonMapper mapper = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
		Files.writeString(out, mapper.writeValueAsString(this.figures) + System.lineSeparator());
		logger.info("Wrote {}", out.toAbsolutePath());
	}

}
