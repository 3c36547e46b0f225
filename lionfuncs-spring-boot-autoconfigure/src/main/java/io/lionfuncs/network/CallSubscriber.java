package io.lionfuncs.network;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

import io.lionfuncs.network.budget.ResponseObserver;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Subscribes to a reactive call for the {@link Executor}: hands its one result (or
 * error, or emptiness) back, and cancels the call when the request is cancelled. When
 * the executor's budget reads responses, the call's context offers this subscriber as a
 * {@link ResponseObserver}, so that each attempt of a retrying client is reported as it
 * arrives.
 */
final class CallSubscriber implements CoreSubscriber<CallResult>, Disposable, ResponseObserver {

	@SuppressWarnings("rawtypes")
	private static final AtomicReferenceFieldUpdater<CallSubscriber, Subscription> SUBSCRIPTION = AtomicReferenceFieldUpdater
		.newUpdater(CallSubscriber.class, Subscription.class, "subscription");

	private final Executor executor;

	private final ExecutorTask task;

	private final Context context;

	private volatile @Nullable Subscription subscription;

	private volatile boolean responsesObserved;

	private boolean done;

	CallSubscriber(Executor executor, ExecutorTask task) {
		this.executor = executor;
		this.task = task;
		this.context = executor.budget().observesResponses() ? Context.of(ResponseObserver.CONTEXT_KEY, this)
				: Context.empty();
	}

	@Override
	public Context currentContext() {
		return this.context;
	}

	@Override
	public void onResponse(int statusCode, Map<String, String> headers) {
		this.responsesObserved = true;
		this.executor.budget().onResponse(statusCode, headers);
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
		this.executor.complete(this.task, result, null, this.responsesObserved);
	}

	@Override
	public void onError(Throwable error) {
		if (this.done) {
			return;
		}
		this.done = true;
		this.executor.complete(this.task, null, error, this.responsesObserved);
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
