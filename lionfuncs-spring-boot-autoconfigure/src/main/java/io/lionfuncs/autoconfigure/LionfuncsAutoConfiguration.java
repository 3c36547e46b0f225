package io.lionfuncs.autoconfigure;

import io.github.bucket4j.Bucket;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.RequestStatusListener;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration for the default lionfuncs {@link Executor}
 * ({@code lionfuncs.executor.*}), the lifecycle of every executor, and the
 * republishing of request status changes as {@link RequestStatusChangedEvent}s.
 *
 * @since 0.1.0
 */
@AutoConfiguration
@ConditionalOnClass({ Executor.class, Mono.class, Bucket.class })
@ConditionalOnBooleanProperty(name = "lionfuncs.enabled", matchIfMissing = true)
@EnableConfigurationProperties(LionfuncsProperties.class)
public final class LionfuncsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	LionfuncsExecutorFactory lionfuncsExecutorFactory(LionfuncsProperties properties,
			ObjectProvider<RedisTokenBuckets> redisTokenBuckets) {
		return new LionfuncsExecutorFactory(properties, redisTokenBuckets::getIfAvailable);
	}

	@Bean
	@Qualifier("default")
	@ConditionalOnMissingBean
	Executor lionfuncsExecutor(LionfuncsExecutorFactory executorFactory) {
		return executorFactory.createDefault();
	}

	@Bean
	@ConditionalOnMissingBean
	ExecutorsLifecycle lionfuncsExecutorsLifecycle(ObjectProvider<Executor> executors,
			ObjectProvider<RequestStatusListener> listeners) {
		return new ExecutorsLifecycle(executors, listeners);
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "lionfuncs.events.publish-application-events", matchIfMissing = true)
	ApplicationEventPublishingListener lionfuncsApplicationEventPublishingListener(ApplicationEventPublisher publisher,
			LionfuncsProperties properties) {
		return new ApplicationEventPublishingListener(publisher, properties.getEvents().getApplicationEventStatuses());
	}

}
