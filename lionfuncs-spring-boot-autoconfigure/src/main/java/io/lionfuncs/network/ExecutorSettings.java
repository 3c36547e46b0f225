package io.lionfuncs.network;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

import io.lionfuncs.network.budget.BudgetSettings;
import io.lionfuncs.network.budget.InvalidExecutorSettingException;
import io.lionfuncs.network.limit.BucketSettings;
import org.jspecify.annotations.Nullable;

/**
 * The settings of an {@link Executor}, with the seed's defaults. Build with
 * {@link #builder()}; {@link Builder#build()} validates every value and names the
 * setting at fault. Immutable; {@link #toBuilder()} starts a changed copy.
 */
public final class ExecutorSettings {

	/** The name of the executor configured under {@code lionfuncs.executor}. */
	public static final String DEFAULT_NAME = "default";

	private final String name;

	private final int queueCapacity;

	private final int concurrencyLimit;

	private final double requestsRate;

	private final Duration requestsPeriod;

	private final long requestsBucketCapacity;

	private final @Nullable Double apiTokensRate;

	private final Duration apiTokensPeriod;

	private final @Nullable Long apiTokensBucketCapacity;

	private final int numWorkers;

	private final QueueFullPolicy queueFullPolicy;

	private final Duration submitTimeout;

	private final Duration shutdownTimeout;

	private final int recentCapacity;

	private final int maxLogEntries;

	private final List<String> redactHeaders;

	private final BudgetSettings budget;

	private ExecutorSettings(Builder builder, long requestsBucketCapacity, @Nullable Long apiTokensBucketCapacity) {
		this.name = builder.name;
		this.queueCapacity = builder.queueCapacity;
		this.concurrencyLimit = builder.concurrencyLimit;
		this.requestsRate = builder.requestsRate;
		this.requestsPeriod = builder.requestsPeriod;
		this.requestsBucketCapacity = requestsBucketCapacity;
		this.apiTokensRate = builder.apiTokensRate;
		this.apiTokensPeriod = builder.apiTokensPeriod;
		this.apiTokensBucketCapacity = apiTokensBucketCapacity;
		this.numWorkers = builder.numWorkers;
		this.queueFullPolicy = builder.queueFullPolicy;
		this.submitTimeout = builder.submitTimeout;
		this.shutdownTimeout = builder.shutdownTimeout;
		this.recentCapacity = builder.recentCapacity;
		this.maxLogEntries = builder.maxLogEntries;
		this.redactHeaders = builder.redactHeaders;
		this.budget = builder.budget;
	}

	/**
	 * The executor's name, used in thread names, meters and Redis keys.
	 * @return the setting
	 */
	public String name() {
		return this.name;
	}

	/**
	 * Tasks that may wait in the queue.
	 * @return the setting
	 */
	public int queueCapacity() {
		return this.queueCapacity;
	}

	/**
	 * Calls in flight at once.
	 * @return the setting
	 */
	public int concurrencyLimit() {
		return this.concurrencyLimit;
	}

	/**
	 * Request tokens added per {@code requestsPeriod}.
	 * @return the setting
	 */
	public double requestsRate() {
		return this.requestsRate;
	}

	/**
	 * The request bucket's refill period.
	 * @return the setting
	 */
	public Duration requestsPeriod() {
		return this.requestsPeriod;
	}

	/**
	 * The request bucket's burst size.
	 * @return the setting
	 */
	public long requestsBucketCapacity() {
		return this.requestsBucketCapacity;
	}

	/**
	 * API tokens added per {@code apiTokensPeriod}; {@code null} disables the API-token
	 * bucket.
	 * @return the setting
	 */
	public @Nullable Double apiTokensRate() {
		return this.apiTokensRate;
	}

	/**
	 * The API-token bucket's refill period.
	 * @return the setting
	 */
	public Duration apiTokensPeriod() {
		return this.apiTokensPeriod;
	}

	/**
	 * The API-token bucket's burst size; {@code null} when the bucket is disabled.
	 * @return the setting
	 */
	public @Nullable Long apiTokensBucketCapacity() {
		return this.apiTokensBucketCapacity;
	}

	/**
	 * Dispatcher loops moving tasks from the queue to their call.
	 * @return the setting
	 */
	public int numWorkers() {
		return this.numWorkers;
	}

	/**
	 * What a submission does when the queue is full.
	 * @return the setting
	 */
	public QueueFullPolicy queueFullPolicy() {
		return this.queueFullPolicy;
	}

