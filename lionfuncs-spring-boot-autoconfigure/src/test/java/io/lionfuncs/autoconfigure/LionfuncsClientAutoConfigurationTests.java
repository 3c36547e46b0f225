package io.lionfuncs.autoconfigure;

import java.io.IOException;
import java.time.Duration;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.retry.RetryRegistry;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.client.ApiRequest;
import io.lionfuncs.network.client.AsyncApiClient;
import io.lionfuncs.network.client.StreamSettings;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.codec.autoconfigure.CodecsAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link LionfuncsClientAutoConfiguration} and the named clients of
 * {@link LionfuncsNamedClientsAutoConfiguration}.
 */
class LionfuncsClientAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ClientAutoConfigurations.ALL)
		.withPropertyValues("lionfuncs.executor.shutdown-timeout=0s", "lionfuncs.client.base-url=http://localhost");

	private MockWebServer server;

	@BeforeEach
	void startServer() throws IOException {
		this.server = new MockWebServer();
		this.server.start();
	}

	@AfterEach
	void stopServer() {
		this.server.close();
	}

	@Test
	void defaultClientIsBuiltFromProperties() {
		this.contextRunner
			.withPropertyValues("lionfuncs.client.base-url=https://api.example.com/v1", "lionfuncs.client.timeout=3s",
					"lionfuncs.client.headers.User-Agent=sample/1.0")
			.run((context) -> {
				assertThat(context).hasSingleBean(AsyncApiClient.class).hasBean("lionfuncsClient");
				AsyncApiClient client = context.getBean(AsyncApiClient.class);
				assertThat(client.getName()).isEqualTo("default");
				assertThat(client.getBaseUrl()).isEqualTo("https://api.example.com/v1");
				assertThat(client.getTimeout()).isEqualTo(Duration.ofSeconds(3));
				assertThat(client.getDefaultHeaders()).containsEntry("User-Agent", "sample/1.0");
				assertThat(context).hasSingleBean(LionfuncsClients.class);
			});
	}

	@Test
	void streamSettingsAreBuiltFromProperties() {
		this.contextRunner
			.withPropertyValues("lionfuncs.client.stream-idle-timeout=15s", "lionfuncs.client.stream-usage=true",
					"lionfuncs.clients.anthropic.base-url=https://api.anthropic.example")
			.run((context) -> {
				LionfuncsClients clients = context.getBean(LionfuncsClients.class);
				assertThat(clients.client("default").getStreamSettings())
					.isEqualTo(new StreamSettings(Duration.ofSeconds(15), true));
				assertThat(clients.client("anthropic").getStreamSettings()).isEqualTo(StreamSettings.defaults());
			});
	}

	@Test
	void resilienceInstancesAreRegisteredInBootsRegistries() {
		this.contextRunner
			.withPropertyValues("lionfuncs.client.circuit-breaker.failure-threshold=3",
					"lionfuncs.client.circuit-breaker.recovery-time=45s", "lionfuncs.client.retry.max-retries=2")
			.run((context) -> {
				AsyncApiClient client = context.getBean(AsyncApiClient.class);
				CircuitBreaker breaker = context.getBean(CircuitBreakerRegistry.class)
					.find("lionfuncs-default")
					.orElseThrow();
				assertThat(client.getCircuitBreaker()).isSameAs(breaker);
				assertThat(breaker.getCircuitBreakerConfig().getSlidingWindowSize()).isEqualTo(3);
				assertThat(breaker.getCircuitBreakerConfig().getWaitIntervalFunctionInOpenState().apply(1))
					.isEqualTo(45_000L);
				assertThat(client.getRetry())
					.isSameAs(context.getBean(RetryRegistry.class).find("lionfuncs-default").orElseThrow());
				assertThat(client.getRetry().getRetryConfig().getMaxAttempts()).isEqualTo(3);
			});
	}

	@Test
	void resilience4jInstanceOfTheSameNameWins() {
		this.contextRunner
			.withPropertyValues("resilience4j.circuitbreaker.instances.lionfuncs-default.sliding-window-size=7",
					"resilience4j.retry.instances.lionfuncs-default.max-attempts=6")
			.run((context) -> {
				AsyncApiClient client = context.getBean(AsyncApiClient.class);
				assertThat(client.getCircuitBreaker().getCircuitBreakerConfig().getSlidingWindowSize()).isEqualTo(7);
				assertThat(client.getRetry().getRetryConfig().getMaxAttempts()).isEqualTo(6);
			});
	}

	@Test
	void resilienceCanBeTurnedOff() {
		this.contextRunner
			.withPropertyValues("lionfuncs.client.circuit-breaker.enabled=false", "lionfuncs.client.retry.enabled=false")
			.run((context) -> {
				AsyncApiClient client = context.getBean(AsyncApiClient.class);
				assertThat(client.getCircuitBreaker()).isNull();
				assertThat(client.getRetry()).isNull();
			});
	}

	@Test
	void worksWithoutResilience4jSpringBootSupport() {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class, CodecsAutoConfiguration.class,
					WebClientAutoConfiguration.class, LionfuncsAutoConfiguration.class,
					LionfuncsClientAutoConfiguration.class))
			.withPropertyValues("lionfuncs.client.base-url=http://localhost")
			.withClassLoader(new FilteredClassLoader("io.github.resilience4j.springboot"))
			.run((context) -> {
				assertThat(context).doesNotHaveBean(CircuitBreakerRegistry.class);
				AsyncApiClient client = context.getBean(AsyncApiClient.class);
				assertThat(client.getCircuitBreaker().getName()).isEqualTo("lionfuncs-default");
				assertThat(client.getRetry().getName()).isEqualTo("lionfuncs-default");
			});
	}

	@Test
	void startsWithoutResilience4jAtAll() {
		this.contextRunner.withClassLoader(new FilteredClassLoader("io.github.resilience4j"))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(AsyncApiClient.class)
				.hasSingleBean(Executor.class));
	}

	@Test
	void backsOffWithoutWebClient() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(WebClient.class))
			.run((context) -> assertThat(context).hasNotFailed()
				.doesNotHaveBean(AsyncApiClient.class)
				.hasSingleBean(Executor.class));
	}

	@Test
	void userClientReplacesTheDefault() {
		this.contextRunner.withUserConfiguration(UserClientConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(AsyncApiClient.class).doesNotHaveBean("lionfuncsClient");
			assertThat(context.getBean(AsyncApiClient.class).getName()).isEqualTo("mine");
		});
	}

	@Test
	void customizersAreApplied() {
		this.contextRunner
			.withBean(LionfuncsClientCustomizer.class,
					() -> (name, builder) -> builder.defaultHeader("X-Client", "lionfuncs-" + name))
			.run((context) -> assertThat(context.getBean(AsyncApiClient.class).getDefaultHeaders())
				.containsEntry("X-Client", "lionfuncs-default"));
	}

	@Test
	void namedClientsHaveTheirOwnClientExecutorAndResilience() {
		this.contextRunner
			.withPropertyValues("lionfuncs.clients.openai.base-url=https://api.openai.example/v1",
					"lionfuncs.clients.openai.executor.requests-rate=3",
					"lionfuncs.clients.openai.circuit-breaker.failure-threshold=9")
			.withUserConfiguration(QualifiedClientConfiguration.class)
			.run((context) -> {
				assertThat(context).getBeans(AsyncApiClient.class)
					.containsOnlyKeys("lionfuncsClient", "lionfuncsClient.openai");
				AsyncApiClient openai = context.getBean(QualifiedClientConfiguration.class).openai;
				assertThat(openai.getName()).isEqualTo("openai");
				assertThat(openai.getBaseUrl()).isEqualTo("https://api.openai.example/v1");
				assertThat(context.getBean(CircuitBreakerRegistry.class).find("lionfuncs-openai").orElseThrow()
					.getCircuitBreakerConfig()
					.getSlidingWindowSize()).isEqualTo(9);
				LionfuncsClients clients = context.getBean(LionfuncsClients.class);
				assertThat(clients.names()).containsExactly("default", "openai");
				assertThat(clients.client("openai")).isSameAs(openai);
				assertThat(clients.executor("openai").getSettings().requestsRate()).isEqualTo(3);
			});
	}

	@Test
	void requestsSubmittedByNameAreSentThroughTheExecutorOfThatName() {
		this.server.enqueue(new MockResponse.Builder().code(200)
			.addHeader("Content-Type", "application/json")
			.body("{\"answer\":42}")
			.build());
		this.contextRunner
			.withPropertyValues("lionfuncs.clients.local.base-url=" + this.server.url("/api").toString(),
					"lionfuncs.clients.local.headers.Authorization=Bearer s3cret")
			.run((context) -> {
				LionfuncsClients clients = context.getBean(LionfuncsClients.class);
				NetworkRequestEvent event = clients.submit("local", ApiRequest.get("/answers/{id}", 7).build())
					.block(Duration.ofSeconds(10));
				event.completion().get();

				assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED);
				assertThat(event.getExecutorName()).isEqualTo("local");
				assertThat(event.getResponseStatusCode()).isEqualTo(200);
				assertThat(event.getHeaders()).containsEntry("Authorization", "******");
				RecordedRequest recorded = this.server.takeRequest();
				assertThat(recorded.getUrl().encodedPath()).isEqualTo("/api/answers/7");
				assertThat(recorded.getHeaders().get("Authorization")).isEqualTo("Bearer s3cret");
			});
	}

	@Test
	void unknownNamesAreReportedWithTheKnownOnes() {
		this.contextRunner.run((context) -> assertThat(context.getBean(LionfuncsClients.class))
			.satisfies((clients) -> org.assertj.core.api.Assertions
				.assertThatIllegalArgumentException()
				.isThrownBy(() -> clients.client("nope"))
				.withMessageContaining("'nope'")
				.withMessageContaining("[default]")));
	}

	@Test
	void invalidClientValuesFailStartUpNamingTheKey() {
		assertInvalid("lionfuncs.client.base-url=ftp://files.example.com", "lionfuncs.client.base-url",
				"http:// or https://");
		assertInvalid("lionfuncs.client.base-url=not a url", "lionfuncs.client.base-url", "http:// or https://");
		assertInvalid("lionfuncs.client.timeout=0s", "lionfuncs.client.timeout", "positive");
		assertInvalid("lionfuncs.client.circuit-breaker.failure-threshold=0",
				"lionfuncs.client.circuit-breaker.failure-threshold", "1 or more");
		assertInvalid("lionfuncs.client.circuit-breaker.half-open-max-calls=0",
				"lionfuncs.client.circuit-breaker.half-open-max-calls", "1 or more");
		assertInvalid("lionfuncs.client.retry.max-retries=-1", "lionfuncs.client.retry.max-retries", "0 or more");
		assertInvalid("lionfuncs.client.retry.backoff-factor=0.5", "lionfuncs.client.retry.backoff-factor",
				"1 or more");
		assertInvalid("lionfuncs.clients.openai.base-url=openai", "lionfuncs.clients.openai.base-url",
				"http:// or https://");
	}

	private void assertInvalid(String property, String key, String fix) {
		this.contextRunner.withPropertyValues(property).run((context) -> {
			assertThat(context).hasFailed();
			Throwable failure = context.getStartupFailure();
			InvalidLionfuncsPropertyException cause = null;
			for (Throwable current = failure; current != null; current = current.getCause()) {
				if (current instanceof InvalidLionfuncsPropertyException invalid) {
					cause = invalid;
				}
			}
			assertThat(cause).as(property).isNotNull();
			assertThat(cause.getProperty()).isEqualTo(key);
			assertThat(new InvalidLionfuncsPropertyFailureAnalyzer().analyze(failure).getAction()).contains(key, fix);
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class UserClientConfiguration {

		@Bean
		AsyncApiClient myClient() {
			return AsyncApiClient.builder().name("mine").build();
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class QualifiedClientConfiguration {

		final AsyncApiClient openai;

		QualifiedClientConfiguration(@Qualifier("openai") AsyncApiClient openai) {
			this.openai = openai;
		}

	}

}
