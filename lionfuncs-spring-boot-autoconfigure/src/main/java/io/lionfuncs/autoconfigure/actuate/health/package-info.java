/**
 * The lionfuncs health indicator and the details its contributors add: circuit breakers
 * and shared rate limiters.
 */
@NullMarked
package io.lionfuncs.autoconfigure.actuate.health;

import org.jspecify.annotations.NullMarked;
