package io.lionfuncs.network;

import java.util.List;

import io.lionfuncs.network.CallResult;
import org.jspecify.annotations.Nullable;

/**
 * Reads how many API tokens a call really used from its result, so that an
 * {@link io.lionfuncs.network.Executor} can reconcile its API-token bucket with the
 * estimate it reserved before the call ({@code numApiTokensNeeded}).
 * <p>
 * The default reads {@link BudgetSettings#usageJsonPointers() JSON pointers} in the body:
 * with the default pointer, the usage of OpenAI, Anthropic and Ollama (see
 * {@link #providerDefaults()}); implement this for a provider that reports
 * usage elsewhere (a header, a streamed trailer). Called once per completed call, on the
 * thread that completed it: it must be quick and must not block.
 */
@FunctionalInterface
public interface UsageExtractor {

	/**
	 * The API tokens the call used.
	 * @param result the call's result
	 * @return the tokens used, or {@code null} when the result does not say
	 */
	@Nullable Long apiTokensUsed(CallResult result);

	/**
	 * An extractor that sums the numbers found at the given JSON pointers of the body: a
	 * Jackson {@code JsonNode}, a {@code Map} of JSON-like values, or JSON text as a
	 * {@code String} or {@code byte[]}. Pointers that are absent are skipped; when none
	 * is present the usage is unknown.
	 * @param jsonPointers the pointers, such as {@code /usage/input_tokens} and
	 * {@code /usage/output_tokens}
	 * @return the extractor
	 */
	static UsageExtractor jsonPointers(List<String> jsonPointers) {
		return new JsonPointerUsageExtractor(jsonPointers);
	}

	/**
	 * The extractor used unless configured otherwise: it reads the usage as the common
	 * providers report it in the body, the first that is present: OpenAI's
	 * {@code usage.total_tokens}; else Anthropic's (and OpenAI Responses')
	 * {@code usage.input_tokens + usage.output_tokens}; else Ollama's
	 * {@code prompt_eval_count + eval_count}.
	 * @return the extractor
	 */
	static UsageExtractor providerDefaults() {
		return JsonPointerUsageExtractor.firstOf(JsonPointerUsageExtractor.PROVIDER_USAGE);
	}

}
