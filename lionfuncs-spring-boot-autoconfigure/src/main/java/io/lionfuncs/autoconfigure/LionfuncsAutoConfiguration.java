package io.lionfuncs.autoconfigure;

import io.github.bucket4j.Bucket;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.RequestObservationConvention;
import io.lionfuncs.network.RequestStatusListener;
import io.lionfuncs.network.budget.ExecutorPauseListener;
import io.lionfuncs.network.UsageExtractor;
import io.micrometer.observation.ObservationRegistry;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.context.LifecycleProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.LifecycleProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.context.support.AbstractApplicationContext;
import org.springframework.core.env.Environment;

/**
 * Auto-configuration for the default lionfuncs {@link Executor}
 * ({@code lionfuncs.executor.*}; always present, and {@code @Primary} over the executors
 * of named clients), the lifecycle of every executor (started before the web server,
 * drained alongside its graceful shutdown). A {@link UsageExtractor} bean reads the API
 * tokens calls used, instead of the {@code usage.json-pointers}. With an
 * {@link ObservationRegistry} bean (Boot's), every executor observes its requests as
 * {@code lionfuncs.request} and traces continue through it into the calls; a
 * {@link RequestObservationConvention} bean replaces the default convention. Unknown
 * {@code lionfuncs.*} properties are reported in a warning at start-up.
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
	UnknownPropertiesCheck lionfuncsUnknownPropertiesCheck(Environment environment) {
		return new UnknownPropertiesCheck(environment);
	}

	@Bean
	@ConditionalOnMissingBean
	LionfuncsExecutorFactory lionfuncsExecutorFactory(LionfuncsProperties properties,
			ObjectProvider<RedisTokenBuckets> redisTokenBuckets, ObjectProvider<UsageExtractor> usageExtractor,
			ObjectProvider<ObservationRegistry> observationRegistry,
			ObjectProvider<RequestObservationConvention> observationConvention) {
		return new LionfuncsExecutorFactory(properties, redisTokenBuckets::getIfAvailable,
				usageExtractor::getIfUnique, observationRegistry::getIfUnique, observationConvention::getIfUnique);
	}

	@Bean
	@Primary
	@Qualifier("default")
	@ConditionalOnMissingBean
	Executor lionfuncsExecutor(LionfuncsExecutorFactory executorFactory) {
		return executorFactory.createDefault();
	}

	@Bean
	@ConditionalOnMissingBean
	ExecutorsLifecycle lionfuncsExecutorsLifecycle(ObjectProvider<Executor> executors,
			ObjectProvider<RequestStatusListener> listeners, ObjectProvider<ExecutorPauseListener> pauseListeners) {
		return new ExecutorsLifecycle(executors, listeners, pauseListeners);
	}

	@Bean
	@ConditionalOnMissingBean
	ExecutorsGracefulShutdownLifecycle lionfuncsExecutorsGracefulShutdownLifecycle(ObjectProvider<Executor> executors,
			BeanFactory beanFactory, ObjectProvider<LifecycleProperties> lifecycleProperties, Environment environment) {
		String processorName = AbstractApplicationContext.LIFECYCLE_PROCESSOR_BEAN_NAME;
		ShutdownPhaseTimeout phaseTimeout = new ShutdownPhaseTimeout(
				() -> beanFactory.containsBean(processorName)
						? beanFactory.getBean(processorName, LifecycleProcessor.class) : null,
				() -> {
					LifecycleProperties properties = lifecycleProperties.getIfAvailable();
					return (properties != null) ? properties.getTimeoutPerShutdownPhase() : null;
				}, environment.containsProperty(ShutdownPhaseTimeout.PROPERTY));
		return new ExecutorsGracefulShutdownLifecycle(executors, phaseTimeout);
	}

}
