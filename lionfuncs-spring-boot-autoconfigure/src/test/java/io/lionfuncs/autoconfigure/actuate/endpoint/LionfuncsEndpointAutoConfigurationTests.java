package io.lionfuncs.autoconfigure.actuate.endpoint;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import io.lionfuncs.autoconfigure.LionfuncsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsNamedClientsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsRedisAutoConfiguration;
import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.Lease;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestSnapshot;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.TaskRequest;
import io.lionfuncs.network.client.ApiStream;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link LionfuncsEndpointAutoConfiguration} and {@link LionfuncsEndpoint}.
 */
class LionfuncsEndpointAutoConfigurationTests {

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withConfiguration(AutoConfigurations.of(LionfuncsAutoConfiguration.class,
				LionfuncsNamedClientsAutoConfiguration.class, LionfuncsEndpointAutoConfiguration.class));

	@Test
	void withRedisSupportTheRedisStateIsAdded() {
		this.contextRunner
			.withConfiguration(
					AutoConfigurations.of(DataRedisAutoConfiguration.class, LionfuncsRedisAutoConfiguration.class))
			.withPropertyValues("management.endpoints.web.exposure.include=lionfuncs")
			.run((context) -> assertThat(context).hasSingleBean(RedisRateLimiterEndpointContributor.class));
	}

	@Test
	void withoutTheRedisAutoConfigurationNoRedisStateIsAdded() {
		this.contextRunner
			.withPropertyValues("management.endpoints.web.exposure.include=lionfuncs")
			.run((context) -> assertThat(context).doesNotHaveBean(RedisRateLimiterEndpointContributor.class));
	}

