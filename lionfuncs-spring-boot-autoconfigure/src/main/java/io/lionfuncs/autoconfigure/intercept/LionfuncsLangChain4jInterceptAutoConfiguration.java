package io.lionfuncs.autoconfigure.intercept;

import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpClientBuilderLoader;
import io.lionfuncs.network.intercept.CallGovernor;
import io.lionfuncs.network.intercept.langchain4j.GovernedHttpClientBuilder;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of a governed LangChain4j {@link HttpClientBuilder}: a model built
 * with {@code .httpClientBuilder(governedHttpClientBuilder)} has each request to a
 * configured client's base URL wait for a lease of that client's executor. The HTTP is
 * done by the client LangChain4j finds on the class path
 * ({@link HttpClientBuilderLoader}); no factory of our own is registered, so LangChain4j's
 * choice of client is unchanged.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = LionfuncsInterceptAutoConfiguration.class)
@ConditionalOnClass({ HttpClientBuilder.class, HttpClientBuilderLoader.class, GovernedHttpClientBuilder.class })
@ConditionalOnBean(CallGovernor.class)
public final class LionfuncsLangChain4jInterceptAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	GovernedHttpClientBuilder governedHttpClientBuilder(CallGovernor callGovernor) {
		return new GovernedHttpClientBuilder(callGovernor);
	}

}
