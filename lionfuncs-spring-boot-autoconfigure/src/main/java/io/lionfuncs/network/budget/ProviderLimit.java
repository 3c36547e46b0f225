package io.lionfuncs.network.budget;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * One rate limit a provider reported in a response's headers: how much of it remains
 * and when it resets.
 *
 * @param kind what the limit counts
 * @param source the header family: {@code openai} ({@code x-ratelimit-*}),
 * {@code anthropic} ({@code anthropic-ratelimit-*}) or {@code ietf}
 * ({@code RateLimit-*} and {@code RateLimit})
 * @param remaining what remains before the provider refuses calls
 * @param limit the limit itself, when reported
 * @param resetAfter time until the limit resets, when reported
 * @param continuousRefill whether the provider refills the limit continuously up to
 * {@code limit} by the reset (OpenAI, Anthropic) rather than all at once at the reset
 * (the IETF fields' fixed windows)
 */
public record ProviderLimit(Kind kind, String source, long remaining, @Nullable Long limit,
		@Nullable Duration resetAfter, boolean continuousRefill) {

	/**
	 * What a provider's limit counts, and so which local bucket it bounds.
	 */
	public enum Kind {

		/** Requests: bounds the request bucket. */
		REQUESTS("requests", false),

		/** Tokens: bounds the API-token bucket. */
		TOKENS("tokens", true),

		/** Input tokens; the API-token bucket counts them among the tokens of a call. */
		INPUT_TOKENS("input-tokens", true),

		/** Output tokens; the API-token bucket counts them among the tokens of a call. */
		OUTPUT_TOKENS("output-tokens", true),

		/** Quota units of the IETF fields, taken as requests: bounds the request bucket. */
		QUOTA("quota", false);

		private final String key;

		private final boolean apiTokens;

		Kind(String key, boolean apiTokens) {
			this.key = key;
			this.apiTokens = apiTokens;
		}

		/**
		 * The kind's name in endpoints and meter tags.
		 * @return the key, such as {@code input-tokens}
		 */
		public String key() {
			return this.key;
		}

		/**
		 * Whether the limit bounds the API-token bucket rather than the request bucket.
		 * @return {@code true} for the token kinds
		 */
		public boolean boundsApiTokens() {
			return this.apiTokens;
		}

	}

}
