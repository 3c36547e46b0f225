package io.lionfuncs.autoconfigure.intercept;

import io.lionfuncs.network.intercept.CallGovernor;
import io.lionfuncs.network.intercept.spring.GoverningClientHttpRequestInterceptor;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.web.client.RestClient;

/**
 * Auto-configuration that governs every {@link RestClient} built from Spring Boot's
 * {@code RestClient.Builder}: a {@link GoverningClientHttpRequestInterceptor} makes each
 * request to a configured client's base URL wait, on the calling thread, for a lease of
 * that client's executor. Spring AI's models on {@code RestClient} (Ollama and others) are
 * covered too.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = LionfuncsInterceptAutoConfiguration.class)
@ConditionalOnClass({ RestClient.class, RestClientCustomizer.class, GoverningClientHttpRequestInterceptor.class })
@ConditionalOnBean(CallGovernor.class)
public final class LionfuncsRestClientInterceptAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean(name = "lionfuncsRestClientCustomizer")
	RestClientCustomizer lionfuncsRestClientCustomizer(CallGovernor callGovernor) {
		GoverningClientHttpRequestInterceptor interceptor = new GoverningClientHttpRequestInterceptor(callGovernor);
		return (builder) -> builder.requestInterceptor(interceptor);
	}

}