	@Test
	void runWhenExposedShouldHaveEndpointBean() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=lionfuncs")
			.run((context) -> assertThat(context).hasSingleBean(LionfuncsEndpoint.class));
	}

	@Test
	void runWhenNotExposedShouldNotHaveEndpointBean() {
		this.contextRunner.run((context) -> assertThat(context).doesNotHaveBean(LionfuncsEndpoint.class));
	}

	@Test
	void runWhenDisabledShouldNotHaveEndpointBean() {
		this.contextRunner
			.withPropertyValues("management.endpoints.web.exposure.include=lionfuncs", "lionfuncs.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(LionfuncsEndpoint.class));
	}

	@Test
	@SuppressWarnings("unchecked")
	void endpointDescribesEveryExecutorAndItsInFlightRequests() {
		this.contextRunner
			.withPropertyValues("management.endpoints.web.exposure.include=lionfuncs",
					"lionfuncs.executor.concurrency-limit=1", "lionfuncs.executor.api-tokens-rate=1000",
					"lionfuncs.executor.requests-period=1h", "lionfuncs.executor.api-tokens-period=1h",
					"lionfuncs.executor.shutdown-timeout=0s", "lionfuncs.clients.openai.base-url=http://localhost")
			.run((context) -> {
				Executor executor = context.getBean("lionfuncsExecutor", Executor.class);
				CompletableFuture<CallResult> call = new CompletableFuture<>();
				NetworkRequestEvent calling = executor.submitTask(TaskRequest.ofStage(() -> call)
					.endpointUrl("https://api.example.com/v1/chat?api_key=s3cret")
					.method("POST")
					.headers(Map.of("Authorization", "Bearer s3cret"))
					.numApiTokensNeeded(40)
					.build());
				await().atMost(Duration.ofSeconds(10)).until(() -> calling.getStatus() == RequestStatus.CALLING);
				executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());

				Map<String, Object> content = context.getBean(LionfuncsEndpoint.class).lionfuncs();

				Map<String, ExecutorDescriptor> executors = (Map<String, ExecutorDescriptor>) content.get("executors");
				assertThat(executors).containsOnlyKeys("default", "openai");
				ExecutorDescriptor descriptor = executors.get("default");
				assertThat(descriptor.running()).isTrue();
				assertThat(descriptor.queue()).isEqualTo(new ExecutorDescriptor.QueueDescriptor(1, 1000, 999));
				assertThat(descriptor.concurrency()).isEqualTo(new ExecutorDescriptor.ConcurrencyDescriptor(1, 1, 0));
				assertThat(descriptor.workers()).isEqualTo(5);
				assertThat(descriptor.buckets().requests().available()).isEqualTo(9);
				assertThat(descriptor.buckets().requests().period()).isEqualTo("PT1H");
				assertThat(descriptor.buckets().apiTokens().capacity()).isEqualTo(1000);
				assertThat(descriptor.buckets().apiTokens().available()).isEqualTo(960);
				assertThat(descriptor.counts()).containsEntry("QUEUED", 1L)
					.containsEntry("CALLING", 1L)
					.containsEntry("COMPLETED", 0L)
					.containsEntry("rejected", 0L);
				assertThat(descriptor.inFlight()).singleElement().satisfies((inFlight) -> {
					assertThat(inFlight.requestId()).isEqualTo(calling.getRequestId());
					assertThat(inFlight.status()).isEqualTo("CALLING");
					assertThat(inFlight.method()).isEqualTo("POST");
					assertThat(inFlight.endpointUrl()).isEqualTo("https://api.example.com/v1/chat?api_key=******");
					assertThat(inFlight.apiTokens()).isEqualTo(40);
				});
				assertThat(executors.get("openai").buckets().apiTokens()).isNull();
				assertThat(content.toString()).doesNotContain("s3cret");
			});
	}

	@Test
	@SuppressWarnings("unchecked")
	void openStreamsAreListedInFlightWithTheirAgeAndTimeToFirstByte() {
		this.contextRunner
			.withPropertyValues("management.endpoints.web.exposure.include=lionfuncs",
					"lionfuncs.executor.shutdown-timeout=0s")
			.run((context) -> {
				Executor executor = context.getBean(Executor.class);
				Lease stream = executor.leaseAsync(TaskRequest.lease()
					.endpointUrl("https://api.example.com/v1/chat/completions")
					.method("POST")
					.metadata(Map.of(ApiStream.METADATA_KEY, true))
					.build()).join();
				Lease plain = executor.leaseAsync(TaskRequest.lease().build()).join();
				stream.markFirstByte();

				Map<String, Object> content = context.getBean(LionfuncsEndpoint.class).lionfuncs();

				ExecutorDescriptor descriptor = ((Map<String, ExecutorDescriptor>) content.get("executors"))
					.get("default");
				assertThat(descriptor.inFlight()).hasSize(2).anySatisfy((inFlight) -> {
					assertThat(inFlight.requestId()).isEqualTo(stream.event().getRequestId());
					assertThat(inFlight.stream()).isTrue();
					assertThat(inFlight.timeToFirstByteMillis()).isNotNull().isNotNegative();
					assertThat(inFlight.ageMillis()).isNotNegative();
				}).anySatisfy((inFlight) -> {
					assertThat(inFlight.requestId()).isEqualTo(plain.event().getRequestId());
					assertThat(inFlight.stream()).isFalse();
					assertThat(inFlight.timeToFirstByteMillis()).isNull();
				});
				stream.close();
				plain.close();
			});
	}

	@Test
	void endpointFindsOneRequestById() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=lionfuncs").run((context) -> {
			Executor executor = context.getBean(Executor.class);
			NetworkRequestEvent done = executor.submitTask(
					TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, "secret body")))
						.headers(Map.of("X-Api-Key", "k3y"))
						.build());
			done.completion().get();
			LionfuncsEndpoint endpoint = context.getBean(LionfuncsEndpoint.class);

			RequestSnapshot found = endpoint.request(done.getRequestId());

			assertThat(found.status()).isEqualTo(RequestStatus.COMPLETED);
			assertThat(found.headers()).containsEntry("X-Api-Key", "******");
			assertThat(found.toString()).doesNotContain("secret body", "k3y");
			assertThat(endpoint.request("no-such-request")).isNull();
		});
	}

	@Test
	void contributorsAddSections() {
		this.contextRunner.withPropertyValues("management.endpoints.web.exposure.include=lionfuncs")
			.withBean(LionfuncsEndpointContributor.class, () -> new LionfuncsEndpointContributor() {

				@Override
				public String section() {
					return "quota";
				}

				@Override
				public Object describe() {
					return Map.of("dailyCallsLeft", 120);
				}

			})
			.run((context) -> assertThat(context.getBean(LionfuncsEndpoint.class).lionfuncs())
				.containsKeys("executors", "quota")
				.extractingByKey("quota")
				.isEqualTo(Map.of("dailyCallsLeft", 120)));
	}

	@Test
	void inFlightListIsBounded() {
		this.contextRunner
			.withPropertyValues("management.endpoints.web.exposure.include=lionfuncs",
					"lionfuncs.executor.concurrency-limit=150", "lionfuncs.executor.requests-rate=1000",
					"lionfuncs.executor.shutdown-timeout=0s")
			.run((context) -> {
				Executor executor = context.getBean(Executor.class);
				for (int i = 0; i < 150; i++) {
					executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());
				}
				await().atMost(Duration.ofSeconds(10)).until(() -> executor.stats().calling() == 150);
				@SuppressWarnings("unchecked")
				Map<String, ExecutorDescriptor> executors = (Map<String, ExecutorDescriptor>) context
					.getBean(LionfuncsEndpoint.class)
					.lionfuncs()
					.get("executors");
				List<ExecutorDescriptor.InFlightDescriptor> inFlight = executors.get("default").inFlight();
				assertThat(inFlight).hasSize(ExecutorDescriptor.MAX_IN_FLIGHT);
			});
	}

}
