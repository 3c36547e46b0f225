package io.lionfuncs.autoconfigure;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.github.resilience4j.springboot.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration;
import io.github.resilience4j.springboot.retry.autoconfigure.RetryAutoConfiguration;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.client.ApiRequest;
import io.lionfuncs.network.client.AsyncApiClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.test.StepVerifier;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.http.codec.autoconfigure.CodecsAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatRuntimeException;

/**
 * Tests that the configuration mistakes a new user makes fail start-up, or warn, with a
 * message naming the key, the value and the fix: a header holding an unresolved
 * placeholder, a configured client without a base URL, a value that does not convert,
 * and an unknown key.
 */
@ExtendWith(OutputCaptureExtension.class)
class ConfigurationMistakesTests {

	private static final String ACTION = "Update your application's configuration: set ";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(ClientAutoConfigurations.ALL)
		.withPropertyValues("lionfuncs.executor.shutdown-timeout=0s");

	// ---------------------------------------------------------------- placeholders

	@Test
	void headerWithAnUnresolvedPlaceholderFailsStartUpShowingOnlyThePlaceholderOfASecret() {
		this.contextRunner
			.withPropertyValues("lionfuncs.client.base-url=https://api.example.com/v1",
					"lionfuncs.client.headers.Authorization=Bearer ${ACME_API_KEY}")
			.run((context) -> assertAnalysis(context,
					"Invalid value '…${ACME_API_KEY}' for configuration property "
							+ "'lionfuncs.client.headers.Authorization'.",
					ACTION + "'lionfuncs.client.headers.Authorization' to a value whose placeholders resolve: "
							+ "nothing defines ACME_API_KEY; set it as an environment variable or a property, "
							+ "or remove the header."));
	}

	@Test
	void headerOfANamedClientWithUnresolvedPlaceholdersFailsStartUp() {
		this.contextRunner
			.withPropertyValues("lionfuncs.clients.openai.base-url=https://api.openai.example/v1",
					"lionfuncs.clients.openai.headers.OpenAI-Organization=org-${ACME_ORG}-${ACME_TEAM}")
			.run((context) -> assertAnalysis(context,
					"Invalid value 'org-${ACME_ORG}-${ACME_TEAM}' for configuration property "
							+ "'lionfuncs.clients.openai.headers.OpenAI-Organization'.",
					ACTION + "'lionfuncs.clients.openai.headers.OpenAI-Organization' to a value whose placeholders "
							+ "resolve: nothing defines ACME_ORG, ACME_TEAM; set them as an environment variable or "
							+ "a property, or remove the header."));
	}

	@Test
	void resolvedPlaceholdersAreSentAsResolved() {
		this.contextRunner
			.withPropertyValues("lionfuncs.client.base-url=https://${acme.host}/v1", "acme.host=api.example.com",
					"acme.tenant=t-1", "lionfuncs.client.headers.X-Tenant=${acme.tenant}")
			.run((context) -> {
				AsyncApiClient client = context.getBean(AsyncApiClient.class);
				assertThat(client.getBaseUrl()).isEqualTo("https://api.example.com/v1");
				assertThat(client.getDefaultHeaders()).containsEntry("X-Tenant", "t-1");
			});
	}

	@Test
	void baseUrlWithAnUnresolvedPlaceholderFailsStartUp() {
		this.contextRunner.withPropertyValues("lionfuncs.clients.openai.base-url=https://${ACME_HOST}/v1")
			.run((context) -> assertAnalysis(context,
					"Invalid value 'https://${ACME_HOST}/v1' for configuration property "
							+ "'lionfuncs.clients.openai.base-url'.",
					ACTION + "'lionfuncs.clients.openai.base-url' to a value whose placeholders resolve: nothing "
							+ "defines ACME_HOST; set it as an environment variable or a property, or remove the "
							+ "property."));
	}

	// ---------------------------------------------------------------- base URL

