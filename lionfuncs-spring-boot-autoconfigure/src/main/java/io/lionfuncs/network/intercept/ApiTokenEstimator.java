package io.lionfuncs.network.intercept;

import java.net.URI;

import org.jspecify.annotations.Nullable;

/**
 * Estimates the API tokens an intercepted request will use, from its body, before it
 * leaves: the reservation taken from the executor's API-token bucket. The executor's
 * usage true-up corrects the estimate from the response.
 * <p>
 * Called on the thread sending the request, once per attempt: it must be quick.
 */
@FunctionalInterface
public interface ApiTokenEstimator {

	/**
	 * The API tokens to reserve for a request.
	 * @param method the HTTP method
	 * @param uri the request's URI
	 * @param body the request body, or {@code null} when there is none or it could not be
	 * read ahead
	 * @return the tokens, zero or more
	 */
	long estimate(String method, URI uri, byte @Nullable [] body);

	/**
	 * The default estimate of an LLM request with a JSON body: the output cap it asks for
	 * ({@code max_tokens}, {@code max_completion_tokens}, {@code max_output_tokens} or
	 * Ollama's {@code options.num_predict}), or else {@code fallback}, plus the input at
	 * four characters per token (the text of every string in the body but the model's
	 * name). A request without a JSON body is estimated at {@code fallback}.
	 * @param fallback the tokens of a request whose body names no output cap, zero or more
	 * @return the estimator
	 */
	static ApiTokenEstimator ofJsonBody(long fallback) {
		return new JsonBodyApiTokenEstimator(fallback, 4);
	}

}
