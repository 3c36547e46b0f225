package io.lionfuncs.autoconfigure.actuate.metrics;

import io.lionfuncs.autoconfigure.LionfuncsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsClientAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsEventsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsNamedClientsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsRedisAutoConfiguration;
import io.lionfuncs.autoconfigure.actuate.RedisRateLimiters;
import io.lionfuncs.event.EventManager;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.client.AsyncApiClient;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration for the meters of the lionfuncs executors and of the connections of
 * the lionfuncs clients.
 *
 * @since 0.1.0
 */
@AutoConfiguration(
		after = { LionfuncsAutoConfiguration.class, LionfuncsClientAutoConfiguration.class,
				LionfuncsEventsAutoConfiguration.class,
				LionfuncsNamedClientsAutoConfiguration.class, LionfuncsRedisAutoConfiguration.class },
		afterName = "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration")
@ConditionalOnClass({ MeterRegistry.class, Executor.class })
@ConditionalOnBooleanProperty(name = "lionfuncs.enabled", matchIfMissing = true)
public final class LionfuncsMetricsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ExecutorMeterBinder lionfuncsExecutorMeterBinder(ObjectProvider<Executor> executors) {
		return new ExecutorMeterBinder(executors.orderedStream().toList());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(EventManager.class)
	@ConditionalOnBean(EventManager.class)
	static class EventManagerMetricsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		EventManagerMeterBinder lionfuncsEventManagerMeterBinder(EventManager eventManager) {
			return new EventManagerMeterBinder(eventManager);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ AsyncApiClient.class, HttpClient.class })
	static class ConnectionMetersConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ConnectionMeterBinder lionfuncsConnectionMeterBinder(ObjectProvider<AsyncApiClient> clients) {
			return new ConnectionMeterBinder(clients.orderedStream().toList());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(type = RedisRateLimiters.BUCKETS_BEAN_TYPE)
	static class RedisConfiguration {

		@Bean
		@ConditionalOnMissingBean
		RedisRateLimiterMeterBinder lionfuncsRedisMeterBinder(ObjectProvider<Executor> executors) {
			return new RedisRateLimiterMeterBinder(() -> executors.orderedStream().toList());
		}

	}

}