	@Test
	void defaultClientConfiguredWithoutABaseUrlFailsStartUp() {
		this.contextRunner.withPropertyValues("lionfuncs.client.timeout=3s")
			.run((context) -> assertAnalysis(context,
					"Invalid value 'null' for configuration property 'lionfuncs.client.base-url'.",
					ACTION + "'lionfuncs.client.base-url' to the base URL of the API, such as "
							+ "https://api.example.com/v1: the lionfuncs.client.* properties configure a default "
							+ "client, which needs one (or remove them for no default client)."));
	}

	@Test
	void namedClientWithoutABaseUrlFailsStartUp() {
		this.contextRunner.withPropertyValues("lionfuncs.clients.openai.executor.requests-rate=3")
			.run((context) -> assertAnalysis(context,
					"Invalid value 'null' for configuration property 'lionfuncs.clients.openai.base-url'.",
					ACTION + "'lionfuncs.clients.openai.base-url' to the base URL of the API, such as "
							+ "https://api.example.com/v1: every client under lionfuncs.clients needs one."));
	}

	@Test
	void anInvalidValueOfAClientWithoutABaseUrlIsReportedFirst() {
		this.contextRunner.withPropertyValues("lionfuncs.client.timeout=0s")
			.run((context) -> assertThat(analysis(context).getAction())
				.startsWith(ACTION + "'lionfuncs.client.timeout'"));
	}

	@Test
	void aStreamIdleTimeoutThatIsNotPositiveFailsStartUpNamingTheKey() {
		this.contextRunner
			.withPropertyValues("lionfuncs.clients.openai.base-url=https://api.openai.example/v1",
					"lionfuncs.clients.openai.stream-idle-timeout=0s")
			.run((context) -> assertAnalysis(context,
					"Invalid value 'PT0S' for configuration property 'lionfuncs.clients.openai.stream-idle-timeout'.",
					ACTION + "'lionfuncs.clients.openai.stream-idle-timeout' to a positive duration."));
	}

	@Test
	void withoutABaseUrlThereIsNoDefaultClientButTheDefaultExecutorStays() {
		this.contextRunner.withPropertyValues("lionfuncs.clients.openai.base-url=https://api.openai.example/v1")
			.run((context) -> {
				assertThat(context).hasNotFailed().doesNotHaveBean("lionfuncsClient").hasBean("lionfuncsExecutor");
				assertThat(context.getBean(Executor.class).isRunning()).isTrue();
				LionfuncsClients clients = context.getBean(LionfuncsClients.class);
				String message = "No default lionfuncs client: set lionfuncs.client.base-url to configure it, or name "
						+ "one of the clients under lionfuncs.clients: [openai]";
				assertThatIllegalArgumentException().isThrownBy(() -> clients.client("default")).withMessage(message);
				StepVerifier.create(clients.request(ApiRequest.get("/models").build()))
					.expectErrorMessage(message)
					.verify();
				assertThat(clients.executor("default")).isSameAs(context.getBean(Executor.class));
			});
	}

	// ---------------------------------------------------------------- conversion

	@Test
	void durationThatDoesNotConvertFailsStartUpWithTheFix() {
		this.contextRunner.withPropertyValues("lionfuncs.executor.submit-timeout=5parsecs")
			.run((context) -> assertAnalysis(context,
					"Invalid value '5parsecs' for configuration property 'lionfuncs.executor.submit-timeout' "
							+ "(origin: \"lionfuncs.executor.submit-timeout\" from property source \"test\"): "
							+ "it is not a duration.",
					ACTION + "'lionfuncs.executor.submit-timeout' to a duration such as 500ms, 5s, 2m or 1h "
							+ "(units ns, us, ms, s, m, h, d; a number alone means milliseconds)."));
	}

	@Test
	void numberThatDoesNotConvertFailsStartUpWithTheFix() {
		this.contextRunner.withPropertyValues("lionfuncs.executor.api-tokens-rate=lots")
			.run((context) -> assertAnalysis(context,
					"Invalid value 'lots' for configuration property 'lionfuncs.executor.api-tokens-rate' "
							+ "(origin: \"lionfuncs.executor.api-tokens-rate\" from property source \"test\"): "
							+ "it is not a number.",
					ACTION + "'lionfuncs.executor.api-tokens-rate' to a number such as 10 or 2.5."));
	}

