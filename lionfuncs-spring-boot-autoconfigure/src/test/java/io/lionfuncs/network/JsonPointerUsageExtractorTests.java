package io.lionfuncs.network;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.lionfuncs.network.budget.BudgetSettings;
import io.lionfuncs.network.budget.InvalidExecutorSettingException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for the {@link UsageExtractor} over JSON pointers, and the validation of
 * {@link BudgetSettings}.
 */
class JsonPointerUsageExtractorTests {

	private static final String OPENAI = "{\"id\":\"c1\",\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":12,"
			+ "\"total_tokens\":21}}";

	private static final String ANTHROPIC = "{\"id\":\"m1\",\"usage\":{\"input_tokens\":30,\"output_tokens\":70}}";

	private final UsageExtractor totals = UsageExtractor.jsonPointers(BudgetSettings.DEFAULT_USAGE_JSON_POINTERS);

	private final UsageExtractor inputAndOutput = UsageExtractor
		.jsonPointers(List.of("/usage/input_tokens", "/usage/output_tokens"));

	@Test
	void jacksonTreeBody() {
		CallResult result = CallResult.of(200, JsonMapper.shared().readTree(OPENAI));

		assertThat(this.totals.apiTokensUsed(result)).isEqualTo(21L);
	}

	@Test
	void pointersAreSummed() {
		CallResult result = CallResult.of(200, JsonMapper.shared().readTree(ANTHROPIC));

		assertThat(this.inputAndOutput.apiTokensUsed(result)).isEqualTo(100L);
		assertThat(this.totals.apiTokensUsed(result)).as("absent pointer: usage unknown").isNull();
	}

	@Test
	void providerDefaultsReadOpenAiAnthropicAndOllamaUsage() {
		UsageExtractor defaults = UsageExtractor.providerDefaults();

		assertThat(defaults.apiTokensUsed(CallResult.of(200, OPENAI))).isEqualTo(21L);
		assertThat(defaults.apiTokensUsed(CallResult.of(200, ANTHROPIC.getBytes(StandardCharsets.UTF_8))))
			.isEqualTo(100L);
		assertThat(defaults.apiTokensUsed(CallResult.of(200,
				"{\"model\":\"llama3\",\"done\":true,\"prompt_eval_count\":26,\"eval_count\":290}")))
			.isEqualTo(316L);
		assertThat(defaults.apiTokensUsed(CallResult.of(200,
				Map.of("usage", Map.of("input_tokens", 5, "output_tokens", 7, "total_tokens", 12)))))
			.as("a total wins over its parts: nothing counted twice")
			.isEqualTo(12L);
		assertThat(defaults.apiTokensUsed(CallResult.of(200, "{\"id\":\"x\"}"))).isNull();
	}

	@Test
	void anExecutorWithTheDefaultPointerTruesUpAnthropicUsage() {
		Executor executor = new Executor(ExecutorSettings.builder().apiTokensRate(1000.0).build());
		executor.start();
		try {
			NetworkRequestEvent event = executor
				.submitTask(TaskRequest.ofStage(() -> java.util.concurrent.CompletableFuture
					.completedFuture(CallResult.of(200, ANTHROPIC))).numApiTokensNeeded(300).build())
				.completion()
				.join();

			assertThat(event.getApiTokensUsed()).isEqualTo(100L);
		}
		finally {
			executor.stop(false);
		}
	}

	@Test
	void mapBody() {
		CallResult result = CallResult.of(200,
				Map.of("usage", Map.of("input_tokens", 30, "output_tokens", 70.4), "choices", List.of()));

		assertThat(this.inputAndOutput.apiTokensUsed(result)).isEqualTo(100L);
		assertThat(UsageExtractor.jsonPointers(List.of("/choices/0/tokens")).apiTokensUsed(result)).isNull();
		assertThat(UsageExtractor.jsonPointers(List.of("/a~1b/c~0d"))
			.apiTokensUsed(CallResult.of(200, Map.of("a/b", Map.of("c~d", "17"))))).isEqualTo(17L);
		assertThat(UsageExtractor.jsonPointers(List.of("/items/1"))
			.apiTokensUsed(CallResult.of(200, Map.of("items", List.of(1, 2))))).isEqualTo(2L);
	}

	@Test
	void jsonTextBody() {
		assertThat(this.totals.apiTokensUsed(CallResult.of(200, OPENAI))).isEqualTo(21L);
		assertThat(this.inputAndOutput.apiTokensUsed(CallResult.of(200, ANTHROPIC.getBytes(StandardCharsets.UTF_8))))
			.isEqualTo(100L);
	}

	@Test
	void bodiesWithoutUsageAreUnknown() {
		assertThat(this.totals.apiTokensUsed(CallResult.of(200, null))).isNull();
		assertThat(this.totals.apiTokensUsed(CallResult.of(200, "plain text"))).isNull();
		assertThat(this.totals.apiTokensUsed(CallResult.of(200, "{not json"))).isNull();
		assertThat(this.totals.apiTokensUsed(CallResult.of(200, Map.of("usage", Map.of("total_tokens", -3))))).isNull();
		assertThat(this.totals.apiTokensUsed(CallResult.of(200, Map.of("usage", Map.of("total_tokens", "n/a")))))
			.isNull();
		assertThat(this.totals.apiTokensUsed(CallResult.of(200, 42))).isNull();
	}

	@Test
	void invalidPointersAreRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> UsageExtractor.jsonPointers(List.of("usage/total")));
		assertThatIllegalArgumentException().isThrownBy(() -> UsageExtractor.jsonPointers(List.of("/a~2")));
	}

	@Test
	void settingsNameTheInvalidSetting() {
		assertThatExceptionOfType(InvalidExecutorSettingException.class)
			.isThrownBy(() -> BudgetSettings.builder().usageJsonPointers(List.of("usage")).build())
			.satisfies((ex) -> assertThat(ex.getSetting()).isEqualTo("usage.jsonPointers"));
		assertThatExceptionOfType(InvalidExecutorSettingException.class)
			.isThrownBy(() -> BudgetSettings.builder().maxPause(Duration.ZERO).build())
			.satisfies((ex) -> assertThat(ex.getSetting()).isEqualTo("pause.maxDuration"));
		assertThatExceptionOfType(InvalidExecutorSettingException.class)
			.isThrownBy(() -> BudgetSettings.builder().defaultPause(Duration.ofSeconds(-1)).build())
			.satisfies((ex) -> assertThat(ex.getSetting()).isEqualTo("pause.defaultDuration"));
	}

	@Test
	void settingsDefaultsAndOffSwitch() {
		BudgetSettings defaults = BudgetSettings.defaults();
		assertThat(defaults.usageEnabled()).isTrue();
		assertThat(defaults.usageJsonPointers()).containsExactly("/usage/total_tokens");
		assertThat(defaults.providerHeadersEnabled()).isTrue();
		assertThat(defaults.pauseEnabled()).isTrue();
		assertThat(defaults.toBuilder().build()).isEqualTo(defaults);
		assertThat(BudgetSettings.disabled().readsResponses()).isFalse();
	}

}
