package io.lionfuncs.network;

import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * What a task needs from the stage that ends requests: the context it shares with the
 * other requests of its executor, where its responses go, and how its outcome or
 * cancellation ends it. Implemented by {@link Completion}; a task knows only this.
 */
interface TaskEnds {

	RequestContext context();

	/**
	 * A response the task's call received, for the budget gate.
	 */
	void onResponse(int statusCode, Map<String, String> headers);

	/**
	 * Ends a call with its outcome.
	 * @param apiTokensUsed the API tokens used as the holder counted them, or
	 * {@code null} to read them from the result
	 * @return whether this outcome ended the request
	 */
	boolean complete(ExecutorTask task, @Nullable CallResult result, @Nullable Throwable error,
			@Nullable Long apiTokensUsed);

	/**
	 * Ends a lease its holder cancelled, giving back what its estimate left unused.
	 * @return whether this ended the request
	 */
	boolean cancelByHolder(ExecutorTask task, long apiTokensUsedSoFar);

	/**
	 * Cancels a request wherever it is.
	 * @return whether this cancelled it
	 */
	boolean cancel(ExecutorTask task, String reason);

}
