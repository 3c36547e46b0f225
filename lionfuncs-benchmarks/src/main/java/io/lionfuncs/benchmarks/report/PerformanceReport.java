package io.lionfuncs.benchmarks.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs every end-to-end scenario, each side by side with its baseline, and writes one
 * JSON object of figures.
 */
public final class PerformanceReport {

	private final Map<String, Object> figures = new LinkedHashMap<>();

	public void run(Path out) throws Exception {
		long started = System.nanoTime();
		put(new RatePrecisionScenario().requests());
		put(new RatePrecisionScenario().apiTokens());
		this.figures.put("machine", Machine.describe());
		this.figures.put("report.seconds", Math.round((System.nanoTime() - started) / 1e7) / 100.0);
		write(out);
	}

	private void put(Map<String, Object> scenarioFigures) {
		this.figures.putAll(scenarioFigures);
		scenarioFigures.forEach((name, value) -> System.out.printf("%-32s %s%n", name, value));
	}

	private void write(Path out) throws IOException {
		if (out.getParent() != null) {
			Files.createDirectories(out.getParent());
		}
		JsonMapper mapper = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
		Files.writeString(out, mapper.writeValueAsString(this.figures) + System.lineSeparator());
		System.out.println("Wrote " + out.toAbsolutePath());
	}

}
