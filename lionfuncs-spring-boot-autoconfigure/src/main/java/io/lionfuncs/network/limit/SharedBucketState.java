package io.lionfuncs.network.limit;

import java.time.Duration;
import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * The state, at one moment, of a bucket kept in a store shared by replicas (Redis): the
 * store's availability, the policy followed while it is unavailable, and where
 * reservations go now.
 *
 * @param key the bucket's key in the store
 * @param status the store's availability: {@code CONNECTING}, {@code AVAILABLE} or
 * {@code UNAVAILABLE}
 * @param since when the store entered that status
 * @param error why the store is unavailable, {@code null} otherwise
 * @param failurePolicy what happens while the store is unavailable:
 * {@code fail-closed} or {@code fail-open}
 * @param expectedReplicas the replicas sharing the bucket, for the fail-open share
 * @param mode where reservations go now: {@code REDIS}, {@code LOCAL_FALLBACK},
 * {@code WAITING_FOR_REDIS} or {@code FAILING_CLOSED}
 * @param fallbackReservations reservations made in the local fallback bucket so far
 * @param failedReservations reservations failed because the store was unavailable so
 * far
 * @param waitingReservations reservations waiting for the store to answer again now
 * @param maxUnavailableWait how long reservations wait for an unavailable store under
 * {@code fail-closed}, from the start of the outage, before they fail
 */
public record SharedBucketState(String key, String status, Instant since, @Nullable String error,
		String failurePolicy, int expectedReplicas, String mode, long fallbackReservations,
		long failedReservations, long waitingReservations, Duration maxUnavailableWait) {

	/** The {@link #status()} of a store that answers. */
	public static final String AVAILABLE = "AVAILABLE";

	/** The {@link #status()} of a store that failed or timed out. */
	public static final String UNAVAILABLE = "UNAVAILABLE";

	/**
	 * Whether the store answers now.
	 * @return {@code true} when {@link #status()} is {@value #AVAILABLE}
	 */
	public boolean isAvailable() {
		return AVAILABLE.equals(this.status);
	}

}
