package io.lionfuncs.autoconfigure;

import io.lionfuncs.network.limit.TokenBucketFactory;

/**
 * Creates the token buckets of executors whose {@code rate-limiter.store} is
 * {@code redis}. A bean when Redis support (Spring Data Redis with Lettuce, and
 * Bucket4j's Lettuce integration) is on the classpath; its type names no Redis class, so
 * that {@link LionfuncsExecutorFactory} loads without them.
 *
 * @since 0.1.0
 */
@FunctionalInterface
interface RedisTokenBuckets {

	/**
	 * A factory of Redis-backed buckets for one executor.
	 * @param rateLimiter the executor's rate-limiter properties
	 * @param prefix the full key of those properties, such as
	 * {@code lionfuncs.executor.rate-limiter}, for error messages
	 * @return the factory
	 * @throws InvalidLionfuncsPropertyException when Redis is not configured
	 */
	TokenBucketFactory bucketFactory(LionfuncsProperties.RateLimiter rateLimiter, String prefix);

}