	/**
	 * How long a submission waits for room under {@link QueueFullPolicy#WAIT}.
	 * @return the setting
	 */
	public Duration submitTimeout() {
		return this.submitTimeout;
	}

	/**
	 * How long a graceful stop drains before cancelling the rest.
	 * @return the setting
	 */
	public Duration shutdownTimeout() {
		return this.shutdownTimeout;
	}

	/**
	 * Finished requests kept for lookup.
	 * @return the setting
	 */
	public int recentCapacity() {
		return this.recentCapacity;
	}

	/**
	 * Log entries kept per request.
	 * @return the setting
	 */
	public int maxLogEntries() {
		return this.maxLogEntries;
	}

	/**
	 * Header names redacted in addition to {@link Redactor#DEFAULT_HEADERS}.
	 * @return the setting
	 */
	public List<String> redactHeaders() {
		return this.redactHeaders;
	}

	/**
	 * How usage true-up, provider rate-limit headers and pauses on 429 keep the buckets in
	 * line with the provider.
	 * @return the setting
	 */
	public BudgetSettings budget() {
		return this.budget;
	}

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

	@Override
	public boolean equals(@Nullable Object other) {
		if (this == other) {
			return true;
		}
		if (!(other instanceof ExecutorSettings that)) {
			return false;
		}
		return Objects.equals(this.name, that.name)
				&& this.queueCapacity == that.queueCapacity
				&& this.concurrencyLimit == that.concurrencyLimit
				&& Double.compare(this.requestsRate, that.requestsRate) == 0
				&& Objects.equals(this.requestsPeriod, that.requestsPeriod)
				&& this.requestsBucketCapacity == that.requestsBucketCapacity
				&& Objects.equals(this.apiTokensRate, that.apiTokensRate)
				&& Objects.equals(this.apiTokensPeriod, that.apiTokensPeriod)
				&& Objects.equals(this.apiTokensBucketCapacity, that.apiTokensBucketCapacity)
				&& this.numWorkers == that.numWorkers
				&& Objects.equals(this.queueFullPolicy, that.queueFullPolicy)
				&& Objects.equals(this.submitTimeout, that.submitTimeout)
				&& Objects.equals(this.shutdownTimeout, that.shutdownTimeout)
				&& this.recentCapacity == that.recentCapacity
				&& this.maxLogEntries == that.maxLogEntries
				&& Objects.equals(this.redactHeaders, that.redactHeaders)
				&& Objects.equals(this.budget, that.budget);
	}

	@Override
	public int hashCode() {
		return Objects.hash(this.name, this.queueCapacity, this.concurrencyLimit, this.requestsRate,
				this.requestsPeriod, this.requestsBucketCapacity, this.apiTokensRate, this.apiTokensPeriod,
				this.apiTokensBucketCapacity, this.numWorkers, this.queueFullPolicy, this.submitTimeout,
				this.shutdownTimeout, this.recentCapacity, this.maxLogEntries, this.redactHeaders, this.budget);
	}

	@Override
	public String toString() {
		return "ExecutorSettings[name=" + this.name + ", "
				+ "queueCapacity=" + this.queueCapacity + ", "
				+ "concurrencyLimit=" + this.concurrencyLimit + ", "
				+ "requestsRate=" + this.requestsRate + ", "
				+ "requestsPeriod=" + this.requestsPeriod + ", "
				+ "requestsBucketCapacity=" + this.requestsBucketCapacity + ", "
				+ "apiTokensRate=" + this.apiTokensRate + ", "
				+ "apiTokensPeriod=" + this.apiTokensPeriod + ", "
				+ "apiTokensBucketCapacity=" + this.apiTokensBucketCapacity + ", "
				+ "numWorkers=" + this.numWorkers + ", "
				+ "queueFullPolicy=" + this.queueFullPolicy + ", "
				+ "submitTimeout=" + this.submitTimeout + ", "
				+ "shutdownTimeout=" + this.shutdownTimeout + ", "
				+ "recentCapacity=" + this.recentCapacity + ", "
				+ "maxLogEntries=" + this.maxLogEntries + ", "
				+ "redactHeaders=" + this.redactHeaders + ", "
				+ "budget=" + this.budget + "]";
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

		private int maxLogEntries = RequestLog.DEFAULT_MAX_ENTRIES;

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
			return new ExecutorSettings(this, requestsCapacity, apiTokensCapacity);
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
