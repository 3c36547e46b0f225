package io.lionfuncs.network;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import io.lionfuncs.network.budget.BudgetSettings;
import io.lionfuncs.network.limit.BucketSettings;
import org.jspecify.annotations.Nullable;

/**
 * The settings of an {@link Executor}, with the seed's defaults. Build with
 * {@link #builder()}; {@link Builder#build()} validates every value and names the
 * setting at fault.
 *
 * @param name the executor's name, used in thread names, meters and Redis keys
 * @param queueCapacity tasks that may wait in the queue
 * @param concurrencyLimit calls in flight at once
 * @param requestsRate request tokens added per {@code requestsPeriod}
 * @param requestsPeriod the request bucket's refill period
 * @param requestsBucketCapacity the request bucket's burst size
 * @param apiTokensRate API tokens added per {@code apiTokensPeriod}; {@code null}
 * disables the API-token bucket
 * @param apiTokensPeriod the API-token bucket's refill period
 * @param apiTokensBucketCapacity the API-token bucket's burst size; {@code null} when
 * the bucket is disabled
 * @param numWorkers dispatcher loops moving tasks from the queue to their call
 * @param queueFullPolicy what a submission does when the queue is full
 * @param submitTimeout how long a submission waits for room under
 * {@link QueueFullPolicy#WAIT}
 * @param shutdownTimeout how long a graceful stop drains before cancelling the rest
 * @param recentCapacity finished requests kept for lookup
 * @param maxLogEntries log entries kept per request
 * @param redactHeaders header names redacted in addition to
 * {@link Redactor#DEFAULT_HEADERS}
 * @param budget how usage true-up, provider rate-limit headers and pauses on 429 keep
 * the buckets in line with the provider
 */
