package io.lionfuncs.network;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.contextpropagation.ObservationThreadLocalAccessor;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the {@code lionfuncs.request} observations of an {@link Executor} and the
 * caller's context carried into its calls, leases and completions.
 */
class ExecutorObservationTests {

	private final TestObservationRegistry registry = TestObservationRegistry.create();

	private Executor executor;

	@AfterEach
	void stop() {
		if (this.executor != null) {
			this.executor.stop(false);
		}
	}

	private Executor start(Executor.Builder builder) {
		this.executor = builder.build();
		this.executor.start();
		return this.executor;
	}

	private Executor start(ObservationRegistry registry) {
		return start(Executor.builder()
			.settings(ExecutorSettings.builder().name("traced").requestsRate(1000).build())
			.observationRegistry(registry));
	}

	private static NetworkRequestEvent awaitTerminal(NetworkRequestEvent event) throws Exception {
		return event.completion().get(10, TimeUnit.SECONDS);
	}

	@Test
	void aCallIsObservedFromSubmissionToItsEndAsAChildOfTheCallersObservation() throws Exception {
		Executor executor = start(this.registry);
		AtomicReference<Observation> currentInCall = new AtomicReference<>();
		Observation caller = Observation.start("caller", this.registry);
		NetworkRequestEvent event;
		try (Observation.Scope scope = caller.openScope()) {
			event = executor.submitTask(TaskRequest.ofStage(() -> {
				currentInCall.set(this.registry.getCurrentObservation());
				return CompletableFuture.completedFuture(CallResult.of(200, "ok"));
			}).method("POST").build());
		}
		awaitTerminal(event);
		caller.stop();

		assertThat(this.registry).hasObservationWithNameEqualTo("lionfuncs.request")
			.that()
			.hasBeenStarted()
			.hasBeenStopped()
			.hasContextualNameEqualTo("lionfuncs post")
			.hasParentObservationEqualTo(caller)
			.hasLowCardinalityKeyValue("executor", "traced")
			.hasLowCardinalityKeyValue("status", "COMPLETED")
			.hasHighCardinalityKeyValue("request.id", event.getRequestId())
			.doesNotHaveError();
		Observation.Context inCall = currentInCall.get().getContext();
		assertThat(inCall).isInstanceOf(RequestObservationContext.class);
		assertThat(((RequestObservationContext) inCall).getEvent()).isSameAs(event);
		assertThat(inCall.getParentObservation()).isSameAs(caller);
	}

