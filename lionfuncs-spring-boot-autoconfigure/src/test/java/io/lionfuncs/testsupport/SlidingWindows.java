package io.lionfuncs.testsupport;

import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Measures rate limits the way the contract states them: the most calls (or tokens)
 * that left in any window of a given length.
 */
public final class SlidingWindows {

	private SlidingWindows() {
	}

	/**
	 * The largest total weight over any closed window {@code [s, s + window]} starting at
	 * a call: the busiest window always starts at one.
	 * @param <T> the recorded calls
	 * @param calls the calls
	 * @param startNanos when a call started
	 * @param weight what a call counts for (1 for calls, its tokens for tokens)
	 * @param window the window length
	 * @return the busiest window's total
	 */
	public static <T> long busiest(Collection<T> calls, ToLongFunction<T> startNanos, ToLongFunction<T> weight,
			Duration window) {
		List<T> sorted = calls.stream().sorted(Comparator.comparingLong(startNanos)).toList();
		long max = 0;
		long sum = 0;
		int end = 0;
		for (int begin = 0; begin < sorted.size(); begin++) {
			long windowEnd = startNanos.applyAsLong(sorted.get(begin)) + window.toNanos();
			while (end < sorted.size() && startNanos.applyAsLong(sorted.get(end)) <= windowEnd) {
				sum += weight.applyAsLong(sorted.get(end));
				end++;
			}
			max = Math.max(max, sum);
			sum -= weight.applyAsLong(sorted.get(begin));
		}
		return max;
	}

}
