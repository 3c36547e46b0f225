package io.lionfuncs.autoconfigure;

import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.RedisClient;
import io.lionfuncs.network.Executor;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AbstractDependsOnBeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

/**
 * Auto-configuration for token buckets shared in Redis
 * ({@code lionfuncs.executor.rate-limiter.store: redis}, and the same per named client),
 * on the Redis connection of Spring Boot's {@code spring.data.redis.*} configuration.
 * The actuator auto-configurations add their state to the lionfuncs health details,
 * endpoint and meters.
 *
 * @since 0.1.0
 */
@AutoConfiguration(afterName = "org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration")
@ConditionalOnClass({ Executor.class, Bucket4jLettuce.class, RedisClient.class, LettuceConnectionFactory.class })
@ConditionalOnBooleanProperty(name = "lionfuncs.enabled", matchIfMissing = true)
public final class LionfuncsRedisAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(RedisTokenBuckets.class)
	LettuceRedisTokenBuckets lionfuncsRedisTokenBuckets(ObjectProvider<LettuceConnectionFactory> connectionFactory) {
		return new LettuceRedisTokenBuckets(connectionFactory);
	}

	@Bean
	static RedisTokenBucketsDependOnConnectionFactory lionfuncsRedisTokenBucketsDependOnConnectionFactory() {
		return new RedisTokenBucketsDependOnConnectionFactory();
	}

	/**
	 * Makes the Redis buckets depend on the Lettuce connection factories, so that they
	 * close their connection before a factory shuts its client down: the buckets look
	 * the factory up only when an executor asks for them, which declares no dependency,
	 * and the client would otherwise close their connection under them.
	 */
	static final class RedisTokenBucketsDependOnConnectionFactory extends AbstractDependsOnBeanFactoryPostProcessor {

		RedisTokenBucketsDependOnConnectionFactory() {
			super(LettuceRedisTokenBuckets.class, LettuceConnectionFactory.class);
		}

	}

}
