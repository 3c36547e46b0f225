/**
 * {@link io.lionfuncs.network.client.AsyncApiClient}: calls to external HTTP APIs over
 * Spring WebClient, with Resilience4j retry and circuit breaker, typed exceptions under
 * {@link io.lionfuncs.network.client.ApiClientException}, and a one-call way to run a
 * request through an {@link io.lionfuncs.network.Executor}.
 */
@NullMarked
package io.lionfuncs.network.client;

import org.jspecify.annotations.NullMarked;
