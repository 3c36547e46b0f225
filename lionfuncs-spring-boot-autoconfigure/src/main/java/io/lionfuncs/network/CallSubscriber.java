package io.lionfuncs.network;

import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Subscribes to a reactive call for its task: hands its one result (or error, or
 * emptiness) to the task, and cancels the call when the request is cancelled. Its
 * context is the call's: when the executor's budget reads responses, it offers the task
 * as its {@link ResponseObserver}, so that each attempt of a retrying client is reported
 * as it arrives, and when the executor traces, it carries the caller's context.
 */
final class CallSubscriber implements CoreSubscriber<CallResult>, Disposable {

	@SuppressWarnings("rawtypes")
	private static final AtomicReferenceFieldUpdater<CallSubscriber, Subscription> SUBSCRIPTION = AtomicReferenceFieldUpdater
		.newUpdater(CallSubscriber.class, Subscription.class, "subscription");

	private final ExecutorTask task;

	private final Context context;

	private volatile @Nullable Subscription subscription;

	private boolean done;

	CallSubscriber(ExecutorTask task, Context context) {
		this.task = task;
		this.context = context;
	}

	@Override
	public Context currentContext() {
		return this.context;
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
		this.task.accept(result, null);
	}

	@Override
	public void onError(Throwable error) {
		if (this.done) {
			return;
		}
		this.done = true;
		this.task.accept(null, error);
	}

	@Override
	public void onComplete() {
		if (this.done) {
			return;
		}
		this.done = true;
		this.task.accept(null, null);
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
