/**
 * Demo endpoints that drive the starter: bursts of calls through the default executor
 * and client.
 */
@NullMarked
package io.lionfuncs.sample.demo;

import org.jspecify.annotations.NullMarked;
