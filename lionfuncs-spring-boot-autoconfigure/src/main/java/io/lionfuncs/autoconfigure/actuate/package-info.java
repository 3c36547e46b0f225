/**
 * Actuator support for lionfuncs: the {@code lionfuncs} endpoint in {@code .endpoint},
 * the health indicator in {@code .health} and the meter binders in {@code .metrics}; this
 * package holds only what the three read alike.
 */
@NullMarked
package io.lionfuncs.autoconfigure.actuate;

import org.jspecify.annotations.NullMarked;
