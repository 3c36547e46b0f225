package io.lionfuncs.autoconfigure;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.client.AsyncApiClient;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.NoUniqueBeanDefinitionException;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests that the executors and clients inject by type and by qualifier, with and without
 * named clients: the default beans are {@code @Primary}, the named ones fallbacks that a
 * {@code @Qualifier("<name>")} selects, and a bean of the application replaces ours.
 */
class LionfuncsInjectionTests {

	private static final String DEFAULT_CLIENT = "lionfuncs.client.base-url=https://api.example.com/v1";

	private static final String OPENAI = "lionfuncs.clients.openai.base-url=https://api.openai.example/v1";

	private static final String ANTHROPIC = "lionfuncs.clients.anthropic.base-url=https://api.anthropic.example";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ClientAutoConfigurations.ALL)
		.withPropertyValues("lionfuncs.executor.shutdown-timeout=0s");

	@Test
	void withoutNamedClientsTheDefaultsInjectByTypeAndByQualifier() {
		this.contextRunner.withPropertyValues(DEFAULT_CLIENT)
			.withUserConfiguration(ByTypeConsumer.class, DefaultQualifiedConsumer.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				ByTypeConsumer byType = context.getBean(ByTypeConsumer.class);
				assertThat(byType.executor).isSameAs(context.getBean("lionfuncsExecutor"));
				assertThat(byType.client).isSameAs(context.getBean("lionfuncsClient"));
				DefaultQualifiedConsumer qualified = context.getBean(DefaultQualifiedConsumer.class);
				assertThat(qualified.executor).isSameAs(byType.executor);
				assertThat(qualified.client).isSameAs(byType.client);
			});
	}

	@Test
	void namedClientsLeaveInjectionByTypeToTheDefaults() {
		this.contextRunner.withPropertyValues(DEFAULT_CLIENT, OPENAI, ANTHROPIC)
			.withUserConfiguration(ByTypeConsumer.class, DefaultQualifiedConsumer.class, OpenAiConsumer.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context).getBeans(Executor.class).hasSize(3);
				assertThat(context).getBeans(AsyncApiClient.class).hasSize(3);
				ByTypeConsumer byType = context.getBean(ByTypeConsumer.class);
				assertThat(byType.executor.getName()).isEqualTo("default");
				assertThat(byType.client.getName()).isEqualTo("default");
				assertThat(context.getBean(Executor.class)).isSameAs(byType.executor);
				assertThat(context.getBean(AsyncApiClient.class)).isSameAs(byType.client);
				DefaultQualifiedConsumer qualified = context.getBean(DefaultQualifiedConsumer.class);
				assertThat(qualified.executor).isSameAs(byType.executor);
				assertThat(qualified.client).isSameAs(byType.client);
				OpenAiConsumer openai = context.getBean(OpenAiConsumer.class);
				assertThat(openai.executor.getName()).isEqualTo("openai");
				assertThat(openai.client.getName()).isEqualTo("openai");
				assertThat(openai.client.getBaseUrl()).isEqualTo("https://api.openai.example/v1");
			});
	}

	@Test
	void aSingleNamedClientWithoutADefaultClientInjectsByType() {
		this.contextRunner.withPropertyValues(OPENAI)
			.withUserConfiguration(ByTypeConsumer.class, OpenAiConsumer.class)
			.run((context) -> {
				assertThat(context).hasNotFailed().doesNotHaveBean("lionfuncsClient");
				ByTypeConsumer byType = context.getBean(ByTypeConsumer.class);
				// the default executor is always there; the only client is the named one
				assertThat(byType.executor.getName()).isEqualTo("default");
				assertThat(byType.client).isSameAs(context.getBean(OpenAiConsumer.class).client);
			});
	}

	@Test
	void twoNamedClientsWithoutADefaultClientNeedAQualifier() {
		this.contextRunner.withPropertyValues(OPENAI, ANTHROPIC)
			.withUserConfiguration(OpenAiConsumer.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(OpenAiConsumer.class).client.getName()).isEqualTo("openai");
				assertThat(context.getBean(Executor.class).getName()).isEqualTo("default");
			});
		this.contextRunner.withPropertyValues(OPENAI, ANTHROPIC)
			.withUserConfiguration(ByTypeConsumer.class)
			.run((context) -> assertThat(context).hasFailed()
				.getFailure()
				.rootCause()
				.isInstanceOf(NoUniqueBeanDefinitionException.class)
				.hasMessageContaining("lionfuncsClient.openai")
				.hasMessageContaining("lionfuncsClient.anthropic"));
	}

	@Test
	void anExecutorOfTheApplicationReplacesOursAndInjectsByTypeBesideNamedClients() {
		this.contextRunner.withPropertyValues(DEFAULT_CLIENT, OPENAI)
			.withUserConfiguration(UserExecutorConfiguration.class, ByTypeConsumer.class, OpenAiConsumer.class)
			.run((context) -> {
				assertThat(context).hasNotFailed().doesNotHaveBean("lionfuncsExecutor");
				assertThat(context.getBean(ByTypeConsumer.class).executor.getName()).isEqualTo("mine");
				assertThat(context.getBean(ByTypeConsumer.class).executor.isRunning()).isTrue();
				assertThat(context.getBean(OpenAiConsumer.class).executor.getName()).isEqualTo("openai");
			});
	}

	@Test
	void aClientOfTheApplicationReplacesOursAndInjectsByTypeBesideNamedClients() {
		this.contextRunner.withPropertyValues(DEFAULT_CLIENT, OPENAI)
			.withUserConfiguration(UserClientConfiguration.class, ByTypeConsumer.class, OpenAiConsumer.class)
			.run((context) -> {
				assertThat(context).hasNotFailed().doesNotHaveBean("lionfuncsClient");
				assertThat(context.getBean(ByTypeConsumer.class).client.getName()).isEqualTo("mine");
				assertThat(context.getBean(OpenAiConsumer.class).client.getName()).isEqualTo("openai");
			});
	}

	@Configuration(proxyBeanMethods = false)
	static class ByTypeConsumer {

		final Executor executor;

		final AsyncApiClient client;

		ByTypeConsumer(Executor executor, AsyncApiClient client) {
			this.executor = executor;
			this.client = client;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class DefaultQualifiedConsumer {

		final Executor executor;

		final AsyncApiClient client;

		DefaultQualifiedConsumer(@Qualifier("default") Executor executor,
				@Qualifier("default") AsyncApiClient client) {
			this.executor = executor;
			this.client = client;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class OpenAiConsumer {

		final Executor executor;

		final AsyncApiClient client;

		OpenAiConsumer(@Qualifier("openai") Executor executor, @Qualifier("openai") AsyncApiClient client) {
			this.executor = executor;
			this.client = client;
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserExecutorConfiguration {

		@Bean
		Executor myExecutor() {
			return new Executor(ExecutorSettings.builder().name("mine").build());
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserClientConfiguration {

		@Bean
		AsyncApiClient myClient() {
			return AsyncApiClient.builder().name("mine").baseUrl("https://api.example.com").build();
		}

	}

}
