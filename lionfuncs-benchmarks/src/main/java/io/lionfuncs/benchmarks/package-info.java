/**
 * Entry point of the benchmarks jar: the end-to-end report or JMH.
 */
@NullMarked
package io.lionfuncs.benchmarks;

import org.jspecify.annotations.NullMarked;