	@Test
	void valueOfANamedClientThatDoesNotConvertFailsStartUpWithTheFix() {
		this.contextRunner
			.withPropertyValues("lionfuncs.clients.openai.base-url=https://api.openai.example/v1",
					"lionfuncs.clients.openai.executor.concurrency-limit=many")
			.run((context) -> assertAnalysis(context,
					"Invalid value 'many' for configuration property "
							+ "'lionfuncs.clients.openai.executor.concurrency-limit' (origin: "
							+ "\"lionfuncs.clients.openai.executor.concurrency-limit\" from property source "
							+ "\"test\"): it is not a whole number.",
					ACTION + "'lionfuncs.clients.openai.executor.concurrency-limit' to a whole number such as 10."));
	}

	@Test
	void enumValuesThatDoNotConvertFailStartUpListingTheValidOnes() {
		this.contextRunner.withPropertyValues("lionfuncs.executor.queue-full-policy=drop")
			.run((context) -> assertAnalysis(context,
					"Invalid value 'drop' for configuration property 'lionfuncs.executor.queue-full-policy' "
							+ "(origin: \"lionfuncs.executor.queue-full-policy\" from property source \"test\"): "
							+ "it is not one of REJECT, WAIT.",
					ACTION + "'lionfuncs.executor.queue-full-policy' to one of REJECT, WAIT (in any case, '-' for "
							+ "'_')."));
		this.contextRunner.withPropertyValues("lionfuncs.events.handler-statuses=completed,done")
			.run((context) -> assertThat(analysis(context).getAction()).contains("'lionfuncs.events.handler-statuses",
					"PENDING, QUEUED, PROCESSING, CALLING, COMPLETED, FAILED, CANCELLED"));
	}

	@Test
	void conversionFailuresAreReportedByTheStartersAnalyzerBeforeSpringBoots(CapturedOutput output) {
		String report = failedStartUpReport(output, Empty.class, "--lionfuncs.executor.submit-timeout=5parsecs");
		assertThat(report).contains("Invalid value '5parsecs' for configuration property "
				+ "'lionfuncs.executor.submit-timeout' (origin: \"lionfuncs.executor.submit-timeout\" from property "
				+ "source \"commandLineArgs\"): it is not a duration.")
			.contains(ACTION + "'lionfuncs.executor.submit-timeout' to a duration such as 500ms")
			.doesNotContain("Failed to bind properties under");
	}

	// ---------------------------------------------------------------- unknown keys

