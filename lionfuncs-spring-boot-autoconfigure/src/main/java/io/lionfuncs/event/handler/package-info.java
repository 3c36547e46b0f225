/**
 * Built-in {@link io.lionfuncs.event.EventHandler event handlers}, each with its
 * factory: {@code logging} (a logger at a level), {@code file} (a directory, with
 * attachments copied next to the event) and {@code webhook} (an HTTP POST through
 * Spring's {@code WebClient}).
 */
@NullMarked
package io.lionfuncs.event.handler;

import org.jspecify.annotations.NullMarked;
