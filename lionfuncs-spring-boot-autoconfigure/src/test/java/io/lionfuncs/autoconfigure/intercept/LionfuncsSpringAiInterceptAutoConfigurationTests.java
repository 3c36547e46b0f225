package io.lionfuncs.autoconfigure.intercept;

import java.util.List;

import io.lionfuncs.autoconfigure.LionfuncsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsNamedClientsAutoConfiguration;
import io.lionfuncs.network.intercept.okhttp.GoverningInterceptor;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

import org.springframework.ai.anthropic.http.okhttp.AnthropicHttpClientBuilderCustomizer;
import org.springframework.ai.anthropic.http.okhttp.SpringAiAnthropicHttpClient;
import org.springframework.ai.openai.http.okhttp.OpenAiHttpClientBuilderCustomizer;
import org.springframework.ai.openai.http.okhttp.SpringAiOpenAiHttpClient;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.test.util.ReflectionTestUtils;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LionfuncsSpringAiInterceptAutoConfiguration}.
 */
class LionfuncsSpringAiInterceptAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(LionfuncsAutoConfiguration.class,
				LionfuncsNamedClientsAutoConfiguration.class, LionfuncsInterceptAutoConfiguration.class,
				LionfuncsSpringAiInterceptAutoConfiguration.class))
		.withPropertyValues("lionfuncs.executor.shutdown-timeout=0s");

	@Test
	void everyOkHttpClientSpringAiBuildsGetsOneSharedGoverningInterceptor() {
		this.contextRunner.run((context) -> {
			OpenAiHttpClientBuilderCustomizer openAi = context.getBean(OpenAiHttpClientBuilderCustomizer.class);
			SpringAiOpenAiHttpClient.Builder chat = SpringAiOpenAiHttpClient.builder();
			SpringAiOpenAiHttpClient.Builder embedding = SpringAiOpenAiHttpClient.builder();
			openAi.customize(chat);
			openAi.customize(embedding);
			GoverningInterceptor first = governing(chat.build().getOkHttpClient());
			assertThat(first).isSameAs(governing(embedding.build().getOkHttpClient()));

			AnthropicHttpClientBuilderCustomizer anthropic = context.getBean(AnthropicHttpClientBuilderCustomizer.class);
			SpringAiAnthropicHttpClient.Builder messages = SpringAiAnthropicHttpClient.builder();
			anthropic.customize(messages);
			// The Anthropic client keeps its OkHttp client to itself: read the builder.
			assertThat((List<?>) ReflectionTestUtils.getField(messages, "interceptors"))
				.hasExactlyElementsOfTypes(GoverningInterceptor.class);
		});
	}

	private static GoverningInterceptor governing(OkHttpClient client) {
		return client.interceptors()
			.stream()
			.filter(GoverningInterceptor.class::isInstance)
			.map(GoverningInterceptor.class::cast)
			.findFirst()
			.orElseThrow();
	}

	@Test
	void eachProviderIsGuardedOnItsOwn() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(OpenAiHttpClientBuilderCustomizer.class))
			.run((context) -> assertThat(context).doesNotHaveBean(OpenAiHttpClientBuilderCustomizer.class)
				.hasSingleBean(AnthropicHttpClientBuilderCustomizer.class));
	}

	@Test
	void anApplicationWithoutSpringAiOrOkHttpCarriesNoneOfIt() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("org.springframework.ai", "okhttp3"))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean("lionfuncsOpenAiHttpClientBuilderCustomizer")
				.doesNotHaveBean("lionfuncsAnthropicHttpClientBuilderCustomizer"));
	}

	@Test
	void interceptDisabledAddsNothing() {
		this.contextRunner.withPropertyValues("lionfuncs.intercept.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(OpenAiHttpClientBuilderCustomizer.class)
				.doesNotHaveBean(AnthropicHttpClientBuilderCustomizer.class));
	}

}
