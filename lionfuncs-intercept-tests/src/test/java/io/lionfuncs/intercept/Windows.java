package io.lionfuncs.intercept;

import java.time.Duration;
import java.util.List;

import io.lionfuncs.testsupport.SlidingWindows;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The arrival bound of a token bucket, checked at the provider: over any window of length
 * {@code T}, at most {@code capacity + rate * T} requests arrive.
 */
final class Windows {

	private Windows() {
	}

	/**
	 * Asserts the bound over windows of the given lengths and returns what was measured,
	 * for the record.
	 */
	static String assertWithinBucket(List<FakeProvider.Arrival> arrivals, long capacity, double ratePerSecond,
			Duration... windows) {
		StringBuilder measured = new StringBuilder();
		for (Duration window : windows) {
			long busiest = SlidingWindows.busiest(arrivals, FakeProvider.Arrival::nanos, (arrival) -> 1, window);
			double bound = capacity + ratePerSecond * window.toNanos() / 1e9;
			measured.append(String.format("T=%s: %d arrivals (bound %.1f); ", window, busiest, bound));
			assertThat((double) busiest).as("arrivals in any window of %s", window).isLessThanOrEqualTo(bound);
		}
		return measured.toString();
	}

	/** The arrival times after the first, in milliseconds, for the record. */
	static String offsets(List<FakeProvider.Arrival> arrivals) {
		long first = arrivals.stream().mapToLong(FakeProvider.Arrival::nanos).min().orElse(0);
		return arrivals.stream()
			.mapToLong(FakeProvider.Arrival::nanos)
			.sorted()
			.mapToObj((nanos) -> String.valueOf((nanos - first) / 1_000_000))
			.toList()
			.toString();
	}

	static Duration spread(List<FakeProvider.Arrival> arrivals) {
		long first = arrivals.stream().mapToLong(FakeProvider.Arrival::nanos).min().orElse(0);
		long last = arrivals.stream().mapToLong(FakeProvider.Arrival::nanos).max().orElse(0);
		return Duration.ofNanos(last - first);
	}

}
