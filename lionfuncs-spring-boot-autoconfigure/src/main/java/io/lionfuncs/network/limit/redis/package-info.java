/**
 * Token buckets kept in Redis through Bucket4j's Lettuce integration, so that the
 * replicas of a service share one budget: the {@link RedisBucketStore}, its availability
 * and the policy followed while Redis is unavailable.
 */
@NullMarked
package io.lionfuncs.network.limit.redis;

import org.jspecify.annotations.NullMarked;
