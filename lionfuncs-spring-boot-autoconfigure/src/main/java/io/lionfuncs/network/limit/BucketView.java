package io.lionfuncs.network.limit;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;

/**
 * What can be read of a token bucket without changing it: its shape, its level, and
 * where it lives. Endpoints, health and meters read buckets through this view; only the
 * executor owning a bucket reserves from it.
 */
public interface BucketView {

	/** The {@link #storeType()} of a bucket held in this process. */
	String LOCAL_STORE = "local";

	/**
	 * The bucket's configured shape.
	 * @return the settings
	 */
	BucketSettings settings();

	/**
	 * Tokens available now; negative while the bucket is in debt. Never does I/O: a
	 * bucket kept in a remote store answers with the level it last saw.
	 * @return the current level
	 */
	long availableTokens();

	/**
	 * Tokens available now, read from where the bucket lives. A remote bucket asks its
	 * store, so the answer includes what other replicas took; a local bucket answers at
	 * once with {@link #availableTokens()}.
	 * @return a stage completing with the current level
	 */
	default CompletionStage<Long> readAvailableTokens() {
		return CompletableFuture.completedFuture(availableTokens());
	}

	/**
	 * Whether the bucket answers without I/O. Buckets kept in a remote store answer
	 * reservations only asynchronously.
	 * @return {@code true} for a bucket held in this process
	 */
	default boolean isSynchronous() {
		return true;
	}

	/**
	 * Where the bucket lives.
	 * @return {@value #LOCAL_STORE} for a bucket held in this process, otherwise the
	 * store's kind, such as {@code redis}
	 */
	default String storeType() {
		return LOCAL_STORE;
	}

	/**
	 * The state of the store shared by replicas that holds this bucket, now.
	 * @return the state, or {@code null} for a bucket held in this process
	 */
	default @Nullable SharedBucketState sharedState() {
		return null;
	}

	/**
	 * A view of the given bucket that offers only what this interface reads.
	 * @param bucket the bucket
	 * @return the view
	 */
	static BucketView of(BucketView bucket) {
		return new ReadOnlyBucketView(bucket);
	}

}
