package io.lionfuncs.network;

import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import reactor.core.publisher.Mono;

/**
 * Runs a {@code CALLING} request: invokes a submitted task's call and routes its
 * outcome to the task's {@link Lease} methods, or grants a lease to the caller that makes
 * the call itself.
 */
final class CallRunner {

	private final boolean observesResponses;

	CallRunner(BudgetGate budget) {
		this.observesResponses = budget.observesResponses();
	}

	@SuppressWarnings("unchecked") // the builder took the supplier with its type
	void call(ExecutorTask task, DispatchLanes.Lane lane) {
		lane.enterCall();
		try {
			LeaseGrant grant = task.grant();
			if (grant != null) {
				grant.grant(task);
			}
			else if (task.isReactive()) {
				Mono<? extends CallResult> call = (Mono<? extends CallResult>) Objects
					.requireNonNull(task.call().get(), "call supplier returned null");
				CallSubscriber subscriber = new CallSubscriber(task, this.observesResponses);
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
		finally {
			lane.exitCall();
		}
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
