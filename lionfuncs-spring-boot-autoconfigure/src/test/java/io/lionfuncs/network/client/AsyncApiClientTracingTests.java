package io.lionfuncs.network.client;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.Lease;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.TaskRequest;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.propagation.Propagator;
import io.micrometer.tracing.test.simple.SimpleSpan;
import io.micrometer.tracing.test.simple.SimpleTracer;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests that a trace continues from the caller through an {@link Executor} into the
 * {@code http.client.requests} span of a real {@link AsyncApiClient} call, with the
 * request's wait in the queue in it.
 */
class AsyncApiClientTracingTests {

	private final MockWebServer server = new MockWebServer();

	private final SimpleTracer tracer = new SimpleTracer();

	private final ObservationRegistry registry = ObservationRegistry.create();

	private AsyncApiClient client;

	private Executor executor;

	@BeforeEach
	void start() throws Exception {
		this.server.start();
		this.registry.observationConfig()
			.observationHandler(new ObservationHandler.FirstMatchingCompositeObservationHandler(
					new PropagatingSenderTracingObservationHandler<>(this.tracer, Propagator.NOOP),
					new DefaultTracingObservationHandler(this.tracer)));
		this.client = AsyncApiClient.builder()
			.baseUrl("http://127.0.0.1:" + this.server.getPort())
			.webClientBuilder(WebClient.builder().observationRegistry(this.registry))
			.build();
		this.executor = Executor.builder()
			.settings(ExecutorSettings.builder().name("traced").concurrencyLimit(1).requestsRate(1000).build())
			.observationRegistry(this.registry)
			.build();
		this.executor.start();
	}

	@AfterEach
	void stop() {
		this.executor.stop(false);
		this.client.close();
		this.server.close();
	}

	@Test
	void oneTraceGoesFromTheCallerThroughTheQueueWaitToTheHttpCall() throws Exception {
		this.server.enqueue(new MockResponse.Builder().code(200).body("{\"ok\":true}").build());
		// A lease holds the only slot, so that the call waits in the queue.
		Lease holder = this.executor.leaseAsync(TaskRequest.lease().build()).get(10, TimeUnit.SECONDS);
		Observation caller = Observation.start("caller", this.registry);
		NetworkRequestEvent event;
		try (Observation.Scope scope = caller.openScope()) {
			event = this.client.submitTask(this.executor, ApiRequest.get("/v1/models/{id}", "small").build());
		}
		assertThat(event.getStatus()).isEqualTo(RequestStatus.QUEUED);
		Instant slotFreed = Instant.now().truncatedTo(ChronoUnit.MILLIS);
		holder.complete(CallResult.of(200, null));
		event.completion().get(10, TimeUnit.SECONDS);
		caller.stop();

		assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED);
		SimpleSpan callerSpan = span("caller");
		SimpleSpan requestSpan = spanWith("request.id", event.getRequestId());
		SimpleSpan httpSpan = span("http get");
		assertThat(List.of(requestSpan.getTraceId(), httpSpan.getTraceId())).containsOnly(callerSpan.getTraceId());
		assertThat(requestSpan.getParentId()).isEqualTo(callerSpan.getSpanId());
		assertThat(httpSpan.getParentId()).isEqualTo(requestSpan.getSpanId());
		assertThat(requestSpan.getTags()).containsEntry("executor", "traced").containsEntry("status", "COMPLETED");
		assertThat(httpSpan.getTags()).containsEntry("uri", "/v1/models/{id}");
		// The queue wait: the request's span starts at submission, its call (an event of the
		// span, and the HTTP span) once the slot is free.
		assertThat(requestSpan.getEvents()).extracting(Map.Entry::getValue).containsExactly("call started");
		assertThat(requestSpan.getStartTimestamp()).isBefore(slotFreed.plusMillis(1));
		assertThat(event.getCallStartedAt()).isAfterOrEqualTo(slotFreed);
		assertThat(httpSpan.getStartTimestamp()).isAfterOrEqualTo(slotFreed);
		assertThat(requestSpan.getEndTimestamp()).isAfterOrEqualTo(httpSpan.getEndTimestamp());
	}

	private SimpleSpan span(String name) {
		return this.tracer.getSpans()
			.stream()
			.filter((span) -> name.equals(span.getName()))
			.findFirst()
			.orElseThrow(() -> new AssertionError("No span " + name + " in " + this.tracer.getSpans()));
	}

	private SimpleSpan spanWith(String tag, String value) {
		return this.tracer.getSpans()
			.stream()
			.filter((span) -> value.equals(span.getTags().get(tag)))
			.findFirst()
			.orElseThrow(() -> new AssertionError("No span tagged " + tag + "=" + value + " in " + this.tracer.getSpans()));
	}

}
