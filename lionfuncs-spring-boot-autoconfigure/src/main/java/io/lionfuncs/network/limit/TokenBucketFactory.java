package io.lionfuncs.network.limit;

/**
 * Creates the token buckets of an executor. The default keeps them in the process
 * ({@link LocalTokenBucket}); other factories keep them in a store shared by replicas.
 */
@FunctionalInterface
public interface TokenBucketFactory {

	/**
	 * Creates (or connects to) one bucket.
	 * @param executorName the executor the bucket belongs to
	 * @param bucketName the bucket's role, {@code requests} or {@code api-tokens}
	 * @param settings the bucket's shape
	 * @return the bucket
	 */
	TokenBucket create(String executorName, String bucketName, BucketSettings settings);

}
