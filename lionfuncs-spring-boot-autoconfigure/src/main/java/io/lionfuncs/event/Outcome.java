package io.lionfuncs.event;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;

/**
 * What one call of a handler gave: taken, failed (try again later) or refused for good
 * ({@link UndeliverableEventException}). Whatever a handler throws becomes an outcome;
 * only a JVM error other than a stack overflow goes on.
 *
 * @param kind the kind of outcome
 * @param reason why, for the log
 * @param error what the handler threw, if it threw
 */
record Outcome(Kind kind, String reason, @Nullable Throwable error) {

	static final Outcome SENT = new Outcome(Kind.SENT, "sent", null);

	/** Calls the handler on the calling thread. */
	static Outcome of(EventHandler handler, Event event) {
		try {
			return handler.sendEvent(event) ? SENT : new Outcome(Kind.FAILED, "returned false", null);
		}
		catch (Throwable ex) {
			return failure(ex);
		}
	}

	/** Calls the handler's asynchronous form; the stage never completes exceptionally. */
	static CompletionStage<Outcome> ofAsync(EventHandler handler, Event event) {
		CompletionStage<Boolean> sent;
		try {
			sent = handler.sendEventAsync(event);
		}
		catch (Throwable ex) {
			return CompletableFuture.completedFuture(failure(ex));
		}
		return sent.handle((taken, ex) -> (ex != null) ? failure(ex)
				: Boolean.TRUE.equals(taken) ? SENT : new Outcome(Kind.FAILED, "returned false", null));
	}

	private static Outcome failure(Throwable thrown) {
		Throwable ex = (thrown instanceof CompletionException && thrown.getCause() != null) ? thrown.getCause()
				: thrown;
		if (ex instanceof VirtualMachineError && !(ex instanceof StackOverflowError)) {
			throw (VirtualMachineError) ex;
		}
		if (ex instanceof UndeliverableEventException) {
			return new Outcome(Kind.REJECTED, String.valueOf(ex.getMessage()), ex);
		}
		if (ex instanceof EventDeliveryException) {
			return new Outcome(Kind.FAILED, String.valueOf(ex.getMessage()), ex);
		}
		return new Outcome(Kind.FAILED, ex.toString(), ex);
	}

	boolean isSent() {
		return this.kind == Kind.SENT;
	}

	enum Kind {

		SENT, FAILED, REJECTED

	}

}
