package io.lionfuncs.network.budget;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * How an {@link io.lionfuncs.network.Executor} keeps its budgets in line with what the
 * provider reports: usage true-up, provider rate-limit headers and pauses. Build with
 * {@link #builder()}; every feature is on by default and each has an off switch.
 *
 * @param usageEnabled whether the API tokens a call really used are read from its
 * response and the API-token bucket reconciled with the estimate
 * @param usageJsonPointers JSON pointers into the response body whose numbers are summed
 * into the tokens used, when no {@link UsageExtractor} is given
 * @param providerHeadersEnabled whether rate-limit headers of the provider's responses
 * lower the local buckets
 * @param pauseEnabled whether a 429 (or a 503 with {@code Retry-After}) pauses dispatch
 * @param defaultPause how long a 429 without {@code Retry-After} pauses dispatch; zero for
 * no pause
 * @param maxPause the longest pause a response can cause
 */
public record BudgetSettings(boolean usageEnabled, List<String> usageJsonPointers, boolean providerHeadersEnabled,
		boolean pauseEnabled, Duration defaultPause, Duration maxPause) {

	/**
	 * The usage read unless configured: OpenAI's {@code usage.total_tokens}; when it is
	 * absent, Anthropic's {@code usage.input_tokens + usage.output_tokens} and Ollama's
	 * {@code prompt_eval_count + eval_count} (see
	 * {@link io.lionfuncs.network.UsageExtractor#providerDefaults()}).
	 */
	public static final List<String> DEFAULT_USAGE_JSON_POINTERS = List.of("/usage/total_tokens");

	public BudgetSettings {
		usageJsonPointers = List.copyOf(usageJsonPointers);
	}

	/**
	 * Settings with every default.
	 * @return the defaults
	 */
	public static BudgetSettings defaults() {
		return builder().build();
	}

	/**
	 * Settings with every feature off: the executor trusts the estimates and ignores
	 * what responses say.
	 * @return the settings
	 */
	public static BudgetSettings disabled() {
		return builder().usageEnabled(false).providerHeadersEnabled(false).pauseEnabled(false).build();
	}

	/**
	 * A builder starting from the defaults.
	 * @return the builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	/**
	 * A builder starting from these settings.
	 * @return the builder
	 */
	public Builder toBuilder() {
		return new Builder().usageEnabled(this.usageEnabled)
			.usageJsonPointers(this.usageJsonPointers)
			.providerHeadersEnabled(this.providerHeadersEnabled)
			.pauseEnabled(this.pauseEnabled)
			.defaultPause(this.defaultPause)
			.maxPause(this.maxPause);
	}

	/**
	 * Whether anything in a response matters to the budget.
	 * @return whether any feature is on
	 */
	public boolean readsResponses() {
		return this.usageEnabled || this.providerHeadersEnabled || this.pauseEnabled;
	}

	/**
	 * Builds {@link BudgetSettings}.
	 */
	public static final class Builder {

		private boolean usageEnabled = true;

		private List<String> usageJsonPointers = DEFAULT_USAGE_JSON_POINTERS;

		private boolean providerHeadersEnabled = true;

		private boolean pauseEnabled = true;

		private Duration defaultPause = Duration.ofSeconds(1);

		private Duration maxPause = Duration.ofMinutes(5);

		private Builder() {
		}

		/**
		 * Whether to read the API tokens a call used and reconcile the API-token bucket.
		 * @param usageEnabled whether usage true-up is on
		 * @return this builder
		 */
		public Builder usageEnabled(boolean usageEnabled) {
			this.usageEnabled = usageEnabled;
			return this;
		}

		/**
		 * JSON pointers (RFC 6901) into the response body whose numbers are summed into
		 * the tokens used, such as {@code /usage/input_tokens} and
		 * {@code /usage/output_tokens}.
		 * @param usageJsonPointers the pointers
		 * @return this builder
		 */
		public Builder usageJsonPointers(List<String> usageJsonPointers) {
			this.usageJsonPointers = usageJsonPointers;
			return this;
		}

		/**
		 * Whether the provider's rate-limit headers lower the local buckets.
		 * @param providerHeadersEnabled whether provider headers are read
		 * @return this builder
		 */
		public Builder providerHeadersEnabled(boolean providerHeadersEnabled) {
			this.providerHeadersEnabled = providerHeadersEnabled;
			return this;
		}

		/**
		 * Whether a 429 (or a 503 with {@code Retry-After}) pauses dispatch.
		 * @param pauseEnabled whether pauses are on
		 * @return this builder
		 */
		public Builder pauseEnabled(boolean pauseEnabled) {
			this.pauseEnabled = pauseEnabled;
			return this;
		}

		/**
		 * How long a 429 without {@code Retry-After} pauses dispatch; zero for no pause.
		 * @param defaultPause the pause
		 * @return this builder
		 */
		public Builder defaultPause(Duration defaultPause) {
			this.defaultPause = defaultPause;
			return this;
		}

		/**
		 * The longest pause a response can cause, however far its {@code Retry-After}.
		 * @param maxPause the cap
		 * @return this builder
		 */
		public Builder maxPause(Duration maxPause) {
			this.maxPause = maxPause;
			return this;
		}

		/**
		 * Validates and builds the settings.
		 * @return the settings
		 * @throws InvalidExecutorSettingException naming the setting at fault
		 */
		public BudgetSettings build() {
			require(this.usageJsonPointers != null, "usage.jsonPointers", null, "a list of JSON pointers");
			for (String pointer : this.usageJsonPointers) {
				require(isJsonPointer(pointer), "usage.jsonPointers", pointer,
						"JSON pointers such as /usage/total_tokens");
			}
			require(this.defaultPause != null && !this.defaultPause.isNegative(), "pause.defaultDuration",
					this.defaultPause, "a duration of 0 or more");
			require(this.maxPause != null && !this.maxPause.isNegative() && !this.maxPause.isZero(),
					"pause.maxDuration", this.maxPause, "a duration greater than 0");
			return new BudgetSettings(this.usageEnabled, this.usageJsonPointers, this.providerHeadersEnabled,
					this.pauseEnabled, this.defaultPause, this.maxPause);
		}

		/**
		 * Whether the text is a JSON pointer (RFC 6901): empty tokens allowed, {@code ~}
		 * only as {@code ~0} or {@code ~1}.
		 */
		private static boolean isJsonPointer(@Nullable String pointer) {
			if (pointer == null || !pointer.startsWith("/")) {
				return false;
			}
			for (int i = 0; i < pointer.length(); i++) {
				if (pointer.charAt(i) == '~') {
					char next = (i + 1 < pointer.length()) ? pointer.charAt(i + 1) : ' ';
					if (next != '0' && next != '1') {
						return false;
					}
				}
			}
			return true;
		}

		private static void require(boolean valid, String setting, @Nullable Object value, String expected) {
			if (!valid) {
				throw new InvalidExecutorSettingException(setting, value, expected);
			}
		}

	}

}
