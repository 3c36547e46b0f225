/**
 * The end-to-end performance report: scenarios measured side by side with their
 * baselines, written as one JSON object.
 */
@NullMarked
package io.lionfuncs.benchmarks.report;

import org.jspecify.annotations.NullMarked;
