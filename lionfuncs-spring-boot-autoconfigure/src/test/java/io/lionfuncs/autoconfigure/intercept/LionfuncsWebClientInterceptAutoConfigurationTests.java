package io.lionfuncs.autoconfigure.intercept;

import java.util.ArrayList;
import java.util.List;

import io.github.resilience4j.springboot.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration;
import io.github.resilience4j.springboot.retry.autoconfigure.RetryAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsClientAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsNamedClientsAutoConfiguration;
import io.lionfuncs.network.client.AsyncApiClient;
import io.lionfuncs.network.intercept.spring.GoverningExchangeFilterFunction;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.codec.autoconfigure.CodecsAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LionfuncsWebClientInterceptAutoConfiguration}.
 */
class LionfuncsWebClientInterceptAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, CodecsAutoConfiguration.class,
				WebClientAutoConfiguration.class, CircuitBreakerAutoConfiguration.class, RetryAutoConfiguration.class,
				LionfuncsAutoConfiguration.class, LionfuncsClientAutoConfiguration.class,
				LionfuncsNamedClientsAutoConfiguration.class, LionfuncsInterceptAutoConfiguration.class,
				LionfuncsWebClientInterceptAutoConfiguration.class))
		.withPropertyValues("lionfuncs.executor.shutdown-timeout=0s", "lionfuncs.client.base-url=http://localhost/v1");

	@Test
	void bootsWebClientBuilderGetsTheGoverningFilterButTheStartersClientDoesNot() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(GoverningExchangeFilterFunction.class);
			assertThat(filters(context.getBean(WebClient.Builder.class)))
				.hasAtLeastOneElementOfType(GoverningExchangeFilterFunction.class);
			WebClient starters = context.getBean(AsyncApiClient.class).getWebClient();
			assertThat(filters(starters.mutate())).noneMatch(GoverningExchangeFilterFunction.class::isInstance);
		});
	}

	private static List<ExchangeFilterFunction> filters(WebClient.Builder builder) {
		List<ExchangeFilterFunction> filters = new ArrayList<>();
		builder.filters(filters::addAll);
		return filters;
	}

	@Test
	void interceptDisabledAddsNothing() {
		this.contextRunner.withPropertyValues("lionfuncs.intercept.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(GoverningExchangeFilterFunction.class)
				.doesNotHaveBean("lionfuncsWebClientCustomizer"));
	}

	@Test
	void backsOffWithoutBootsWebClientSupport() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(WebClientCustomizer.class))
			.run((context) -> assertThat(context).doesNotHaveBean(GoverningExchangeFilterFunction.class));
	}

}
