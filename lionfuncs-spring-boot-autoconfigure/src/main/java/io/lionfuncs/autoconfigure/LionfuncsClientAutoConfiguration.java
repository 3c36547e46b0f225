package io.lionfuncs.autoconfigure;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.reactor.retry.RetryOperator;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryRegistry;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.client.AsyncApiClient;
import io.lionfuncs.network.connection.ConnectionEventListener;
import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Primary;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Auto-configuration for the default {@link AsyncApiClient} ({@code lionfuncs.client.*};
 * present when {@code lionfuncs.client.base-url} is set, and {@code @Primary} over the
 * named clients), the {@link LionfuncsClients} registry, the connection policy and
 * events of every client ({@code lionfuncs.connections.*}), and the warm-up of every
 * client as the application starts, which its executor's first calls wait for.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = LionfuncsAutoConfiguration.class,
		afterName = { "org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration",
				"org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration",
				"io.github.resilience4j.springboot.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration",
				"io.github.resilience4j.springboot.retry.autoconfigure.RetryAutoConfiguration" })
@ConditionalOnClass({ AsyncApiClient.class, WebClient.class, HttpClient.class, CircuitBreaker.class, Retry.class,
		RetryOperator.class })
@ConditionalOnBooleanProperty(name = "lionfuncs.enabled", matchIfMissing = true)
@ConditionalOnBean(LionfuncsProperties.class)
public final class LionfuncsClientAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	LionfuncsClientFactory lionfuncsClientFactory(LionfuncsProperties properties,
			ObjectProvider<WebClient.Builder> webClientBuilder,
			ObjectProvider<CircuitBreakerRegistry> circuitBreakerRegistry, ObjectProvider<RetryRegistry> retryRegistry,
			ObjectProvider<LionfuncsClientCustomizer> customizers,
			ObjectProvider<ConnectionEventListener> connectionListeners) {
		return new LionfuncsClientFactory(properties, webClientBuilder::getIfAvailable,
				circuitBreakerRegistry.getIfAvailable(), retryRegistry.getIfAvailable(),
				customizers.orderedStream().toList(), () -> connectionListeners.orderedStream().toList());
	}

	@Bean
	@Primary
	@Qualifier("default")
	@ConditionalOnMissingBean
	@Conditional(OnDefaultClientCondition.class)
	AsyncApiClient lionfuncsClient(LionfuncsClientFactory clientFactory) {
		return clientFactory.createDefault();
	}

	@Bean
	@ConditionalOnMissingBean
	ConnectionPoolSizeCheck lionfuncsConnectionPoolSizeCheck(ObjectProvider<AsyncApiClient> clients,
			ObjectProvider<Executor> executors) {
		return new ConnectionPoolSizeCheck(clients, executors);
	}

	@Bean
	@ConditionalOnMissingBean
	ClientsWarmup lionfuncsClientsWarmup(ObjectProvider<AsyncApiClient> clients, ObjectProvider<Executor> executors,
			LionfuncsProperties properties) {
		return new ClientsWarmup(clients, executors, properties.getConnections().isPreconnect());
	}

	@Bean
	@ConditionalOnMissingBean
	LionfuncsClients lionfuncsClients(ObjectProvider<AsyncApiClient> clients, ObjectProvider<Executor> executors) {
		return new LionfuncsClients(clients, executors);
	}

}
