package io.lionfuncs.autoconfigure.actuate.endpoint;

/**
 * Adds a section to the {@code lionfuncs} endpoint, such as {@code clients} or
 * {@code eventHandlers}.
 *
 * @since 0.1.0
 */
public interface LionfuncsEndpointContributor {

	/**
	 * The section's key in the endpoint's JSON.
	 * @return the key
	 */
	String section();

	/**
	 * The section's content, serialised as JSON. Must hold no secret, payload or body.
	 * @return the content
	 */
	Object describe();

}
