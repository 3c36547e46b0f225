package io.lionfuncs.autoconfigure.intercept;

import io.lionfuncs.network.intercept.CallGovernor;
import io.lionfuncs.network.intercept.okhttp.GoverningInterceptor;
import okhttp3.Interceptor;

import org.springframework.ai.anthropic.http.okhttp.AnthropicHttpClientBuilderCustomizer;
import org.springframework.ai.openai.http.okhttp.OpenAiHttpClientBuilderCustomizer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration that governs the calls of Spring AI's OpenAI and Anthropic models,
 * which run on the providers' SDKs over OkHttp: an HTTP-client builder customizer adds a
 * {@link GoverningInterceptor} to every OkHttp client Spring AI builds for them, so that
 * each request (each attempt of the SDK's retries) to a configured client's base URL
 * waits for a lease of that client's executor. Spring AI's models on {@code RestClient}
 * and {@code WebClient} are governed by those adapters.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = LionfuncsInterceptAutoConfiguration.class,
		beforeName = { "org.springframework.ai.model.openai.autoconfigure.OpenAiChatAutoConfiguration",
				"org.springframework.ai.model.anthropic.autoconfigure.AnthropicChatAutoConfiguration" })
@ConditionalOnClass({ Interceptor.class, GoverningInterceptor.class })
@ConditionalOnBean(CallGovernor.class)
public final class LionfuncsSpringAiInterceptAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(OpenAiHttpClientBuilderCustomizer.class)
	static class OpenAiConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "lionfuncsOpenAiHttpClientBuilderCustomizer")
		OpenAiHttpClientBuilderCustomizer lionfuncsOpenAiHttpClientBuilderCustomizer(CallGovernor callGovernor) {
			// One interceptor for every client Spring AI builds (chat, embedding, image...).
			GoverningInterceptor interceptor = new GoverningInterceptor(callGovernor, "Spring AI OpenAI");
			return (builder) -> builder.interceptor(interceptor);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(AnthropicHttpClientBuilderCustomizer.class)
	static class AnthropicConfiguration {

		@Bean
		@ConditionalOnMissingBean(name = "lionfuncsAnthropicHttpClientBuilderCustomizer")
		AnthropicHttpClientBuilderCustomizer lionfuncsAnthropicHttpClientBuilderCustomizer(
				CallGovernor callGovernor) {
			GoverningInterceptor interceptor = new GoverningInterceptor(callGovernor, "Spring AI Anthropic");
			return (builder) -> builder.interceptor(interceptor);
		}

	}

}
