package io.lionfuncs.network.client;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * What one call remembers across its attempts: the last failure (the cause of a
 * {@link CircuitBreakerOpenException}) and the earliest instant a {@code Retry-After}
 * allows the next attempt. The client enforces that instant itself, so that
 * {@code Retry-After} holds whatever {@code Retry} is configured, even one whose delays
 * ignore it.
 */
final class CallState {

	private final Scheduler scheduler = Schedulers.parallel();

	private volatile @Nullable Throwable lastFailure;

	private volatile long notBeforeNanos;

	private volatile boolean waitRequired;

	/**
	 * Wraps an attempt so that, when subscribed again for a retry, it first waits out
	 * the last {@code Retry-After}.
	 */
	<T> Mono<T> afterRetryAfter(Mono<T> attempt) {
		return Mono.defer(() -> {
			if (!this.waitRequired) {
				return attempt;
			}
			long waitNanos = this.notBeforeNanos - this.scheduler.now(TimeUnit.NANOSECONDS);
			return (waitNanos > 0) ? Mono.delay(Duration.ofNanos(waitNanos), this.scheduler).then(attempt) : attempt;
		});
	}

	/**
	 * Records an attempt's failure.
	 */
	void failed(Throwable failure) {
		this.lastFailure = failure;
		Duration retryAfter = ApiFailures.retryAfter(failure);
		if (retryAfter != null) {
			this.notBeforeNanos = this.scheduler.now(TimeUnit.NANOSECONDS) + retryAfter.toNanos();
			this.waitRequired = true;
		}
	}

	@Nullable Throwable lastFailure() {
		return this.lastFailure;
	}

}
