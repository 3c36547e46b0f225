/**
 * Governing the calls of OkHttp clients, such as those Spring AI builds for the OpenAI
 * and Anthropic SDKs: an {@link okhttp3.Interceptor}. Uses only the API common to OkHttp
 * 4.12 and 5.
 */
@NullMarked
package io.lionfuncs.network.intercept.okhttp;

import org.jspecify.annotations.NullMarked;
