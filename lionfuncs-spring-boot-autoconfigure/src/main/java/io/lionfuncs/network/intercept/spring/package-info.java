/**
 * Governing the calls of Spring's {@code RestClient} (a
 * {@link org.springframework.http.client.ClientHttpRequestInterceptor}, blocking) and
 * {@code WebClient} (an
 * {@link org.springframework.web.reactive.function.client.ExchangeFilterFunction},
 * non-blocking).
 */
@NullMarked
package io.lionfuncs.network.intercept.spring;

import org.jspecify.annotations.NullMarked;
