/**
 * The meters of lionfuncs: executors, budgets, event handlers, connections and shared
 * rate limiters.
 */
@NullMarked
package io.lionfuncs.autoconfigure.actuate.metrics;

import org.jspecify.annotations.NullMarked;
