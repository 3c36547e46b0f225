/**
 * Governing the calls of LangChain4j models: an {@code HttpClientBuilder} that wraps the
 * one LangChain4j would use, given to a model with {@code .httpClientBuilder(...)}.
 */
@NullMarked
package io.lionfuncs.network.intercept.langchain4j;

import org.jspecify.annotations.NullMarked;