	@Test
	void unknownKeyLogsOneWarningNamingTheClosestKey(CapturedOutput output) {
		this.contextRunner.withPropertyValues("lionfuncs.executor.request-rate=5").run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(warnings(output)).containsExactly("Ignoring unknown configuration property "
					+ "'lionfuncs.executor.request-rate' (origin: \"lionfuncs.executor.request-rate\" from property "
					+ "source \"test\"): did you mean 'lionfuncs.executor.requests-rate'?");
		});
	}

	@Test
	void unknownKeysOfNamedClientsAreCheckedAgainstTheClientAndExecutorKeys(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("lionfuncs.clients.openai.base-url=https://api.openai.example/v1",
					"lionfuncs.clients.openai.executor.request-rate=5", "lionfuncs.clients.openai.timeuot=5s",
					"lionfuncs.telemetry.colour=blue")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(warnings(output)).containsExactly("Ignoring unknown configuration properties "
						+ "'lionfuncs.clients.openai.executor.request-rate' (origin: "
						+ "\"lionfuncs.clients.openai.executor.request-rate\" from property source \"test\"): did you "
						+ "mean 'lionfuncs.clients.openai.executor.requests-rate'?; 'lionfuncs.clients.openai.timeuot' "
						+ "(origin: \"lionfuncs.clients.openai.timeuot\" from property source \"test\"): did you mean "
						+ "'lionfuncs.clients.openai.timeout'?; 'lionfuncs.telemetry.colour' (origin: "
						+ "\"lionfuncs.telemetry.colour\" from property source \"test\"): no lionfuncs property has a "
						+ "similar name");
			});
	}

	@Test
	void knownKeysInEveryFormLogNoWarning(CapturedOutput output) {
		this.contextRunner
			.withPropertyValues("lionfuncs.executor.requestsRate=5", "lionfuncs.executor.api_tokens_rate=1000",
					"lionfuncs.client.base-url=https://api.example.com/v1",
					"lionfuncs.client.headers.X-Tenant=t1", "lionfuncs.client.headers[X-Trace]=on",
					"lionfuncs.redact-headers[0]=X-Tenant",
					"lionfuncs.clients.openai.base-url=https://api.openai.example/v1",
					"lionfuncs.clients.openai.headers.OpenAI-Organization=org-1",
					"lionfuncs.clients.openai.executor.rate-limiter.key-prefix=acme",
					"lionfuncs.events.handler-statuses=completed,failed", "lionfuncs.connections.max-idle-time=3s")
			.run((context) -> {
				assertThat(context).hasNotFailed();
				assertThat(context.getBean(Executor.class).getSettings().requestsRate()).isEqualTo(5);
				assertThat(warnings(output)).isEmpty();
			});
	}

	// ---------------------------------------------------------------- support

	private static String failedStartUpReport(CapturedOutput output, Class<?> configuration, String... args) {
		int before = output.getOut().length();
		SpringApplication application = new SpringApplication(MistakesApplication.class, configuration);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setBannerMode(Banner.Mode.OFF);
		String[] all = new String[args.length + 2];
		all[0] = "--spring.main.register-shutdown-hook=false";
		all[1] = "--lionfuncs.executor.shutdown-timeout=0s";
		System.arraycopy(args, 0, all, 2, args.length);
		assertThatRuntimeException().isThrownBy(() -> application.run(all).close());
		String printed = output.getOut().substring(before);
		assertThat(printed).contains("APPLICATION FAILED TO START");
		return printed.substring(printed.indexOf("APPLICATION FAILED TO START"));
	}

	private static java.util.List<String> warnings(CapturedOutput output) {
		Matcher matcher = Pattern.compile("WARN.*UnknownPropertiesCheck\\s*(?:--|:) (Ignoring .*)")
			.matcher(output.getOut());
		java.util.List<String> warnings = new java.util.ArrayList<>();
		while (matcher.find()) {
			warnings.add(matcher.group(1));
		}
		return warnings;
	}

	private static void assertAnalysis(AssertableApplicationContext context, String description, String action) {
		FailureAnalysis analysis = analysis(context);
		assertThat(analysis.getDescription()).isEqualTo(description);
		assertThat(analysis.getAction()).isEqualTo(action);
	}

	private static FailureAnalysis analysis(AssertableApplicationContext context) {
		assertThat(context).hasFailed();
		Throwable failure = context.getStartupFailure();
		FailureAnalysis analysis = new InvalidLionfuncsPropertyFailureAnalyzer().analyze(failure);
		if (analysis == null) {
			analysis = new LionfuncsBindFailureAnalyzer().analyze(failure);
		}
		assertThat(analysis).as("analysis of %s", failure).isNotNull();
		return analysis;
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ JacksonAutoConfiguration.class, CodecsAutoConfiguration.class,
			WebClientAutoConfiguration.class, CircuitBreakerAutoConfiguration.class, RetryAutoConfiguration.class,
			LionfuncsAutoConfiguration.class, LionfuncsClientAutoConfiguration.class,
			LionfuncsNamedClientsAutoConfiguration.class })
	static class MistakesApplication {

	}

	@Configuration(proxyBeanMethods = false)
	static class Empty {

	}

}
