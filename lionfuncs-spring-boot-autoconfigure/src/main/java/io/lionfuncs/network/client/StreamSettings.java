package io.lionfuncs.network.client;

import java.time.Duration;

/**
 * How an {@link AsyncApiClient} streams ({@link AsyncApiClient#stream(ApiRequest)}).
 * The client's timeout bounds each attempt up to the stream's first byte; once it
 * flows, a stream may run as long as it keeps sending, but never stay silent longer than
 * {@code idleTimeout}.
 *
 * @param idleTimeout how long a stream may go without a byte once it has started; a
 * stream idle longer fails with an {@link ApiTimeoutException}
 * @param includeUsage whether to ask for the usage chunk in streamed requests: a JSON
 * object body gets {@code "stream_options": {"include_usage": true}} unless it says
 * otherwise, so that OpenAI (and APIs compatible with it) end the stream with the tokens
 * used, which it leaves out by default. Other providers (Anthropic, Ollama) report usage
 * without being asked and may refuse the unknown field: leave it off for them
 */
public record StreamSettings(Duration idleTimeout, boolean includeUsage) {

	/** How long a started stream may stay silent unless configured. */
	public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);

	private static final StreamSettings DEFAULTS = new StreamSettings(DEFAULT_IDLE_TIMEOUT, false);

	public StreamSettings {
		if (idleTimeout == null || idleTimeout.isNegative() || idleTimeout.isZero()) {
			throw new IllegalArgumentException("idleTimeout must be positive but was " + idleTimeout);
		}
	}

	/**
	 * The defaults: 60 s of silence at most, no usage chunk asked for.
	 * @return the default settings
	 */
	public static StreamSettings defaults() {
		return DEFAULTS;
	}

	/**
	 * These settings with another idle timeout.
	 * @param idleTimeout the idle timeout, positive
	 * @return the settings
	 */
	public StreamSettings withIdleTimeout(Duration idleTimeout) {
		return new StreamSettings(idleTimeout, this.includeUsage);
	}

	/**
	 * These settings, asking for the usage chunk or not.
	 * @param includeUsage whether to add {@code stream_options.include_usage}
	 * @return the settings
	 */
	public StreamSettings withIncludeUsage(boolean includeUsage) {
		return new StreamSettings(this.idleTimeout, includeUsage);
	}

}
