/**
 * JMH microbenchmarks of the executor's hot path: dispatch with tracking, token
 * reservation and status-change publication.
 */
@NullMarked
package io.lionfuncs.benchmarks.jmh;

import org.jspecify.annotations.NullMarked;
