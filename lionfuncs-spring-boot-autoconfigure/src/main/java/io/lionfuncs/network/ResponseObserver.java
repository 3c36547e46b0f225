package io.lionfuncs.network;

import java.util.Map;

import org.jspecify.annotations.Nullable;
import reactor.util.context.ContextView;

/**
 * Told of every HTTP response a call receives, including the attempts a client retries
 * inside one executor task. An {@link io.lionfuncs.network.Executor} offers one to the
 * reactive calls it runs, in their Reactor {@link reactor.util.context.Context} under
 * {@link #CONTEXT_KEY}, so that a 429 pauses the executor's other queued calls at once
 * rather than only when the retrying call finally ends. The
 * {@code AsyncApiClient} reports each attempt to it; a call of your own can do the same.
 */
@FunctionalInterface
public interface ResponseObserver {

	/** The key of the observer in a call's Reactor context. */
	Class<ResponseObserver> CONTEXT_KEY = ResponseObserver.class;

	/**
	 * A response arrived. Called on the thread that received it: must not block.
	 * @param statusCode the HTTP status code
	 * @param headers the response headers
	 */
	void onResponse(int statusCode, Map<String, String> headers);

	/**
	 * The observer offered by the executor running a call, if any.
	 * @param context the call's Reactor context
	 * @return the observer, or {@code null} when the call is not run by an executor that
	 * reads responses
	 */
	static @Nullable ResponseObserver from(ContextView context) {
		return context.getOrDefault(CONTEXT_KEY, null);
	}

}
