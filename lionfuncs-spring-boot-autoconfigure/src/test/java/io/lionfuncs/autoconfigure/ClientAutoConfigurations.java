package io.lionfuncs.autoconfigure;

import io.github.resilience4j.springboot.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration;
import io.github.resilience4j.springboot.retry.autoconfigure.RetryAutoConfiguration;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.codec.autoconfigure.CodecsAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;

/**
 * The auto-configurations an application with the starter's clients runs: Spring Boot's
 * JSON, codecs and {@code WebClient.Builder}, Resilience4j's registries, and the
 * starter's executors, default client and named clients.
 */
final class ClientAutoConfigurations {

	static final AutoConfigurations ALL = AutoConfigurations.of(JacksonAutoConfiguration.class,
			CodecsAutoConfiguration.class, WebClientAutoConfiguration.class, CircuitBreakerAutoConfiguration.class,
			RetryAutoConfiguration.class, LionfuncsAutoConfiguration.class, LionfuncsClientAutoConfiguration.class,
			LionfuncsNamedClientsAutoConfiguration.class);

	private ClientAutoConfigurations() {
	}

}
