/**
 * The lionfuncs sample application: a service that calls a rate-limited API through the
 * starter.
 */
@NullMarked
package io.lionfuncs.sample;

import org.jspecify.annotations.NullMarked;
