/**
 * The values of an executor's LLM-style budgets: how usage true-up, provider rate-limit
 * headers and pauses on 429 are configured ({@link BudgetSettings}), what they did
 * ({@link BudgetStats}, {@link ProviderLimit}) and the pauses they cause
 * ({@link ExecutorPause}, {@link ExecutorPauseListener}). Value types only: the budget
 * logic is part of the executor.
 */
@NullMarked
package io.lionfuncs.network.budget;

import org.jspecify.annotations.NullMarked;
