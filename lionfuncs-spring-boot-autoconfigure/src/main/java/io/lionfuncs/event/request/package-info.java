/**
 * The bridges from executors to events: {@link io.lionfuncs.event.request.RequestEventPublisher}
 * publishes chosen status changes of requests, converted by
 * {@link io.lionfuncs.event.request.RequestEventConverter}, and
 * {@link io.lionfuncs.event.request.ExecutorPauseEventPublisher} publishes pauses, to an
 * {@link io.lionfuncs.event.EventManager}. The only event package that knows the
 * network package, and only through its public API.
 */
@NullMarked
package io.lionfuncs.event.request;

import org.jspecify.annotations.NullMarked;
