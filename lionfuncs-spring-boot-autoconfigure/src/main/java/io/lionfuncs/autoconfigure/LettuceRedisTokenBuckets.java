package io.lionfuncs.autoconfigure;

import io.lionfuncs.network.limit.redis.RedisBucketOptions;
import io.lionfuncs.network.limit.redis.RedisBucketStore;
import io.lionfuncs.network.limit.redis.RedisConnector;
import io.lionfuncs.network.limit.TokenBucketFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * {@link RedisTokenBuckets} in the Redis that Spring Boot's {@code spring.data.redis.*}
 * configuration describes: one {@link RedisBucketStore}, holding its own connection
 * opened from the {@link LettuceConnectionFactory}'s client (so host, credentials, SSL,
 * Sentinel or cluster, and client resources are Boot's), created when the first executor
 * asks for it and closed with the context.
 *
 * @since 0.1.0
 */
class LettuceRedisTokenBuckets implements RedisTokenBuckets, DisposableBean {

	private final ObjectProvider<LettuceConnectionFactory> connectionFactory;

	private volatile @Nullable RedisBucketStore store;

	LettuceRedisTokenBuckets(ObjectProvider<LettuceConnectionFactory> connectionFactory) {
		this.connectionFactory = connectionFactory;
	}

	@Override
	public TokenBucketFactory bucketFactory(LionfuncsProperties.RateLimiter rateLimiter, String prefix) {
		RedisBucketOptions options = new RedisBucketOptions(rateLimiter.getKeyPrefix(),
				rateLimiter.getOnRedisFailure(), rateLimiter.getExpectedReplicas(), rateLimiter.getRedisTimeout(),
				rateLimiter.getMaxUnavailableWait());
		return store(prefix).bucketFactory(options);
	}

	private synchronized RedisBucketStore store(String prefix) {
		RedisBucketStore current = this.store;
		if (current == null) {
			LettuceConnectionFactory factory = this.connectionFactory.getIfAvailable();
			if (factory == null) {
				throw new InvalidLionfuncsPropertyException(prefix + ".store", "redis",
						"'local', or configure Redis with spring.data.redis.* and the Lettuce client "
								+ "(spring.data.redis.client-type=lettuce), so that a LettuceConnectionFactory "
								+ "bean exists");
			}
			current = RedisBucketStore.builder(RedisConnector.of(factory::getRequiredNativeClient)).build();
			this.store = current;
		}
		return current;
	}

	/**
	 * The store, once an executor asked for Redis buckets.
	 * @return the store, or {@code null}
	 */
	public @Nullable RedisBucketStore getStore() {
		return this.store;
	}

	@Override
	public void destroy() {
		RedisBucketStore current = this.store;
		if (current != null) {
			current.close();
		}
	}

}
