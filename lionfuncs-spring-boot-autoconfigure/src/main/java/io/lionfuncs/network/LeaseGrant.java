package io.lionfuncs.network;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;

/**
 * The holder's side of a lease whose call the executor does not make: the future that
 * grants it, and what to run when the executor ends it first.
 */
final class LeaseGrant {

	private static final Logger logger = LoggerFactory.getLogger(LeaseGrant.class);

	final CompletableFuture<Lease> granted = new CompletableFuture<>();

	/** Set before the timer that bounds the whole wait cancels the lease. */
	volatile boolean timedOut;

	/** The timer bounding the whole wait, if any. */
	volatile @Nullable Disposable timeout;

	private @Nullable List<Consumer<String>> onRevoke;

	private @Nullable String revokedBecause;

	/**
	 * Hands the lease to its holder, or ends it when the holder stopped waiting.
	 */
	void grant(Lease lease) {
		disposeTimeout();
		if (!this.granted.complete(lease)) {
			lease.close();
		}
	}

	/**
	 * Tells the holder that the lease ended without its outcome: a waiting holder gets the
	 * rejection; a holder of a granted lease its revoke actions.
	 */
	void ended(NetworkRequestEvent event, TaskRejectedException.Reason reason, String message) {
		disposeTimeout();
		if (!this.granted.isDone()) {
			this.granted.completeExceptionally(new TaskRejectedException(reason, message, event));
			return;
		}
		if (this.granted.isCompletedExceptionally()) {
			// Told already (a rejection), or the holder stopped waiting.
			return;
		}
		List<Consumer<String>> actions;
		synchronized (this) {
			this.revokedBecause = message;
			actions = this.onRevoke;
			this.onRevoke = null;
		}
		if (actions != null) {
			actions.forEach((action) -> revoke(action, message));
		}
	}

	void onRevoke(Consumer<String> action) {
		String reason;
		synchronized (this) {
			reason = this.revokedBecause;
			if (reason == null) {
				if (this.onRevoke == null) {
					this.onRevoke = new ArrayList<>(2);
				}
				this.onRevoke.add(action);
				return;
			}
		}
		revoke(action, reason);
	}

	private static void revoke(Consumer<String> action, String reason) {
		try {
			action.accept(reason);
		}
		catch (RuntimeException ex) {
			logger.warn("Revoke action {} of a lease failed", action, ex);
		}
	}

	private void disposeTimeout() {
		Disposable current = this.timeout;
		if (current != null) {
			current.dispose();
		}
	}

}
