package io.lionfuncs.autoconfigure.intercept;

import java.net.URI;

import io.lionfuncs.autoconfigure.InvalidLionfuncsPropertyException;
import io.lionfuncs.autoconfigure.LionfuncsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsNamedClientsAutoConfiguration;
import io.lionfuncs.network.intercept.ApiTokenEstimator;
import io.lionfuncs.network.intercept.CallGovernor;
import io.lionfuncs.network.intercept.InterceptRoute;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LionfuncsInterceptAutoConfiguration}.
 */
class LionfuncsInterceptAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(LionfuncsAutoConfiguration.class,
				LionfuncsNamedClientsAutoConfiguration.class, LionfuncsInterceptAutoConfiguration.class))
		.withPropertyValues("lionfuncs.executor.shutdown-timeout=0s");

	@Test
	void routesEachConfiguredBaseUrlToTheExecutorOfItsClient() {
		this.contextRunner
			.withPropertyValues("lionfuncs.client.base-url=https://api.example.com/v1",
					"lionfuncs.clients.openai.base-url=https://api.example.net/v1",
					"lionfuncs.clients.openai.executor.shutdown-timeout=0s")
			.run((context) -> {
				CallGovernor governor = context.getBean(CallGovernor.class);
				InterceptRoute openai = governor.route(URI.create("https://api.example.net/v1/chat/completions"));
				assertThat(openai).isNotNull();
				assertThat(openai.name()).isEqualTo("openai");
				assertThat(openai.executor().getName()).isEqualTo("openai");
				InterceptRoute example = governor.route(URI.create("https://API.example.com:443/v1/items"));
				assertThat(example).isNotNull();
				assertThat(example.executor().getName()).isEqualTo("default");
				assertThat(governor.route(URI.create("https://api.example.com/v2/items"))).isNull();
				assertThat(governor.route(URI.create("http://api.example.net/v1/chat/completions"))).isNull();
				assertThat(governor.maxWait()).hasSeconds(60);
			});
	}

	@Test
	void aClientWithInterceptOffIsNotRouted() {
		this.contextRunner
			.withPropertyValues("lionfuncs.client.base-url=https://api.example.com",
					"lionfuncs.client.intercept=false", "lionfuncs.clients.openai.base-url=https://api.example.net",
					"lionfuncs.clients.openai.intercept=false", "lionfuncs.clients.openai.executor.shutdown-timeout=0s")
			.run((context) -> assertThat(context.getBean(CallGovernor.class).routes().isEmpty()).isTrue());
	}

	@Test
	void interceptDisabledGloballyDefinesNoGovernor() {
		this.contextRunner
			.withPropertyValues("lionfuncs.client.base-url=https://api.example.com", "lionfuncs.intercept.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(CallGovernor.class)
				.doesNotHaveBean(ApiTokenEstimator.class));
	}

	@Test
	void theDefaultEstimatorReadsTheBodyAndFallsBackToTheDefaultApiTokens() {
		this.contextRunner.withPropertyValues("lionfuncs.intercept.default-api-tokens=300").run((context) -> {
			ApiTokenEstimator estimator = context.getBean(ApiTokenEstimator.class);
			URI uri = URI.create("https://api.example.com/v1/chat");
			assertThat(estimator.estimate("POST", uri, "{\"max_tokens\":100,\"prompt\":\"12345678\"}".getBytes()))
				.isEqualTo(102);
			assertThat(estimator.estimate("POST", uri, "{\"prompt\":\"12345678\"}".getBytes())).isEqualTo(302);
			assertThat(estimator.estimate("GET", uri, null)).isEqualTo(300);
		});
	}

	@Test
	void anEstimatorBeanOfTheApplicationWins() {
		this.contextRunner.withUserConfiguration(CustomEstimator.class)
			.withPropertyValues("lionfuncs.client.base-url=https://api.example.com")
			.run((context) -> {
				assertThat(context).hasSingleBean(ApiTokenEstimator.class);
				assertThat(context.getBean(CallGovernor.class).estimator())
					.isSameAs(context.getBean("customEstimator"));
			});
	}

	@Test
	void invalidValuesNameTheProperty() {
		this.contextRunner.withPropertyValues("lionfuncs.intercept.max-wait=0s").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(InvalidLionfuncsPropertyException.class)
				.hasMessageContaining("lionfuncs.intercept.max-wait");
		});
		this.contextRunner.withPropertyValues("lionfuncs.intercept.default-api-tokens=-1").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.hasMessageContaining("lionfuncs.intercept.default-api-tokens");
		});
	}

	@Test
	void backsOffWithoutJackson() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("tools.jackson.databind"))
			.run((context) -> assertThat(context).doesNotHaveBean(CallGovernor.class));
	}

	@Configuration(proxyBeanMethods = false)
	static class CustomEstimator {

		@Bean
		ApiTokenEstimator customEstimator() {
			return (method, uri, body) -> 7;
		}

	}

}
