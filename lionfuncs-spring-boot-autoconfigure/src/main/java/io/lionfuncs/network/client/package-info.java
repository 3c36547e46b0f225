/**
 * {@link io.lionfuncs.network.client.AsyncApiClient}: calls to external HTTP APIs over
 * Spring WebClient, with Resilience4j retry and circuit breaker, typed exceptions under
 * {@link io.lionfuncs.network.client.ApiClientException}, a one-call way to run a
 * request through an {@link io.lionfuncs.network.Executor}, and streamed responses
 * ({@link io.lionfuncs.network.client.ServerSentEvent}s, an
 * {@link io.lionfuncs.network.client.ApiStream} under an executor's lease, the usage a
 * stream reports read by {@link io.lionfuncs.network.client.StreamUsage}).
 * <p>
 * Behind the public facade, one call passes through package-private parts, each once:
 * request encoding (URI template expanded by WebClient and held to the base URL's origin,
 * body, headers), one attempt of the exchange (the response read whole, or streamed and
 * handed over at its first byte), the resilience pipeline (timeout, circuit breaker,
 * retry, {@code Retry-After}), and the transport (the WebClient, the Reactor Netty
 * connector and pool, what is learned of each server's keep-alive, and the resending of
 * an exchange lost to a closed connection). A stream's events, idle timeout, usage and
 * lease are one run of its own. What the client tells an executor is kept in one place of
 * its own.
 */
@NullMarked
package io.lionfuncs.network.client;

import org.jspecify.annotations.NullMarked;
