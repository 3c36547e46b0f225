package io.lionfuncs.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import io.github.resilience4j.springboot.circuitbreaker.autoconfigure.CircuitBreakerAutoConfiguration;
import io.github.resilience4j.springboot.retry.autoconfigure.RetryAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsClientAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsEventsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsNamedClientsAutoConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.http.codec.autoconfigure.CodecsAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Invalid {@code lionfuncs.*} configurations, each started as a real application: every
 * one must stop start-up, and the report Spring Boot prints ("APPLICATION FAILED TO
 * START") must name the key, the value and what to set instead.
 */
@ExtendWith({ OutputCaptureExtension.class, SuiteDuration.class })
class BadConfigurationTests {

	private static final String FAILED = "APPLICATION FAILED TO START";

	@TempDir
	static Path temp;

	private static Path regularFile;

	private static Figures figures;

	private static final AtomicInteger runs = new AtomicInteger();

	private static final AtomicInteger passed = new AtomicInteger();

	@BeforeAll
	static void prepare() throws IOException {
		regularFile = Files.writeString(temp.resolve("not-a-directory"), "a file");
		figures = Figures.start("bad-configuration");
	}

	@AfterAll
	static void report() {
		figures.put("failedStartUpWithKeyValueAndFix", passed.get()).report();
	}

	static Stream<Arguments> invalidConfigurations() {
		List<Arguments> all = new ArrayList<>();
		// executor
		all.add(invalid("lionfuncs.executor.queue-capacity", "0", "at least 1"));
		all.add(invalid("lionfuncs.executor.concurrency-limit", "-5", "at least 1"));
		all.add(invalid("lionfuncs.executor.requests-rate", "-1", "-1.0", "greater than 0"));
		all.add(invalid("lionfuncs.executor.requests-rate", "NaN", "NaN", "greater than 0"));
		all.add(invalid("lionfuncs.executor.requests-rate", "5000000000", "5.0E9", "at most 1 token per nanosecond"));
		all.add(invalid("lionfuncs.executor.requests-period", "0s", "PT0S", "greater than 0"));
		all.add(invalid("lionfuncs.executor.requests-bucket-capacity", "0", "at least 1"));
		all.add(invalid("lionfuncs.executor.api-tokens-rate", "0", "0.0", "greater than 0"));
		all.add(invalid(new String[] { "lionfuncs.executor.api-tokens-rate=1000",
				"lionfuncs.executor.api-tokens-bucket-capacity=-1" }, "lionfuncs.executor.api-tokens-bucket-capacity",
				"-1", "at least 1"));
		all.add(invalid("lionfuncs.executor.api-tokens-bucket-capacity", "5000", "lionfuncs.executor.api-tokens-rate"));
		all.add(invalid(new String[] { "lionfuncs.executor.api-tokens-rate=1000",
				"lionfuncs.executor.api-tokens-period=-1m" }, "lionfuncs.executor.api-tokens-period", "PT-1M",
				"greater than 0"));
		all.add(invalid("lionfuncs.executor.num-workers", "0", "at least 1"));
		all.add(invalid("lionfuncs.executor.submit-timeout", "0s", "PT0S", "greater than 0"));
		all.add(invalid("lionfuncs.executor.shutdown-timeout", "-1s", "PT-1S", "0 or more"));
		all.add(invalid("lionfuncs.executor.recent-capacity", "-1", "0 or more"));
		all.add(invalid("lionfuncs.executor.queue-full-policy", "drop", "REJECT"));
		all.add(invalid("lionfuncs.executor.rate-limiter.store", "redis", "'local'"));
		// values that do not convert
		all.add(invalid("lionfuncs.executor.submit-timeout", "5parsecs", "a duration such as 500ms, 5s"));
		all.add(invalid("lionfuncs.executor.api-tokens-rate", "lots", "a number such as 10"));
		all.add(invalid("lionfuncs.clients.openai.executor.num-workers", "some", "a whole number such as 10"));
		// clients
		all.add(invalid("lionfuncs.client.base-url", "ftp://files.example.com", "http:// or https://"));
		all.add(invalid("lionfuncs.client.timeout", "0s", "PT0S", "positive"));
		all.add(invalid("lionfuncs.client.circuit-breaker.failure-threshold", "0", "1 or more"));
		all.add(invalid("lionfuncs.client.circuit-breaker.recovery-time", "0s", "PT0S", "positive"));
		all.add(invalid("lionfuncs.client.circuit-breaker.half-open-max-calls", "0", "1 or more"));
		all.add(invalid("lionfuncs.client.retry.max-retries", "-1", "0 or more"));
		all.add(invalid("lionfuncs.client.retry.base-delay", "-1s", "PT-1S", "zero or positive"));
		all.add(invalid("lionfuncs.client.retry.max-delay", "100ms", "PT0.1S", "at least baseDelay"));
		all.add(invalid("lionfuncs.client.retry.backoff-factor", "0.5", "1 or more"));
		all.add(invalid("lionfuncs.clients.openai.base-url", "openai", "http:// or https://"));
		all.add(invalid(new String[] { "lionfuncs.client.headers[X Bad]=1" }, "lionfuncs.client.headers[X Bad]",
				"X Bad", "an HTTP token"));
		all.add(invalid(new String[] { "lionfuncs.client.headers.X-Tenant=a\r\nX-Injected: 1" },
				"lionfuncs.client.headers.X-Tenant", "a\\r\\nX-Injected: 1", "without line breaks"));
		all.add(invalid(new String[] { "lionfuncs.client.headers.Authorization=Bearer s3cr3t\n" },
				"lionfuncs.client.headers.Authorization", "'******'", "without line breaks"));
		all.add(invalid(new String[] { "lionfuncs.clients.openai.base-url=https://api.openai.com",
				"lionfuncs.clients.openai.executor.concurrency-limit=0" },
				"lionfuncs.clients.openai.executor.concurrency-limit", "0", "at least 1"));
		all.add(invalid(new String[] { "lionfuncs.clients.default.base-url=https://api.example.com" },
				"lionfuncs.clients.default", "default", "another name"));
		all.add(invalid(new String[] { "lionfuncs.client.base-url=https://api.example.com",
				"lionfuncs.client.headers.Authorization=Bearer s3cr3t-${ACME_KEY_SUFFIX}" },
				"lionfuncs.client.headers.Authorization", "…${ACME_KEY_SUFFIX}", "nothing defines ACME_KEY_SUFFIX"));
		all.add(invalid(new String[] { "lionfuncs.client.timeout=3s" }, "lionfuncs.client.base-url", "null",
				"configure a default client, which needs one"));
		all.add(invalid(new String[] { "lionfuncs.clients.openai.executor.requests-rate=3" },
				"lionfuncs.clients.openai.base-url", "null", "every client under lionfuncs.clients needs one"));
		// events
		all.add(invalid(new String[] { "lionfuncs.events.file.enabled=true" }, "lionfuncs.events.file.directory",
				"null", "the directory"));
		all.add(invalid(new String[] { "lionfuncs.events.file.enabled=true",
				"lionfuncs.events.file.directory=" + regularFile }, "lionfuncs.events.file.directory",
				regularFile.toString(), "a writable directory"));
		all.add(invalid(new String[] { "lionfuncs.events.webhook.enabled=true",
				"lionfuncs.events.webhook.url=ftp://hooks.example.com" }, "lionfuncs.events.webhook.url",
				"ftp://hooks.example.com", "http:// or https://"));
		all.add(invalid(new String[] { "lionfuncs.events.webhook.enabled=true",
				"lionfuncs.events.webhook.url=http://hooks example.com/in/s3cr3t" }, "lionfuncs.events.webhook.url",
				"http://hooks example.com/…", "http:// or https://"));
		all.add(invalid(new String[] { "lionfuncs.events.webhook.enabled=true",
				"lionfuncs.events.webhook.url=hooks.example.com/in/s3cr3t" }, "lionfuncs.events.webhook.url",
				"hooks.example.com/…", "http:// or https://"));
		all.add(invalid(new String[] { "lionfuncs.events.webhook.enabled=true",
				"lionfuncs.events.webhook.url=https://hooks.example.com/in", "lionfuncs.events.webhook.timeout=0s" },
				"lionfuncs.events.webhook.timeout", "PT0S", "positive"));
		all.add(invalid(new String[] { "lionfuncs.events.logging.enabled=true", "lionfuncs.events.logging.level=LOUD" },
				"lionfuncs.events.logging.level", "LOUD", "TRACE, DEBUG, INFO, WARN, ERROR"));
		all.add(invalid("lionfuncs.events.handler-statuses", "DONE", "COMPLETED"));
		all.add(invalid(new String[] { "lionfuncs.events.spool-directory=" + regularFile },
				"lionfuncs.events.spool-directory", regularFile.toString(), "a writable directory"));
		all.add(invalid(new String[] { "lionfuncs.events.logging.enabled=true", "lionfuncs.events.logging.logger=a,b" },
				"lionfuncs.events.logging.logger", "a,b", "without ','"));
		all.add(invalid(new String[] { "E3_EVENT_HANDLERS=logging|com.example.Evil=payload" },
				"environment variable E3_EVENT_HANDLERS", "'com.example.Evil'", "[file, logging, webhook]"));
		all.add(invalid(new String[] { "E3_EVENT_HANDLERS=file=" }, "environment variable E3_EVENT_HANDLERS",
				"[file]", "needs a directory"));
		return all.stream();
	}

	private static Arguments invalid(String key, String value, String fix) {
		return invalid(key, value, value, fix);
	}

	private static Arguments invalid(String key, String value, String shownValue, String fix) {
		return invalid(new String[] { key + "=" + value }, key, shownValue, fix);
	}

	private static Arguments invalid(String[] properties, String key, String shownValue, String fix) {
		return Arguments.of(String.join(" ", properties), properties, key, shownValue, fix);
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("invalidConfigurations")
	void startUpFailsNamingTheKeyTheValueAndTheFix(String description, String[] properties, String key, String value,
			String fix, CapturedOutput output) {
		int before = output.getOut().length();
		SpringApplication application = new SpringApplication(BadConfigurationApplication.class);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setBannerMode(Banner.Mode.OFF);
		List<String> args = new ArrayList<>();
		if (!description.contains("lionfuncs.events.spool-directory=")) {
			args.add("--lionfuncs.events.spool-directory=" + temp.resolve("spool-" + runs.incrementAndGet()));
		}
		args.add("--spring.main.register-shutdown-hook=false");
		for (String property : properties) {
			args.add("--" + property);
		}
		try (ConfigurableApplicationContext context = application.run(args.toArray(String[]::new))) {
			fail("Started up with " + description);
		}
		catch (RuntimeException ex) {
			// the failure analysis is printed, not thrown
		}
		String printed = output.getOut().substring(before);
		assertThat(printed).as("failure report for %s", description).contains(FAILED);
		String report = printed.substring(printed.indexOf(FAILED));
		assertThat(report).as("report for %s", description).contains(key).contains(value).contains(fix);
		assertThat(report).as("no secret in the report").doesNotContain("s3cr3t");
		passed.incrementAndGet();
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ JacksonAutoConfiguration.class, CodecsAutoConfiguration.class,
			WebClientAutoConfiguration.class, CircuitBreakerAutoConfiguration.class, RetryAutoConfiguration.class,
			LionfuncsAutoConfiguration.class, LionfuncsClientAutoConfiguration.class,
			LionfuncsNamedClientsAutoConfiguration.class, LionfuncsEventsAutoConfiguration.class })
	static class BadConfigurationApplication {

	}

}
