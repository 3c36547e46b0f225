/**
 * Applications whose calls through other HTTP clients the starter governs, measured at a
 * fake provider.
 */
@NullMarked
package io.lionfuncs.intercept;

import org.jspecify.annotations.NullMarked;
