package io.lionfuncs.reliability;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.event.CircuitBreakerEvent;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.event.RetryEvent;

/**
 * Counts what a Resilience4j circuit breaker and retry report through their event
 * publishers, and keeps every failure that was retried although it should not have
 * been.
 */
final class ResilienceCounts {

	private final Map<CircuitBreakerEvent.Type, LongAdder> breaker = new ConcurrentHashMap<>();

	private final Map<RetryEvent.Type, LongAdder> retry = new ConcurrentHashMap<>();

	private final LongAdder opened = new LongAdder();

	private final List<String> wronglyRetried = new CopyOnWriteArrayList<>();

	private ResilienceCounts() {
	}

	/**
	 * Starts counting.
	 * @param circuitBreaker the breaker
	 * @param retry the retry
	 * @param retryable which failures may be retried
	 * @return the counts, updated as events arrive
	 */
	static ResilienceCounts watch(CircuitBreaker circuitBreaker, Retry retry, Predicate<Throwable> retryable) {
		ResilienceCounts counts = new ResilienceCounts();
		circuitBreaker.getEventPublisher().onEvent((event) -> counts.count(counts.breaker, event.getEventType()));
		circuitBreaker.getEventPublisher().onStateTransition((event) -> {
			if (event.getStateTransition().getToState() == CircuitBreaker.State.OPEN) {
				counts.opened.increment();
			}
		});
		retry.getEventPublisher().onEvent((event) -> counts.count(counts.retry, event.getEventType()));
		retry.getEventPublisher().onRetry((event) -> {
			if (!retryable.test(event.getLastThrowable())) {
				counts.wronglyRetried.add(String.valueOf(event.getLastThrowable()));
			}
		});
		return counts;
	}

	private <K> void count(Map<K, LongAdder> counts, K key) {
		counts.computeIfAbsent(key, (k) -> new LongAdder()).increment();
	}

	long breaker(CircuitBreakerEvent.Type type) {
		LongAdder count = this.breaker.get(type);
		return (count != null) ? count.sum() : 0;
	}

	long retry(RetryEvent.Type type) {
		LongAdder count = this.retry.get(type);
		return (count != null) ? count.sum() : 0;
	}

	/** Transitions of the breaker to {@code OPEN}. */
	long opened() {
		return this.opened.sum();
	}

	/** Failures that were retried although not retryable. */
	List<String> wronglyRetried() {
		return this.wronglyRetried;
	}

}
