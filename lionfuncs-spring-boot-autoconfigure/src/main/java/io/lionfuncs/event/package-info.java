/**
 * Events for external services, after e3-core's {@code e3.event}: {@link Event} (data,
 * attachments, e3's JSON layout), {@link EventHandler}, and the {@link EventManager}
 * that sends events to every handler, synchronously or through a per-handler
 * write-ahead log that loses nothing, not even on {@code kill -9}. Plain Java; usable
 * without Spring Boot, and without the network package (the bridges from executors are
 * in {@code io.lionfuncs.event.request}).
 */
@NullMarked
package io.lionfuncs.event;

import org.jspecify.annotations.NullMarked;
