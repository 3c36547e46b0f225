package io.lionfuncs.autoconfigure;

import io.lionfuncs.network.client.AsyncApiClient;

/**
 * Customizes the builder of each {@link AsyncApiClient} the auto-configuration creates,
 * after the {@code lionfuncs.*} properties are applied. Customizers run in
 * {@link org.springframework.core.Ordered order}.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface LionfuncsClientCustomizer {

	/**
	 * Customizes one client's builder.
	 * @param clientName the client's name ({@code default} for {@code lionfuncs.client})
	 * @param builder the builder
	 */
	void customize(String clientName, AsyncApiClient.Builder builder);

}
