package io.lionfuncs.network;

import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Operators;

/**
 * Subscribes to a reactive call for the {@link Executor}: hands its one result (or
 * error, or emptiness) back, and cancels the call when the request is cancelled.
 */
final class CallSubscriber implements CoreSubscriber<CallResult>, Disposable {

	@SuppressWarnings("rawtypes")
	private static final AtomicReferenceFieldUpdater<CallSubscriber, Subscription> SUBSCRIPTION = AtomicReferenceFieldUpdater
		.newUpdater(CallSubscriber.class, Subscription.class, "subscription");

	private final Executor executor;

	private final ExecutorTask task;

	private volatile @Nullable Subscription subscription;

	private boolean done;

	CallSubscriber(Executor executor, ExecutorTask task) {
		this.executor = executor;
		this.task = task;
	}

	@Override
	public void onSubscribe(Subscription subscription) {
		if (Operators.setOnce(SUBSCRIPTION, this, subscription)) {
			subscription.request(Long.MAX_VALUE);
		}
	}

	@Override
	public void onNext(CallResult result) {
		if (this.done) {
			return;
		}
		this.done = true;
		this.executor.complete(this.task, result, null);
	}

	@Override
	public void onError(Throwable error) {
		if (this.done) {
			return;
		}
		this.done = true;
		this.executor.complete(this.task, null, error);
	}

	@Override
	public void onComplete() {
		if (this.done) {
			return;
		}
		this.done = true;
		this.executor.complete(this.task, null, null);
	}

	@Override
	public void dispose() {
		Operators.terminate(SUBSCRIPTION, this);
	}

	@Override
	public boolean isDisposed() {
		return this.subscription == Operators.cancelledSubscription();
	}

}
