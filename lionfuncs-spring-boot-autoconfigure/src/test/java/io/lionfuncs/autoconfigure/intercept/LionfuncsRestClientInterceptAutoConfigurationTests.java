package io.lionfuncs.autoconfigure.intercept;

import java.util.ArrayList;
import java.util.List;

import io.lionfuncs.autoconfigure.LionfuncsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsNamedClientsAutoConfiguration;
import io.lionfuncs.network.intercept.spring.GoverningClientHttpRequestInterceptor;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.restclient.RestClientCustomizer;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LionfuncsRestClientInterceptAutoConfiguration}.
 */
class LionfuncsRestClientInterceptAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(HttpMessageConvertersAutoConfiguration.class,
				RestClientAutoConfiguration.class, LionfuncsAutoConfiguration.class,
				LionfuncsNamedClientsAutoConfiguration.class, LionfuncsInterceptAutoConfiguration.class,
				LionfuncsRestClientInterceptAutoConfiguration.class))
		.withPropertyValues("lionfuncs.executor.shutdown-timeout=0s");

	@Test
	void bootsRestClientBuilderGetsTheGoverningInterceptor() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasBean("lionfuncsRestClientCustomizer");
			RestClient.Builder builder = context.getBean(RestClient.Builder.class);
			List<ClientHttpRequestInterceptor> interceptors = new ArrayList<>();
			builder.requestInterceptors(interceptors::addAll);
			assertThat(interceptors).hasExactlyElementsOfTypes(GoverningClientHttpRequestInterceptor.class);
		});
	}

	@Test
	void interceptDisabledAddsNothing() {
		this.contextRunner.withPropertyValues("lionfuncs.intercept.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean("lionfuncsRestClientCustomizer"));
	}

	@Test
	void backsOffWithoutBootsRestClientSupport() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(RestClientCustomizer.class))
			.run((context) -> assertThat(context).doesNotHaveBean("lionfuncsRestClientCustomizer"));
	}

}
