package io.lionfuncs.network;

import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * Runs a {@code CALLING} request: invokes a submitted task's call and routes its
 * outcome to the task's {@link Lease} methods, or grants a lease to the caller that makes
 * the call itself.
 */
final class CallRunner {

	private final boolean observesResponses;

	private final @Nullable RequestTracing tracing;

	CallRunner(BudgetGate budget, @Nullable RequestTracing tracing) {
		this.observesResponses = budget.observesResponses();
		this.tracing = tracing;
	}

	void call(ExecutorTask task, DispatchLanes.Lane lane) {
		lane.enterCall();
		task.startingOnLane = lane.startingBatch;
		try {
			if (this.tracing == null) {
				start(task);
			}
			else {
				this.tracing.startCall(task, () -> start(task));
			}
		}
		finally {
			task.startingOnLane = false;
			lane.exitCall();
		}
	}

	@SuppressWarnings("unchecked") // the builder took the supplier with its type
	private void start(ExecutorTask task) {
		try {
			LeaseGrant grant = task.grant();
			if (grant != null) {
				grant.grant(task);
			}
			else if (task.isReactive()) {
				Mono<? extends CallResult> call = (Mono<? extends CallResult>) Objects
					.requireNonNull(task.call().get(), "call supplier returned null");
				CallSubscriber subscriber = new CallSubscriber(task, subscriberContext(task));
				task.setCancellable(subscriber);
				call.subscribe(subscriber);
			}
			else {
				CompletionStage<? extends CallResult> call = (CompletionStage<? extends CallResult>) Objects
					.requireNonNull(task.call().get(), "call supplier returned null");
				if (call.getClass() == CompletableFuture.class && ((CompletableFuture<?>) call).isDone()) {
					// Already complete (a cached or synchronous result): no dependent stage needed.
					completeFrom(task, (CompletableFuture<? extends CallResult>) call);
				}
				else {
					task.setCancellable(call);
					call.whenComplete(task);
				}
			}
		}
		catch (Throwable ex) {
			task.accept(null, ex);
		}
	}

	/**
	 * The context a reactive call is subscribed with: the task as its
	 * {@link ResponseObserver} when the budget reads responses, and the caller's context
	 * when tracing.
	 */
	private Context subscriberContext(ExecutorTask task) {
		Context context = this.observesResponses ? Context.of(ResponseObserver.CONTEXT_KEY, task) : Context.empty();
		return (this.tracing != null) ? this.tracing.subscriberContext(task, context) : context;
	}

	private static void completeFrom(ExecutorTask task, CompletableFuture<? extends CallResult> done) {
		CallResult result;
		try {
			result = done.join();
		}
		catch (CompletionException | CancellationException ex) {
			task.accept(null, ex);
			return;
		}
		task.accept(result, null);
	}

}
