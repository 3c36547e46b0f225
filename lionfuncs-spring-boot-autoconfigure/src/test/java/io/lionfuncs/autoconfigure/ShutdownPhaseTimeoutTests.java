package io.lionfuncs.autoconfigure;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.LifecycleProcessor;
import org.springframework.context.support.DefaultLifecycleProcessor;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ShutdownPhaseTimeout}.
 */
@ExtendWith(OutputCaptureExtension.class)
class ShutdownPhaseTimeoutTests {

	private static final int PHASE = ExecutorsGracefulShutdownLifecycle.PHASE;

	private final RecordingLifecycleProcessor processor = new RecordingLifecycleProcessor();

	@Test
	void raisesThePhaseTimeoutToTheShutdownTimeoutPlusTheMargin(CapturedOutput output) {
		new ShutdownPhaseTimeout(() -> this.processor, () -> Duration.ofSeconds(30), false).fit(PHASE,
				Duration.ofSeconds(30), "default");
		assertThat(this.processor.timeouts).containsExactly(Map.entry(PHASE, 35_000L));
		assertThat(output).doesNotContain("ShutdownPhaseTimeout");
	}

	@Test
	void raiseAboveAnExplicitPropertyIsLogged(CapturedOutput output) {
		new ShutdownPhaseTimeout(() -> this.processor, () -> Duration.ofSeconds(2), true).fit(PHASE,
				Duration.ofSeconds(4), "openai");
		assertThat(this.processor.timeouts).containsExactly(Map.entry(PHASE, 9_000L));
		assertThat(output).contains("may last up to PT9S instead of PT2S (spring.lifecycle.timeout-per-shutdown-phase)")
			.contains("executor 'openai' drains for up to PT4S");
	}

	@Test
	void longEnoughPhaseIsLeftAlone() {
		new ShutdownPhaseTimeout(() -> this.processor, () -> Duration.ofSeconds(30), true).fit(PHASE,
				Duration.ofSeconds(25), "default");
		assertThat(this.processor.timeouts).isEmpty();
	}

	@Test
	void withoutSpringBootsLifecyclePropertiesTheProcessorsOwnDefaultCounts() {
		ShutdownPhaseTimeout phaseTimeout = new ShutdownPhaseTimeout(() -> this.processor, () -> null, false);
		phaseTimeout.fit(PHASE, Duration.ofSeconds(5), "default");
		assertThat(this.processor.timeouts).as("5s + 5s fits the 10s default").isEmpty();
		phaseTimeout.fit(PHASE, Duration.ofSeconds(8), "default");
		assertThat(this.processor.timeouts).containsExactly(Map.entry(PHASE, 13_000L));
	}

	@Test
	void anotherKindOfLifecycleProcessorGetsAWarningNamingTheProperty(CapturedOutput output) {
		LifecycleProcessor other = new OtherLifecycleProcessor();
		new ShutdownPhaseTimeout(() -> other, () -> Duration.ofSeconds(30), false).fit(PHASE, Duration.ofSeconds(60),
				"default");
		assertThat(output).contains("Executor 'default' drains for up to PT1M (its shutdown-timeout) but shutdown "
				+ "phase " + PHASE + " ends after PT30S")
			.contains("spring.lifecycle.timeout-per-shutdown-phase, to at least PT1M5S");
	}

	/**
	 * The real processor, recording the phase timeouts it is given.
	 */
	static class RecordingLifecycleProcessor extends DefaultLifecycleProcessor {

		final Map<Integer, Long> timeouts = new HashMap<>();

		@Override
		public void setTimeoutForShutdownPhase(int phase, long timeout) {
			super.setTimeoutForShutdownPhase(phase, timeout);
			this.timeouts.put(phase, timeout);
		}

	}

	static class OtherLifecycleProcessor implements LifecycleProcessor {

		@Override
		public void onRefresh() {
		}

		@Override
		public void onClose() {
		}

		@Override
		public void start() {
		}

		@Override
		public void stop() {
		}

		@Override
		public boolean isRunning() {
			return false;
		}

	}

}
