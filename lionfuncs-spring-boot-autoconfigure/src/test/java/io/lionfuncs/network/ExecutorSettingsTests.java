package io.lionfuncs.network;

import java.time.Duration;

import io.lionfuncs.network.budget.InvalidExecutorSettingException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Tests for {@link ExecutorSettings}.
 */
class ExecutorSettingsTests {

	@Test
	void defaultsAreTheSeeds() {
		ExecutorSettings settings = ExecutorSettings.defaults();

		assertThat(settings.queueCapacity()).isEqualTo(1000);
		assertThat(settings.concurrencyLimit()).isEqualTo(10);
		assertThat(settings.requestsRate()).isEqualTo(10);
		assertThat(settings.requestsPeriod()).isEqualTo(Duration.ofSeconds(1));
		assertThat(settings.requestsBucketCapacity()).isEqualTo(10);
		assertThat(settings.apiTokensBucket()).isNull();
		assertThat(settings.apiTokensPeriod()).isEqualTo(Duration.ofSeconds(60));
		assertThat(settings.numWorkers()).isEqualTo(5);
		assertThat(settings.queueFullPolicy()).isEqualTo(QueueFullPolicy.REJECT);
		assertThat(settings.shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
	}

	@Test
	void bucketCapacitiesDefaultToTheRateRoundedUp() {
		ExecutorSettings settings = ExecutorSettings.builder().requestsRate(2.5).apiTokensRate(90_000.0).build();

		assertThat(settings.requestsBucketCapacity()).isEqualTo(3);
		assertThat(settings.apiTokensBucket().capacity()).isEqualTo(90_000);
	}

	@Test
	void invalidValuesNameTheSetting() {
		assertInvalid(ExecutorSettings.builder().requestsRate(-1), "requestsRate", "-1.0");
		assertInvalid(ExecutorSettings.builder().requestsRate(0), "requestsRate", "0.0");
		assertInvalid(ExecutorSettings.builder().queueCapacity(0), "queueCapacity", "0");
		assertInvalid(ExecutorSettings.builder().concurrencyLimit(-3), "concurrencyLimit", "-3");
		assertInvalid(ExecutorSettings.builder().numWorkers(0), "numWorkers", "0");
		assertInvalid(ExecutorSettings.builder().requestsBucketCapacity(0L), "requestsBucketCapacity", "0");
		assertInvalid(ExecutorSettings.builder().apiTokensRate(100.0).apiTokensBucketCapacity(0L),
				"apiTokensBucketCapacity", "0");
		assertInvalid(ExecutorSettings.builder().apiTokensRate(Double.NaN), "apiTokensRate", "NaN");
		assertInvalid(ExecutorSettings.builder().requestsPeriod(Duration.ZERO), "requestsPeriod", "PT0S");
		assertInvalid(ExecutorSettings.builder().shutdownTimeout(Duration.ofSeconds(-1)), "shutdownTimeout",
				"PT-1S");
		assertInvalid(ExecutorSettings.builder().name("has space"), "name", "has space");
		assertInvalid(ExecutorSettings.builder().requestsRate(2e9), "requestsRate", "1 token per nanosecond");
	}

	private static void assertInvalid(ExecutorSettings.Builder builder, String setting, String shown) {
		assertThatExceptionOfType(InvalidExecutorSettingException.class).isThrownBy(builder::build)
			.withMessageContaining("'" + setting + "'")
			.withMessageContaining(shown)
			.satisfies((ex) -> assertThat(ex.getSetting()).isEqualTo(setting));
	}

	@Test
	void settingsAreAValueBuiltOnlyThroughItsBuilder() {
		ExecutorSettings settings = ExecutorSettings.builder().name("openai").requestsRate(50).apiTokensRate(90_000.0)
			.build();

		assertThat(ExecutorSettings.class.getConstructors()).as("no public constructor").isEmpty();
		assertThat(settings.toBuilder().build()).isEqualTo(settings).hasSameHashCodeAs(settings);
		assertThat(settings.toBuilder().concurrencyLimit(11).build()).isNotEqualTo(settings);
		assertThat(settings.toString()).contains("name=openai", "requestsRate=50.0", "apiTokensBucketCapacity=90000");
	}

}
