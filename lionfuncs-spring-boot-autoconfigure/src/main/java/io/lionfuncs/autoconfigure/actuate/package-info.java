/**
 * Actuator support for lionfuncs: the {@code lionfuncs} endpoint, the health indicator
 * and the meter binders.
 */
@NullMarked
package io.lionfuncs.autoconfigure.actuate;

import org.jspecify.annotations.NullMarked;
