package io.lionfuncs.network;

/**
 * Told of every status change of the requests an {@link Executor} runs. Called on the
 * thread that made the change, in order for each request; keep it quick and never
 * block. An exception thrown here is logged and does not affect the request.
 */
@FunctionalInterface
public interface RequestStatusListener {

	/**
	 * Called after a request changed status.
	 * @param event the request
	 * @param previous the status it left
	 * @param current the status it entered
	 */
	void onStatusChange(NetworkRequestEvent event, RequestStatus previous, RequestStatus current);

}
