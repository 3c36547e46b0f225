package io.lionfuncs.autoconfigure.actuate.endpoint;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.lionfuncs.autoconfigure.LionfuncsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsClientAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsEventsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsNamedClientsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsRedisAutoConfiguration;
import io.lionfuncs.autoconfigure.actuate.RedisRateLimiters;
import io.lionfuncs.event.EventManager;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.client.AsyncApiClient;
import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration for the {@link LionfuncsEndpoint}.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = { LionfuncsAutoConfiguration.class, LionfuncsClientAutoConfiguration.class,
		LionfuncsEventsAutoConfiguration.class, LionfuncsNamedClientsAutoConfiguration.class,
		LionfuncsRedisAutoConfiguration.class })
@ConditionalOnClass({ Endpoint.class, Executor.class })
@ConditionalOnBooleanProperty(name = "lionfuncs.enabled", matchIfMissing = true)
@ConditionalOnAvailableEndpoint(LionfuncsEndpoint.class)
public final class LionfuncsEndpointAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	LionfuncsEndpoint lionfuncsEndpoint(ObjectProvider<Executor> executors,
			ObjectProvider<LionfuncsEndpointContributor> contributors) {
		return new LionfuncsEndpoint(executors.orderedStream().toList(), contributors.orderedStream().toList());
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(EventManager.class)
	@ConditionalOnBean(EventManager.class)
	static class EventHandlersConfiguration {

		@Bean
		@ConditionalOnMissingBean
		EventHandlersEndpointContributor lionfuncsEventHandlersEndpointContributor(EventManager eventManager) {
			return new EventHandlersEndpointContributor(eventManager);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ AsyncApiClient.class, CircuitBreaker.class })
	static class ClientsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ClientsEndpointContributor lionfuncsClientsEndpointContributor(ObjectProvider<AsyncApiClient> clients) {
			return new ClientsEndpointContributor(clients.orderedStream().toList());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass({ AsyncApiClient.class, HttpClient.class })
	static class ConnectionsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ConnectionsEndpointContributor lionfuncsConnectionsEndpointContributor(ObjectProvider<AsyncApiClient> clients,
				ObjectProvider<Executor> executors) {
			return new ConnectionsEndpointContributor(clients.orderedStream().toList(),
					executors.orderedStream().toList());
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(type = RedisRateLimiters.BUCKETS_BEAN_TYPE)
	static class RedisConfiguration {

		@Bean
		@ConditionalOnMissingBean
		RedisRateLimiterEndpointContributor lionfuncsRedisEndpointContributor(ObjectProvider<Executor> executors) {
			return new RedisRateLimiterEndpointContributor(() -> executors.orderedStream().toList());
		}

	}

}
