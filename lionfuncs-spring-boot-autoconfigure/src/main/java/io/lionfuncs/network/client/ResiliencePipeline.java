package io.lionfuncs.network.client;

import java.time.Duration;
import java.util.function.Consumer;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.reactor.circuitbreaker.operator.CircuitBreakerOperator;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Signal;

/**
 * What every attempt of a call goes through, inside out: a timeout, the mapping of its
 * failure to an {@link ApiClientException}, a listener told of its outcome, the circuit
 * breaker, and the retry (Resilience4j's order: every attempt counts for the breaker, an
 * open breaker stops the retries). A retry never starts before a {@code Retry-After} has
 * passed, whatever the {@link Retry}'s own delay ({@link CallState}).
 * <p>
 * The attempt is any {@code Mono} of a response: one read whole, or one that completes
 * when a streamed response's first byte arrives, so that a stream is retried only
 * before it starts.
 */
final class ResiliencePipeline {

	private static final Logger logger = LoggerFactory.getLogger(ResiliencePipeline.class);

	private final String clientName;

	private final @Nullable CircuitBreaker circuitBreaker;

	private final @Nullable Retry retry;

	private final ErrorMapper errors;

	private final Consumer<Signal<? extends ApiResponse<?>>> attemptListener;

	ResiliencePipeline(String clientName, @Nullable CircuitBreaker circuitBreaker, @Nullable Retry retry,
			ErrorMapper errors, Consumer<Signal<? extends ApiResponse<?>>> attemptListener) {
		this.clientName = clientName;
		this.circuitBreaker = circuitBreaker;
		this.retry = retry;
		this.errors = errors;
		this.attemptListener = attemptListener;
	}

	/**
	 * Wraps the attempts of one call; subscribe once per call.
	 * @param <T> the body type
	 * @param attempt one attempt, subscribed again for each retry
	 * @param target the request, for exceptions and logs
	 * @param timeout the timeout of each attempt
	 * @return the call
	 */
	<T> Mono<ApiResponse<T>> protect(Mono<ApiResponse<T>> attempt, ExchangeDetails target, Duration timeout) {
		CallState state = new CallState();
		Mono<ApiResponse<T>> call = attempt.timeout(timeout)
			.onErrorMap((ex) -> this.errors.forFailure(ex, target, timeout))
			.doOnEach(this.attemptListener);
		CircuitBreaker breaker = this.circuitBreaker;
		if (breaker != null) {
			call = call.transformDeferred(CircuitBreakerOperator.of(breaker))
				.onErrorMap(CallNotPermittedException.class,
						(ex) -> this.errors.circuitBreakerOpen(ex, breaker, target, state.lastFailure()));
		}
		if (this.retry != null) {
			call = state.afterRetryAfter(call)
				.doOnError((ex) -> attemptFailed(target, ex, state))
				.transformDeferred(RetryOperator.of(this.retry));
		}
		return call;
	}

	private void attemptFailed(ExchangeDetails target, Throwable failure, CallState state) {
		state.failed(failure);
		if (logger.isDebugEnabled()) {
			logger.debug("Client '{}': attempt of {} {} failed: {}", this.clientName, target.method(),
					target.uriTemplate(), failure.getMessage());
		}
	}

	@Nullable CircuitBreaker circuitBreaker() {
		return this.circuitBreaker;
	}

	@Nullable Retry retry() {
		return this.retry;
	}

}