public record ExecutorSettings(String name, int queueCapacity, int concurrencyLimit, double requestsRate,
		Duration requestsPeriod, long requestsBucketCapacity, @Nullable Double apiTokensRate, Duration apiTokensPeriod,
		@Nullable Long apiTokensBucketCapacity, int numWorkers, QueueFullPolicy queueFullPolicy, Duration submitTimeout,
		Duration shutdownTimeout, int recentCapacity, int maxLogEntries, List<String> redactHeaders,
		BudgetSettings budget) {

	/** The name of the executor configured under {@code lionfuncs.executor}. */
	public static final String DEFAULT_NAME = "default";

	/**
	 * Settings with every default.
	 * @return the defaults
	 */
	public static ExecutorSettings defaults() {
		return builder().build();
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
		return new Builder(this);
	}

	/**
	 * The request bucket's shape.
	 * @return the settings
	 */
	public BucketSettings requestsBucket() {
		return new BucketSettings(this.requestsBucketCapacity, this.requestsRate, this.requestsPeriod);
	}

	/**
	 * The API-token bucket's shape.
	 * @return the settings, or {@code null} when the bucket is disabled
	 */
	public @Nullable BucketSettings apiTokensBucket() {
		if (this.apiTokensRate == null || this.apiTokensBucketCapacity == null) {
			return null;
		}
		return new BucketSettings(this.apiTokensBucketCapacity, this.apiTokensRate, this.apiTokensPeriod);
	}

	/**
	 * Builds {@link ExecutorSettings}.
	 */
	public static final class Builder {

		private String name = DEFAULT_NAME;

		private int queueCapacity = 1000;

		private int concurrencyLimit = 10;

		private double requestsRate = 10;

		private Duration requestsPeriod = Duration.ofSeconds(1);

		private @Nullable Long requestsBucketCapacity;

		private @Nullable Double apiTokensRate;

		private Duration apiTokensPeriod = Duration.ofSeconds(60);

		private @Nullable Long apiTokensBucketCapacity;

		private int numWorkers = 5;

		private QueueFullPolicy queueFullPolicy = QueueFullPolicy.REJECT;

		private Duration submitTimeout = Duration.ofSeconds(5);

		private Duration shutdownTimeout = Duration.ofSeconds(30);

		private int recentCapacity = 100;

		private int maxLogEntries = NetworkRequestEvent.DEFAULT_MAX_LOG_ENTRIES;

		private List<String> redactHeaders = List.of();

		private BudgetSettings budget = BudgetSettings.defaults();

		private Builder() {
		}

		private Builder(ExecutorSettings settings) {
			this.name = settings.name;
			this.queueCapacity = settings.queueCapacity;
			this.concurrencyLimit = settings.concurrencyLimit;
			this.requestsRate = settings.requestsRate;
			this.requestsPeriod = settings.requestsPeriod;
			this.requestsBucketCapacity = settings.requestsBucketCapacity;
			this.apiTokensRate = settings.apiTokensRate;
			this.apiTokensPeriod = settings.apiTokensPeriod;
			this.apiTokensBucketCapacity = settings.apiTokensBucketCapacity;
			this.numWorkers = settings.numWorkers;
			this.queueFullPolicy = settings.queueFullPolicy;
			this.submitTimeout = settings.submitTimeout;
			this.shutdownTimeout = settings.shutdownTimeout;
			this.recentCapacity = settings.recentCapacity;
			this.maxLogEntries = settings.maxLogEntries;
			this.redactHeaders = settings.redactHeaders;
			this.budget = settings.budget;
		}

		public Builder name(String name) {
			this.name = name;
			return this;
		}

		public Builder queueCapacity(int queueCapacity) {
			this.queueCapacity = queueCapacity;
			return this;
		}

		public Builder concurrencyLimit(int concurrencyLimit) {
			this.concurrencyLimit = concurrencyLimit;
			return this;
		}

		public Builder requestsRate(double requestsRate) {
			this.requestsRate = requestsRate;
			return this;
		}

		public Builder requestsPeriod(Duration requestsPeriod) {
			this.requestsPeriod = requestsPeriod;
			return this;
		}

		/**
		 * The request bucket's burst size; {@code null} for the default, the rate rounded
		 * up.
		 * @param requestsBucketCapacity the capacity
		 * @return this builder
		 */
		public Builder requestsBucketCapacity(@Nullable Long requestsBucketCapacity) {
			this.requestsBucketCapacity = requestsBucketCapacity;
			return this;
		}

		/**
		 * API tokens per period; {@code null} disables the API-token bucket.
		 * @param apiTokensRate the rate
		 * @return this builder
		 */
		public Builder apiTokensRate(@Nullable Double apiTokensRate) {
			this.apiTokensRate = apiTokensRate;
			return this;
		}

		public Builder apiTokensPeriod(Duration apiTokensPeriod) {
			this.apiTokensPeriod = apiTokensPeriod;
			return this;
		}

		/**
		 * The API-token bucket's burst size; {@code null} for the default, the rate
		 * rounded up.
		 * @param apiTokensBucketCapacity the capacity
		 * @return this builder
		 */
		public Builder apiTokensBucketCapacity(@Nullable Long apiTokensBucketCapacity) {
			this.apiTokensBucketCapacity = apiTokensBucketCapacity;
			return this;
		}

		public Builder numWorkers(int numWorkers) {
			this.numWorkers = numWorkers;
			return this;
		}

		public Builder queueFullPolicy(QueueFullPolicy queueFullPolicy) {
			this.queueFullPolicy = queueFullPolicy;
			return this;
		}

		public Builder submitTimeout(Duration submitTimeout) {
			this.submitTimeout = submitTimeout;
			return this;
		}

		public Builder shutdownTimeout(Duration shutdownTimeout) {
			this.shutdownTimeout = shutdownTimeout;
			return this;
		}

		public Builder recentCapacity(int recentCapacity) {
			this.recentCapacity = recentCapacity;
			return this;
		}

		public Builder maxLogEntries(int maxLogEntries) {
			this.maxLogEntries = maxLogEntries;
			return this;
		}

		public Builder redactHeaders(List<String> redactHeaders) {
			this.redactHeaders = List.copyOf(redactHeaders);
			return this;
		}

		/**
		 * How usage true-up, provider rate-limit headers and pauses on 429 keep the
		 * buckets in line with the provider; every feature on by default.
		 * @param budget the budget settings
		 * @return this builder
		 */
		public Builder budget(BudgetSettings budget) {
			this.budget = budget;
			return this;
		}

		/**
		 * Validates and builds the settings.
		 * @return the settings
		 * @throws InvalidExecutorSettingException naming the setting at fault
		 */
		public ExecutorSettings build() {
			require(this.name != null && !this.name.isBlank() && this.name.chars().noneMatch(Character::isWhitespace),
					"name", this.name, "a non-empty name without spaces");
			require(this.queueCapacity >= 1, "queueCapacity", this.queueCapacity, "at least 1");
			require(this.concurrencyLimit >= 1, "concurrencyLimit", this.concurrencyLimit, "at least 1");
			require(this.numWorkers >= 1, "numWorkers", this.numWorkers, "at least 1");
			requirePositive(this.requestsPeriod, "requestsPeriod");
			requireRate(this.requestsRate, this.requestsPeriod, "requestsRate");
			long requestsCapacity = (this.requestsBucketCapacity != null) ? this.requestsBucketCapacity
					: (long) Math.ceil(this.requestsRate);
			require(requestsCapacity >= 1, "requestsBucketCapacity", this.requestsBucketCapacity, "at least 1");
			requirePositive(this.apiTokensPeriod, "apiTokensPeriod");
			Long apiTokensCapacity = null;
			if (this.apiTokensRate != null) {
				requireRate(this.apiTokensRate, this.apiTokensPeriod, "apiTokensRate");
				apiTokensCapacity = (this.apiTokensBucketCapacity != null) ? this.apiTokensBucketCapacity
						: (long) Math.ceil(this.apiTokensRate);
				require(apiTokensCapacity >= 1, "apiTokensBucketCapacity", this.apiTokensBucketCapacity,
						"at least 1");
			}
			require(this.queueFullPolicy != null, "queueFullPolicy", null, "REJECT or WAIT");
			requirePositive(this.submitTimeout, "submitTimeout");
			requireNotNegative(this.shutdownTimeout, "shutdownTimeout");
			require(this.recentCapacity >= 0, "recentCapacity", this.recentCapacity, "0 or more");
			require(this.maxLogEntries >= 0, "maxLogEntries", this.maxLogEntries, "0 or more");
			Objects.requireNonNull(this.redactHeaders, "redactHeaders");
			require(this.budget != null, "budget", null, "budget settings");
			return new ExecutorSettings(this.name, this.queueCapacity, this.concurrencyLimit, this.requestsRate,
					this.requestsPeriod, requestsCapacity, this.apiTokensRate, this.apiTokensPeriod, apiTokensCapacity,
					this.numWorkers, this.queueFullPolicy, this.submitTimeout, this.shutdownTimeout,
					this.recentCapacity, this.maxLogEntries, this.redactHeaders, this.budget);
		}

		private static void require(boolean valid, String setting, @Nullable Object value, String expected) {
			if (!valid) {
				throw new InvalidExecutorSettingException(setting, value, expected);
			}
		}

		private static void requirePositive(@Nullable Duration duration, String setting) {
			require(duration != null && !duration.isNegative() && !duration.isZero(), setting, duration,
					"a duration greater than 0");
		}

		private static void requireNotNegative(@Nullable Duration duration, String setting) {
			require(duration != null && !duration.isNegative(), setting, duration, "a duration of 0 or more");
		}

		private static void requireRate(double rate, Duration period, String setting) {
			require(rate > 0 && !Double.isInfinite(rate), setting, rate, "a number greater than 0");
			require(rate / period.toNanos() <= BucketSettings.MAX_TOKENS_PER_NANOSECOND, setting, rate,
					"at most 1 token per nanosecond of the period (" + period + ")");
		}

	}

}
