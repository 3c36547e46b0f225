package io.lionfuncs.autoconfigure.actuate.health;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lionfuncs.autoconfigure.LionfuncsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsClientAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsNamedClientsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsProperties;
import io.lionfuncs.autoconfigure.LionfuncsRedisAutoConfiguration;
import io.lionfuncs.autoconfigure.actuate.RedisRateLimiters;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.client.AsyncApiClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration for the {@link LionfuncsHealthIndicator}.
 *
 * @since 0.1.0
 */
@AutoConfiguration(
		after = { LionfuncsAutoConfiguration.class, LionfuncsClientAutoConfiguration.class,
				LionfuncsNamedClientsAutoConfiguration.class, LionfuncsRedisAutoConfiguration.class },
		beforeName = "org.springframework.boot.health.autoconfigure.contributor.HealthContributorAutoConfiguration")
@ConditionalOnClass({ HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class, Executor.class })
@ConditionalOnBooleanProperty(name = "lionfuncs.enabled", matchIfMissing = true)
@ConditionalOnBean(LionfuncsProperties.class)
@ConditionalOnEnabledHealthIndicator("lionfuncs")
public final class LionfuncsHealthContributorAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = { "lionfuncsHealthIndicator", "lionfuncsHealthContributor" })
	LionfuncsHealthIndicator lionfuncsHealthIndicator(ObjectProvider<Executor> executors,
			ObjectProvider<LionfuncsHealthIndicator.HealthDetailsContributor> contributors,
			LionfuncsProperties properties) {
		return new LionfuncsHealthIndicator(executors.orderedStream().toList(),
				contributors.orderedStream().toList(), properties.getHealth().isDownWhenQueueFull());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ AsyncApiClient.class, CircuitBreaker.class })
	static class CircuitBreakersConfiguration {

		@Bean
		@ConditionalOnMissingBean
		CircuitBreakerHealthDetails lionfuncsCircuitBreakerHealthDetails(ObjectProvider<AsyncApiClient> clients,
				LionfuncsProperties properties) {
			return new CircuitBreakerHealthDetails(clients.orderedStream().toList(),
					properties.getHealth().isDownWhenCircuitOpen());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(type = RedisRateLimiters.BUCKETS_BEAN_TYPE)
	static class RedisConfiguration {

		@Bean
		@ConditionalOnMissingBean
		RedisRateLimiterHealthDetailsContributor lionfuncsRedisHealthDetailsContributor(
				ObjectProvider<Executor> executors, LionfuncsProperties properties) {
			return new RedisRateLimiterHealthDetailsContributor(() -> executors.orderedStream().toList(),
					properties.getHealth().isDownWhenRedisUnavailable());
		}

	}

}
