package io.lionfuncs.benchmarks.report;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Small numeric helpers for the figures.
 */
final class Stats {

	private Stats() {
	}

	static double median(double[] values) {
		double[] sorted = values.clone();
		Arrays.sort(sorted);
		int middle = sorted.length / 2;
		return (sorted.length % 2 == 1) ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
	}

	static double median(long[] values) {
		return median(Arrays.stream(values).asDoubleStream().toArray());
	}

	static double round(double value, int decimals) {
		double scale = Math.pow(10, decimals);
		return Math.round(value * scale) / scale;
	}

	static List<Long> rounded(double[] values) {
		return Arrays.stream(values).mapToObj(Math::round).toList();
	}

	static List<Double> rounded(double[] values, int decimals) {
		return Arrays.stream(values).mapToObj((value) -> round(value, decimals)).toList();
	}

	/**
	 * The value at a quantile of sorted values: the smallest one that at least that
	 * share of the values does not exceed.
	 */
	static long percentile(long[] sorted, double quantile) {
		return sorted[(int) Math.ceil(quantile * sorted.length) - 1];
	}

	static <T> double[] values(List<T> items, ToDoubleFunction<T> value) {
		return items.stream().mapToDouble(value).toArray();
	}

}
