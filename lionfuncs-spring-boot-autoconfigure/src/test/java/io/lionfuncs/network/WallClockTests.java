package io.lionfuncs.network;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link WallClock}.
 */
class WallClockTests {

	@Test
	void systemClockFollowsTheWallClock() {
		WallClock clock = WallClock.of(Clock.systemUTC());
		assertThat(clock).isSameAs(WallClock.system()).isSameAs(WallClock.of(Clock.system(ZoneId.of("Europe/Paris"))));
		Instant before = Instant.now();
		long previous = clock.epochNanos();
		for (int i = 0; i < 100_000; i++) {
			long now = clock.epochNanos();
			// Only a recalibration may step back, and only by the drift of one second.
			assertThat(now - previous).isGreaterThan(-Duration.ofMillis(10).toNanos());
			previous = now;
		}
		Instant after = Instant.now();

		// Generous: the calibration may be up to a second old, so allow its drift and more.
		assertThat(WallClock.toInstant(previous)).isBetween(before.minusSeconds(5), after.plusSeconds(5));
	}

	@Test
	void otherClocksAreReadAsTheyAre() {
		Instant fixed = Instant.parse("2030-01-02T03:04:05.123456789Z");

		WallClock clock = WallClock.of(Clock.fixed(fixed, ZoneOffset.UTC));

		assertThat(WallClock.toInstant(clock.epochNanos())).isEqualTo(fixed);
	}

	@Test
	void instantsBeyondTheRangeOfNanosecondsAreClamped() {
		assertThat(WallClock.toInstant(WallClock.toEpochNanos(Instant.MAX))).isAfter(Instant.parse("2262-01-01T00:00:00Z"));
		assertThat(WallClock.toInstant(WallClock.toEpochNanos(Instant.MIN))).isBefore(Instant.parse("1678-01-01T00:00:00Z"));
		assertThat(WallClock.toInstant(WallClock.NONE)).isNull();
		Instant beforeEpoch = Instant.EPOCH.minus(Duration.ofNanos(1));
		assertThat(WallClock.toInstant(WallClock.toEpochNanos(beforeEpoch))).isEqualTo(beforeEpoch);
	}

}
