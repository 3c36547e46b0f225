/**
 * Events for external services, after e3-core's {@code e3.event}: {@link Event} (data,
 * attachments, e3's JSON layout), {@link EventHandler}, and the {@link EventManager}
 * that sends events to every handler, synchronously or through a spool that loses
 * nothing. Plain Java; usable without Spring Boot.
 */
@NullMarked
package io.lionfuncs.event;

import org.jspecify.annotations.NullMarked;
