/**
 * LLM-style budgets for an {@link io.lionfuncs.network.Executor}: the API tokens a call
 * really used, read from its response and reconciled with the estimate reserved up
 * front; the rate limits a provider reports in its response headers, which lower the
 * local buckets; and a pause of dispatch when the provider answers 429.
 */
@NullMarked
package io.lionfuncs.network.budget;

import org.jspecify.annotations.NullMarked;