	@Test
	void theStartOfTheCallIsAnEventOfTheObservation() throws Exception {
		List<String> events = new CopyOnWriteArrayList<>();
		this.registry.observationConfig().observationHandler(new io.micrometer.observation.ObservationHandler<>() {

			@Override
			public void onEvent(Observation.Event event, Observation.Context context) {
				events.add(event.getName() + " while " + ((RequestObservationContext) context).getEvent().getStatus());
			}

			@Override
			public boolean supportsContext(Observation.Context context) {
				return context instanceof RequestObservationContext;
			}

		});
		Executor executor = start(this.registry);

		awaitTerminal(executor.submitTask(TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, null)))
			.build()));

		assertThat(events).containsExactly("lionfuncs.request.call-started while CALLING");
	}

	@Test
	void aFailedCallEndsTheObservationWithItsStatusAndError() throws Exception {
		Executor executor = start(this.registry);
		IllegalStateException failure = new IllegalStateException("boom");

		awaitTerminal(executor.submitTask(TaskRequest.ofStage(() -> CompletableFuture.failedFuture(failure)).build()));

		assertThat(this.registry).hasObservationWithNameEqualTo("lionfuncs.request")
			.that()
			.hasBeenStopped()
			.hasLowCardinalityKeyValue("status", "FAILED")
			.assertThatError()
			.isSameAs(failure);
	}

	@Test
	void aRequestCancelledWhileQueuedIsObservedTooWithoutAParentOutsideAnObservation() throws Exception {
		Executor executor = start(Executor.builder()
			.settings(ExecutorSettings.builder().name("traced").concurrencyLimit(1).build())
			.observationRegistry(this.registry));
		executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());
		NetworkRequestEvent queued = executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());

		queued.cancel();

		assertThat(this.registry).hasNumberOfObservationsWithNameEqualTo("lionfuncs.request", 2);
		assertThat(this.registry).hasAnObservation((observation) -> observation
			.hasHighCardinalityKeyValue("request.id", queued.getRequestId())
			.hasLowCardinalityKeyValue("status", "CANCELLED")
			.doesNotHaveParentObservation());
	}

	@Test
	void aReactiveCallIsSubscribedWithTheRequestsObservationInItsContext() throws Exception {
		Executor executor = start(this.registry);
		AtomicReference<Object> inContext = new AtomicReference<>();

		NetworkRequestEvent event = awaitTerminal(executor.submitTask(TaskRequest.ofMono(() -> Mono.deferContextual(
				(context) -> {
					inContext.set(context.getOrDefault(ObservationThreadLocalAccessor.KEY, null));
					return Mono.just(CallResult.of(200, null));
				}))
			.build()));

		assertThat(inContext.get()).isInstanceOf(Observation.class);
		RequestObservationContext context = (RequestObservationContext) ((Observation) inContext.get()).getContext();
		assertThat(context.getEvent()).isSameAs(event);
	}

	@Test
	void callersAwaitingTheEndAndLeaseHoldersContinueInTheCallersContext() throws Exception {
		Executor executor = start(this.registry);
		Observation caller = Observation.start("caller", this.registry);
		CompletableFuture<Observation> atCompletion = new CompletableFuture<>();
		CompletableFuture<Observation> atGrant = new CompletableFuture<>();
		CompletableFuture<Void> release = new CompletableFuture<>();
		try (Observation.Scope scope = caller.openScope()) {
			NetworkRequestEvent event = executor
				.submitTask(TaskRequest.ofStage(() -> release.thenApply((done) -> CallResult.of(200, null))).build());
			event.completion().thenRun(() -> atCompletion.complete(this.registry.getCurrentObservation()));
			executor.leaseAsync(TaskRequest.lease().build()).thenAccept((lease) -> {
				atGrant.complete(this.registry.getCurrentObservation());
				lease.complete(CallResult.of(200, null));
			});
		}
		// Completed on another thread, outside the caller's scope.
		CompletableFuture.runAsync(() -> release.complete(null)).join();

		assertThat(atCompletion.get(10, TimeUnit.SECONDS)).isSameAs(caller);
		// A lease granted at once runs its holder on the caller's thread, in the caller's
		// scope; one granted later, by a dispatcher, in the request's observation.
		Observation granted = atGrant.get(10, TimeUnit.SECONDS);
		if (granted != caller) {
			assertThat(granted.getContext()).isInstanceOf(RequestObservationContext.class);
			assertThat(granted.getContext().getParentObservation()).isSameAs(caller);
		}
		caller.stop();
	}

	@Test
	void aConventionGivenReplacesTheDefaultOne() throws Exception {
		Executor executor = start(Executor.builder()
			.settings(ExecutorSettings.builder().name("traced").build())
			.observationRegistry(this.registry)
			.observationConvention(new DefaultRequestObservationConvention() {

				@Override
				public String getName() {
					return "llm.call";
				}

				@Override
				public KeyValues getLowCardinalityKeyValues(RequestObservationContext context) {
					return super.getLowCardinalityKeyValues(context).and("method",
							String.valueOf(context.getEvent().getMethod()));
				}

			}));

		awaitTerminal(executor.submitTask(
				TaskRequest.ofStage(() -> CompletableFuture.completedFuture(CallResult.of(200, null))).method("GET").build()));

		assertThat(this.registry).hasSingleObservationThat()
			.hasNameEqualTo("llm.call")
			.hasLowCardinalityKeyValue("method", "GET")
			.hasLowCardinalityKeyValue("status", "COMPLETED");
	}

	@Test
	void withoutARegistryOrWithTheNoopOneNothingIsTraced() throws Exception {
		assertThat(RequestTracing.of("traced", null, null)).isNull();
		assertThat(RequestTracing.of("traced", ObservationRegistry.NOOP, null)).isNull();
		Executor executor = start(ObservationRegistry.NOOP);
		AtomicReference<Observation> currentInCall = new AtomicReference<>();
		Observation caller = Observation.start("caller", this.registry);
		NetworkRequestEvent event;
		try (Observation.Scope scope = caller.openScope()) {
			event = executor.submitTask(TaskRequest.ofStage(() -> {
				currentInCall.set(this.registry.getCurrentObservation());
				return CompletableFuture.completedFuture(CallResult.of(200, null));
			}).build());
		}

		awaitTerminal(event);
		caller.stop();

		assertThat(currentInCall.get()).isNull();
		assertThat(this.registry).hasNumberOfObservationsWithNameEqualTo("lionfuncs.request", 0);
		assertThat(event.getStatus()).isEqualTo(RequestStatus.COMPLETED);
		assertThat(((ExecutorTask) event.lifecycle()).traced).isNull();
	}

}
