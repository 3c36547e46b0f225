package io.lionfuncs.network;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The forms a lease is taken in besides the future of {@link Admission#lease}: a
 * {@link Mono}, and a blocking wait bounded over the whole wait.
 */
final class LeaseForms {

	/** How long a blocking wait may exceed its bound when the executor's timer lags. */
	private static final Duration GRACE = Duration.ofSeconds(30);

	private LeaseForms() {
	}

	/**
	 * A mono taking a lease when subscribed, bounded over the whole wait unless
	 * {@code maxWait} is {@code null}. A cancelled subscription cancels the request before
	 * the grant, or the lease it was granted.
	 */
	static Mono<Lease> mono(Admission admission, TaskRequest request, @Nullable Duration maxWait) {
		return Mono.<Lease>create((sink) -> {
			CompletableFuture<Lease> granted = admission.lease(request, maxWait);
			sink.onCancel(() -> {
				if (!granted.cancel(false)) {
					granted.thenAccept(Lease::close);
				}
			});
			granted.whenComplete((lease, ex) -> {
				if (ex != null) {
					sink.error(unwrap(ex));
				}
				else {
					sink.success(lease);
				}
			});
		}).doOnDiscard(Lease.class, Lease::close);
	}

	/**
	 * Waits on this thread for a lease, at most {@code maxWait} in all.
	 */
	static Lease await(Admission admission, String executorName, TaskRequest request, Duration maxWait) {
		if (Schedulers.isInNonBlockingThread()) {
			throw new IllegalStateException("Waiting for a lease of executor '" + executorName
					+ "' would block non-blocking thread " + Thread.currentThread().getName()
					+ "; use lease(...) or leaseAsync(...) from reactive code");
		}
		CompletableFuture<Lease> granted = admission.lease(request, maxWait);
		try {
			// The executor's timer ends the wait; the bound here is only a safety net.
			return granted.get(maxWait.plus(GRACE).toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			granted.cancel(false);
			throw new TaskRejectedException(TaskRejectedException.Reason.CANCELLED,
					"Interrupted while waiting for a lease of executor '" + executorName + "'", null);
		}
		catch (ExecutionException ex) {
			Throwable cause = unwrap(ex);
			throw (cause instanceof RuntimeException runtime) ? runtime
					: new TaskRejectedException(TaskRejectedException.Reason.FAILED, String.valueOf(cause), null);
		}
		catch (TimeoutException ex) {
			granted.cancel(false);
			throw new TaskRejectedException(TaskRejectedException.Reason.TIMED_OUT,
					"No lease of executor '" + executorName + "' within " + maxWait, null);
		}
	}

	private static Throwable unwrap(Throwable failure) {
		Throwable cause = failure;
		while ((cause instanceof ExecutionException || cause instanceof CompletionException)
				&& cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

}
