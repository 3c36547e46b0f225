package io.lionfuncs.autoconfigure;

import java.util.Locale;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.InvalidExecutorSettingException;

/**
 * Creates the executors described by {@link LionfuncsProperties}: the default one
 * ({@code lionfuncs.executor}) and one per named client
 * ({@code lionfuncs.clients.<name>.executor}). Invalid values fail with the full
 * property key.
 *
 * @since 0.1.0
 */
public class LionfuncsExecutorFactory {

	private final LionfuncsProperties properties;

	public LionfuncsExecutorFactory(LionfuncsProperties properties) {
		this.properties = properties;
	}

	/**
	 * Creates the default executor.
	 * @return an executor, not yet started
	 */
	public Executor createDefault() {
		return create(ExecutorSettings.DEFAULT_NAME, this.properties.getExecutor(), "lionfuncs.executor");
	}

	/**
	 * Creates the executor of a named client.
	 * @param name the client's name
	 * @return an executor, not yet started
	 */
	public Executor createNamed(String name) {
		LionfuncsProperties.NamedClient client = this.properties.getClients().get(name);
		if (client == null) {
			throw new IllegalStateException("No client named '" + name + "' under lionfuncs.clients");
		}
		return create(name, client.getExecutor(), "lionfuncs.clients." + name + ".executor");
	}

	private Executor create(String name, LionfuncsProperties.Executor executor, String prefix) {
		requireLocalStore(executor, prefix);
		return Executor.builder().settings(settings(name, executor, prefix)).build();
	}

	ExecutorSettings settings(String name, LionfuncsProperties.Executor executor, String prefix) {
		if (executor.getApiTokensBucketCapacity() != null && executor.getApiTokensRate() == null) {
			// without a rate the bucket is disabled: a capacity alone would silently limit nothing
			throw new InvalidLionfuncsPropertyException(prefix + ".api-tokens-bucket-capacity",
					executor.getApiTokensBucketCapacity(), "no value, or also set " + prefix
							+ ".api-tokens-rate (without a rate there is no API-token limit at all)");
		}
		try {
			return ExecutorSettings.builder()
				.name(name)
				.queueCapacity(executor.getQueueCapacity())
				.concurrencyLimit(executor.getConcurrencyLimit())
				.requestsRate(executor.getRequestsRate())
				.requestsPeriod(executor.getRequestsPeriod())
				.requestsBucketCapacity(executor.getRequestsBucketCapacity())
				.apiTokensRate(executor.getApiTokensRate())
				.apiTokensPeriod(executor.getApiTokensPeriod())
				.apiTokensBucketCapacity(executor.getApiTokensBucketCapacity())
				.numWorkers(executor.getNumWorkers())
				.queueFullPolicy(executor.getQueueFullPolicy())
				.submitTimeout(executor.getSubmitTimeout())
				.shutdownTimeout(executor.getShutdownTimeout())
				.recentCapacity(executor.getRecentCapacity())
				.redactHeaders(this.properties.getRedactHeaders())
				.build();
		}
		catch (InvalidExecutorSettingException ex) {
			String property = ex.getSetting().equals("name") ? "lionfuncs.clients" : prefix + "." + kebab(ex.getSetting());
			throw new InvalidLionfuncsPropertyException(property, ex.getValue(), ex.getExpected(), ex);
		}
	}

	private static void requireLocalStore(LionfuncsProperties.Executor executor, String prefix) {
		if (executor.getRateLimiter().getStore() != LionfuncsProperties.RateLimiter.Store.LOCAL) {
			throw new InvalidLionfuncsPropertyException(prefix + ".rate-limiter.store",
					executor.getRateLimiter().getStore().name().toLowerCase(Locale.ROOT),
					"'local' (Redis-backed buckets are not available in this version)");
		}
	}

	static String kebab(String camelCase) {
		StringBuilder result = new StringBuilder(camelCase.length() + 4);
		for (char c : camelCase.toCharArray()) {
			if (Character.isUpperCase(c)) {
				result.append('-').append(Character.toLowerCase(c));
			}
			else {
				result.append(c);
			}
		}
		return result.toString();
	}

}
