package io.lionfuncs.autoconfigure.intercept;

import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import io.lionfuncs.autoconfigure.LionfuncsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsNamedClientsAutoConfiguration;
import io.lionfuncs.network.intercept.langchain4j.GovernedHttpClientBuilder;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LionfuncsLangChain4jInterceptAutoConfiguration}.
 */
class LionfuncsLangChain4jInterceptAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(LionfuncsAutoConfiguration.class,
				LionfuncsNamedClientsAutoConfiguration.class, LionfuncsInterceptAutoConfiguration.class,
				LionfuncsLangChain4jInterceptAutoConfiguration.class))
		.withPropertyValues("lionfuncs.executor.shutdown-timeout=0s");

	@Test
	void definesAGovernedBuilderOverLangChain4jsOwnClient() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(HttpClientBuilder.class).hasBean("governedHttpClientBuilder");
			HttpClient client = context.getBean(GovernedHttpClientBuilder.class).build();
			assertThat(client.getClass().getSimpleName()).isEqualTo("GovernedHttpClient");
		});
	}

	@Test
	void interceptDisabledDefinesNoBuilder() {
		this.contextRunner.withPropertyValues("lionfuncs.intercept.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(HttpClientBuilder.class));
	}

	@Test
	void backsOffWithoutLangChain4j() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("dev.langchain4j"))
			.run((context) -> assertThat(context).hasNotFailed().doesNotHaveBean("governedHttpClientBuilder"));
	}

}
