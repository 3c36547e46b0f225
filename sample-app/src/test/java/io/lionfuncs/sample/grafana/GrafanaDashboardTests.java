package io.lionfuncs.sample.grafana;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.lionfuncs.sample.DefinedPortTests;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.MediaType;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Grafana dashboard checked in beside the app ({@code grafana/lionfuncs-dashboard.json})
 * queries only metrics, and labels, that {@code /actuator/prometheus} really exposes
 * once the app has made some calls.
 */
class GrafanaDashboardTests extends DefinedPortTests {

	private static final Path DASHBOARD = Path.of("grafana", "lionfuncs-dashboard.json");

	private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)}");

	private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)");

	private static final Pattern LABEL_VALUES = Pattern
		.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*(?:\\{[^}]*})?\\s*,\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*\\)");

	private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

	private static final Set<String> KEYWORDS = Set.of("bool", "offset", "and", "or", "unless");

	@BeforeEach
	void makeSomeCalls() {
		this.client.post().uri("/demo/burst?count=3&tokens=50").exchange().expectStatus().isOk().expectBody(Void.class);
		this.client.post().uri("/demo/burst?count=1&tokens=50&path=/v1/missing").exchange().expectStatus().isOk().expectBody(Void.class);
	}

	@Test
	void everyQueriedMetricAndLabelIsExposed() throws IOException {
		Map<String, Set<String>> exposed = exposedMetricLabels();
		JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
		List<String> expressions = expressions(dashboard);
		assertThat(expressions).hasSizeGreaterThanOrEqualTo(15);
		Set<String> queried = new LinkedHashSet<>();
		for (String expression : expressions) {
			Set<String> names = metricNames(expression);
			assertThat(names).as("metrics in %s", expression).isNotEmpty();
			queried.addAll(names);
			Matcher selector = SELECTOR.matcher(expression);
			while (selector.find()) {
				Matcher label = MATCHER.matcher(selector.group(2));
				while (label.find()) {
					assertThat(exposed.getOrDefault(selector.group(1), Set.of()))
						.as("labels of %s in %s", selector.group(1), expression)
						.contains(label.group(1));
				}
			}
		}
		for (JsonNode variable : dashboard.path("templating").path("list")) {
			Matcher labelValues = LABEL_VALUES.matcher(variable.path("query").asString(""));
			if (labelValues.find()) {
				queried.add(labelValues.group(1));
				assertThat(exposed.getOrDefault(labelValues.group(1), Set.of()))
					.as("labels of %s in variable %s", labelValues.group(1), variable.path("name").asString())
					.contains(labelValues.group(2));
			}
		}
		assertThat(queried).contains("lionfuncs_executor_queued_tasks", "lionfuncs_executor_queue_remaining_tasks",
				"lionfuncs_executor_active_requests", "lionfuncs_executor_rejected_tasks_total",
				"lionfuncs_ratelimiter_available_tokens", "lionfuncs_ratelimiter_wait_seconds_sum",
				"lionfuncs_ratelimiter_wait_seconds_count", "lionfuncs_requests_seconds_count",
				"lionfuncs_requests_seconds_sum", "lionfuncs_requests_seconds_max");
		assertThat(exposed.keySet()).as("metrics exposed by /actuator/prometheus").containsAll(queried);
	}

	@Test
	void everyPanelUsesTheDashboardsDataSource() throws IOException {
		JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
		Set<Integer> ids = new HashSet<>();
		for (JsonNode panel : dashboard.path("panels")) {
			assertThat(panel.path("datasource").path("uid").asString()).isEqualTo("${datasource}");
			assertThat(ids.add(panel.path("id").asInt())).as("unique panel id").isTrue();
			assertThat(panel.path("targets")).isNotEmpty();
		}
	}

	/** Every {@code expr} of every panel target. */
	private static List<String> expressions(JsonNode dashboard) {
		List<String> expressions = new ArrayList<>();
		for (JsonNode panel : dashboard.path("panels")) {
			for (JsonNode target : panel.path("targets")) {
				expressions.add(target.path("expr").asString());
			}
		}
		return expressions;
	}

	/**
	 * The metric names a PromQL expression reads: what is left once strings, label
	 * matchers, ranges, grouping clauses and function names are taken away.
	 */
	private static Set<String> metricNames(String expression) {
		String stripped = expression.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
			.replaceAll("\\{[^}]*}", " ")
			.replaceAll("\\[[^]]*]", " ")
			.replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
			.replaceAll("\\b[a-z_]+\\s*\\(", " (")
			.replaceAll("\\b\\d+(\\.\\d+)?\\b", " ");
		Set<String> names = new LinkedHashSet<>();
		Matcher identifier = IDENTIFIER.matcher(stripped);
		while (identifier.find()) {
			if (!KEYWORDS.contains(identifier.group())) {
				names.add(identifier.group());
			}
		}
		return names;
	}

	/** Sample names in the Prometheus text format, with the label names seen on each. */
	private Map<String, Set<String>> exposedMetricLabels() {
		String text = this.client.get()
			.uri("/actuator/prometheus")
			.accept(MediaType.TEXT_PLAIN)
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(text).isNotBlank();
		Map<String, Set<String>> exposed = new HashMap<>();
		// Label values may hold braces (URI templates), so a label set ends at a brace outside quotes.
		Pattern sample = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{((?:[^\"}]|\"(?:[^\"\\\\]|\\\\.)*\")*)})?\\s");
		Pattern label = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");
		for (String line : text.split("\n")) {
			Matcher matcher = sample.matcher(line);
			if (line.startsWith("#") || !matcher.find()) {
				continue;
			}
			Set<String> labels = exposed.computeIfAbsent(matcher.group(1), (name) -> new HashSet<>());
			if (matcher.group(3) != null) {
				Matcher labelMatcher = label.matcher(matcher.group(3));
				while (labelMatcher.find()) {
					labels.add(labelMatcher.group(1));
				}
			}
		}
		return exposed;
	}

}
