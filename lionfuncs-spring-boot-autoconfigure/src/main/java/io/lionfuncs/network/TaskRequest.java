package io.lionfuncs.network;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

/**
 * A call to hand to an {@link Executor}, with what the executor records about it. The
 * call is a supplier of an asynchronous result, invoked only when the executor lets the
 * call leave: it must return promptly and do its I/O asynchronously. A request built
 * with {@link #lease()} has no call: it asks for a {@link Lease}, and the caller makes
 * the call.
 *
 * <pre class="code">
 * TaskRequest request = TaskRequest.ofStage(() -&gt; httpClient.sendAsync(...).thenApply(...))
 *     .endpointUrl("https://api.example.com/v1/chat")
 *     .method("POST")
 *     .numApiTokensNeeded(1200)
 *     .build();
 * </pre>
 */
public final class TaskRequest {

	private final @Nullable Supplier<?> call;

	private final boolean reactive;

	private final @Nullable String endpointUrl;

	private final @Nullable String method;

	private final Map<String, ?> headers;

	private final @Nullable Object payload;

	private final long numApiTokensNeeded;

	private final Map<String, Object> metadata;

	private TaskRequest(Builder builder) {
		this.call = builder.call;
		this.reactive = builder.reactive;
		this.endpointUrl = builder.endpointUrl;
		this.method = builder.method;
		this.headers = builder.headers;
		this.payload = builder.payload;
		this.numApiTokensNeeded = builder.numApiTokensNeeded;
		this.metadata = builder.metadata;
	}

	/**
	 * Starts a request whose call completes a {@link CompletionStage}.
	 * @param call supplies the call's result when the executor starts it
	 * @return a builder
	 */
	public static Builder ofStage(Supplier<? extends CompletionStage<? extends CallResult>> call) {
		Objects.requireNonNull(call, "call must not be null");
		return new Builder(call, false);
	}

	/**
	 * Starts a request whose call is a Reactor {@link Mono}, subscribed when the executor
	 * starts it and cancelled if the request is cancelled.
	 * @param call supplies the call's result when the executor starts it
	 * @return a builder
	 */
	public static Builder ofMono(Supplier<? extends Mono<? extends CallResult>> call) {
		Objects.requireNonNull(call, "call must not be null");
		return new Builder(call, true);
	}

	/**
	 * Starts a request for a {@link Lease}: the caller makes the call itself once the
	 * executor grants the lease ({@link Executor#leaseAsync}, {@link Executor#lease},
	 * {@link Executor#acquireLease}).
	 * @return a builder
	 */
	public static Builder lease() {
		return new Builder(null, false);
	}

	/**
	 * The call: a supplier of a {@link Mono} when {@link #isReactive()}, else of a
	 * {@link CompletionStage}; {@code null} for a lease's request.
	 */
	@Nullable Supplier<?> call() {
		return this.call;
	}

	boolean isReactive() {
		return this.reactive;
	}

	public @Nullable String endpointUrl() {
		return this.endpointUrl;
	}

	public @Nullable String method() {
		return this.method;
	}

	public Map<String, ?> headers() {
		return this.headers;
	}

	public @Nullable Object payload() {
		return this.payload;
	}

	public long numApiTokensNeeded() {
		return this.numApiTokensNeeded;
	}

	public Map<String, Object> metadata() {
		return this.metadata;
	}

	/**
	 * Builds a {@link TaskRequest}.
	 */
	public static final class Builder {

		// Kept as a flag and an untyped supplier rather than a wrapper object: one object
		// less per request on the executor's hot path.
		private final @Nullable Supplier<?> call;

		private final boolean reactive;

		private @Nullable String endpointUrl;

		private @Nullable String method;

		private Map<String, ?> headers = Map.of();

		private @Nullable Object payload;

		private long numApiTokensNeeded;

		private Map<String, Object> metadata = Map.of();

		private Builder(@Nullable Supplier<?> call, boolean reactive) {
			this.call = call;
			this.reactive = reactive;
		}

		/**
		 * The URL (or URI template) called, for tracking.
		 * @param endpointUrl the URL
		 * @return this builder
		 */
		public Builder endpointUrl(@Nullable String endpointUrl) {
			this.endpointUrl = endpointUrl;
			return this;
		}

		/**
		 * The HTTP method, for tracking.
		 * @param method the method
		 * @return this builder
		 */
		public Builder method(@Nullable String method) {
			this.method = method;
			return this;
		}

		/**
		 * The request headers, for tracking; sensitive values are redacted when recorded.
		 * @param headers the headers
		 * @return this builder
		 */
		public Builder headers(@Nullable Map<String, ?> headers) {
			this.headers = (headers != null) ? headers : Map.of();
			return this;
		}

		/**
		 * The request payload, kept by reference for tracking.
		 * @param payload the payload
		 * @return this builder
		 */
		public Builder payload(@Nullable Object payload) {
			this.payload = payload;
			return this;
		}

		/**
		 * API tokens to reserve from the executor's API-token bucket before the call.
		 * @param numApiTokensNeeded tokens, zero or more
		 * @return this builder
		 */
		public Builder numApiTokensNeeded(long numApiTokensNeeded) {
			if (numApiTokensNeeded < 0) {
				throw new IllegalArgumentException("numApiTokensNeeded must be 0 or more but was " + numApiTokensNeeded);
			}
			this.numApiTokensNeeded = numApiTokensNeeded;
			return this;
		}

		/**
		 * Custom metadata kept on the event.
		 * @param metadata the metadata
		 * @return this builder
		 */
		public Builder metadata(@Nullable Map<String, ?> metadata) {
			this.metadata = (metadata == null || metadata.isEmpty()) ? Map.of()
					: java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
			return this;
		}

		/**
		 * Builds the request.
		 * @return the request
		 */
		public TaskRequest build() {
			return new TaskRequest(this);
		}

	}

}
