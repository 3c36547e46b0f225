package io.lionfuncs.network.limit;

import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;

/**
 * A {@link BucketView} over a bucket that cannot be cast back to the bucket.
 */
final class ReadOnlyBucketView implements BucketView {

	private final BucketView bucket;

	ReadOnlyBucketView(BucketView bucket) {
		this.bucket = bucket;
	}

	@Override
	public BucketSettings settings() {
		return this.bucket.settings();
	}

	@Override
	public long availableTokens() {
		return this.bucket.availableTokens();
	}

	@Override
	public CompletionStage<Long> readAvailableTokens() {
		return this.bucket.readAvailableTokens();
	}

	@Override
	public boolean isSynchronous() {
		return this.bucket.isSynchronous();
	}

	@Override
	public String storeType() {
		return this.bucket.storeType();
	}

	@Override
	public @Nullable SharedBucketState sharedState() {
		return this.bucket.sharedState();
	}

	@Override
	public String toString() {
		return this.bucket.toString();
	}

}
