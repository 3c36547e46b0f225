package io.lionfuncs.network;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.lionfuncs.network.budget.BudgetStats;
import io.lionfuncs.network.budget.ExecutorPause;
import io.lionfuncs.network.budget.ExecutorPauseListener;
import io.lionfuncs.network.limit.BucketView;
import io.lionfuncs.network.limit.TokenBucketFactory;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * Runs calls to a rate-limited API: a bounded queue, dispatcher loops, a concurrency
 * limit and two token buckets (requests, and API tokens such as an LLM's
 * tokens-per-minute), with every call's lifecycle tracked in a
 * {@link NetworkRequestEvent}.
 * <p>
 * A dispatcher takes a request from the queue only when a concurrency slot is free,
 * then <em>reserves</em> its tokens in both buckets (taken now; the call starts at the
 * instant they exist) and starts the call. Requests are served first come, first
 * served; over any window of length {@code T} no more than
 * {@code capacity + rate * T / period} calls leave, for each bucket. Nothing is dropped
 * silently: a full queue rejects loudly or makes the submitter wait, and after
 * {@link #stop(boolean)} returns every event ever submitted is terminal.
 * <p>
 * A request is either a task, whose call the executor makes ({@link #submitTask}), or
 * a {@link Lease}, granted to a caller that makes its call itself ({@link #lease},
 * {@link #leaseAsync}, {@link #acquireLease}): both wait in the same queue and are
 * governed, tracked and stopped alike.
 *
 * <pre class="code">
 * try (Executor executor = Executor.builder()
 *         .settings(ExecutorSettings.builder().requestsRate(50).apiTokensRate(90_000.0).build())
 *         .build()) {
 *     executor.start();
 *     NetworkRequestEvent event = executor.submitTask(TaskRequest.ofMono(() -&gt; callTheApi())
 *         .numApiTokensNeeded(1200).build());
 *     event.completion().join();
 * }
 * </pre>
 */
public final class Executor implements AutoCloseable {

	private final ExecutorStages stages;

	private final String name;

	/**
	 * Creates an executor with the given settings, local buckets and the system clock.
	 * Call {@link #start()} before submitting.
	 * @param settings the settings
	 */
	public Executor(ExecutorSettings settings) {
		this(new ExecutorStages((ExecutorBuilder) builder().settings(settings)));
	}

	Executor(ExecutorStages stages) {
		this.stages = stages;
		this.name = stages.settings.name();
	}

	/**
	 * A builder for an executor with custom time, scheduling, buckets or listeners.
	 * @return the builder
	 */
	public static Builder builder() {
		return new ExecutorBuilder();
	}

	// ---------------------------------------------------------------- lifecycle

	/**
	 * Starts the dispatcher loops. Starting a running executor does nothing; a stopped
	 * one may be started again.
	 * @throws IllegalStateException while a stop is in progress
	 */
	public void start() {
		this.stages.runState.start(this.stages.dispatcher);
	}

	/**
	 * Whether the executor accepts tasks.
	 * @return {@code true} between {@link #start()} and {@link #stop}
	 */
	public boolean isRunning() {
		return this.stages.runState.isRunning();
	}

	/**
	 * Stops the executor and waits until every event ever submitted is terminal.
	 * Graceful: accept nothing new, run what is queued (limits still apply) and cancel
	 * what is left after the shutdown timeout. Not graceful: cancel queued and in-flight
	 * work at once. Leases are ended like tasks: a graceful stop waits for the leases
	 * granted, and revokes those still held after the shutdown timeout.
	 * @param graceful whether to drain the queue first
	 */
	public void stop(boolean graceful) {
		this.stages.shutdown.stop(graceful);
	}

	/**
	 * Starts a stop without waiting for it; see {@link #stop(boolean)}. A second call
	 * while stopping can turn a graceful stop into an immediate one.
	 * @param graceful whether to drain the queue first
	 * @return a future completing once every event is terminal
	 */
	public CompletableFuture<Void> stopAsync(boolean graceful) {
		return this.stages.shutdown.stopAsync(graceful);
	}

	/**
	 * Stops gracefully; see {@link #stop(boolean)}.
	 */
	@Override
	public void close() {
		stop(true);
	}

	/**
	 * Holds dispatch until {@code ready} completes, however it completes, or
	 * {@code atMost} has passed. Requests submitted meanwhile wait in the queue with
	 * their tokens not yet reserved, and leave when the hold ends, as the buckets allow
	 * then: rather than late and together, as calls would that the first connection's
	 * set-up and class loading delayed. Holds may overlap; dispatch resumes once all have
	 * ended. A stop ends them.
	 * @param ready what dispatch waits for, such as the warm-up of the client the calls
	 * go through
	 * @param atMost the longest dispatch is held
	 */
	public void holdDispatchUntil(CompletionStage<?> ready, Duration atMost) {
		Objects.requireNonNull(ready, "ready must not be null");
		this.stages.runState.holdDispatch(ready, Objects.requireNonNull(atMost, "atMost must not be null").toNanos());
	}

	// ---------------------------------------------------------------- tasks

	/**
	 * Submits a call. Returns once the task is queued (its event is {@code QUEUED}), or
	 * at once with a {@code FAILED} event when it needs more API tokens than the bucket
	 * can ever hold. When the queue is full, {@link QueueFullPolicy#REJECT} throws at
	 * once and {@link QueueFullPolicy#WAIT} waits up to the submit timeout; from a
	 * non-blocking thread use {@link #submit} instead of waiting.
	 * @param request the call and what to record about it
	 * @return the call's event
	 * @throws TaskRejectedException if the executor is not running or the queue is full
	 */
	public NetworkRequestEvent submitTask(TaskRequest request) {
		return this.stages.admission.submit(request);
	}

	/**
	 * Submits a call, seed style; see {@link #submitTask(TaskRequest)}.
	 * @param call supplies the call's result when the executor starts it
	 * @param endpointUrl the URL called, for tracking
	 * @param method the HTTP method, for tracking
	 * @param headers the request headers, for tracking (redacted)
	 * @param payload the payload, for tracking
	 * @param numApiTokensNeeded API tokens to reserve
	 * @param metadata custom metadata
	 * @return the call's event
	 */
	public NetworkRequestEvent submitTask(Supplier<? extends CompletionStage<? extends CallResult>> call,
			@Nullable String endpointUrl, @Nullable String method, @Nullable Map<String, ?> headers,
			@Nullable Object payload, long numApiTokensNeeded, @Nullable Map<String, ?> metadata) {
		return submitTask(TaskRequest.ofStage(call)
			.endpointUrl(endpointUrl)
			.method(method)
			.headers(headers)
			.payload(payload)
			.numApiTokensNeeded(numApiTokensNeeded)
			.metadata(metadata)
			.build());
	}

	/**
	 * Submits a call without blocking. The future completes with the event once it is
	 * queued (or {@code FAILED} when oversized), or fails with a
	 * {@link TaskRejectedException}. Cancelling the future while it waits for room
	 * cancels the request.
	 * @param request the call and what to record about it
	 * @return a future of the queued event
	 */
	public CompletableFuture<NetworkRequestEvent> submitTaskAsync(TaskRequest request) {
		return this.stages.admission.submitAsync(request);
	}

	/**
	 * Submits a call when subscribed; see {@link #submitTaskAsync(TaskRequest)}.
	 * @param request the call and what to record about it
	 * @return a mono of the queued event
	 */
	public Mono<NetworkRequestEvent> submit(TaskRequest request) {
		return Mono.defer(() -> Mono.fromFuture(submitTaskAsync(request)));
	}

	// ---------------------------------------------------------------- leases

	/**
	 * Takes a lease for a call the caller makes, without blocking: the future completes
	 * with the {@link Lease} once it is granted (a slot held, both buckets' tokens
	 * reserved and available, its event {@code CALLING}), or fails with a
	 * {@link TaskRejectedException} (a full queue under {@link QueueFullPolicy#REJECT},
	 * a stopped executor, a request needing more API tokens than the bucket can hold, a
	 * cancellation). Cancelling the future before the grant ends the request
	 * {@code CANCELLED} and gives back what was reserved. Safe on a non-blocking thread.
	 * @param request what to record about the call, built with {@link TaskRequest#lease()}
	 * @return a future of the granted lease
	 */
	public CompletableFuture<Lease> leaseAsync(TaskRequest request) {
		return this.stages.admission.lease(request, null);
	}

	/**
	 * Takes a lease when subscribed; see {@link #leaseAsync(TaskRequest)}. Cancelling the
	 * subscription before the grant ends the request {@code CANCELLED} and gives back
	 * what was reserved; a lease granted to a subscription already cancelled is cancelled.
	 * @param request what to record about the call, built with {@link TaskRequest#lease()}
	 * @return a mono of the granted lease
	 */
	public Mono<Lease> lease(TaskRequest request) {
		return LeaseForms.mono(this.stages.admission, request, null);
	}

	/**
	 * Takes a lease when subscribed, waiting at most {@code maxWait} in all (in the
	 * queue, for a slot and for the tokens) without blocking; see
	 * {@link #lease(TaskRequest)}. After {@code maxWait} the mono fails with a
	 * {@link TaskRejectedException} of reason {@code TIMED_OUT}.
	 * @param request what to record about the call, built with {@link TaskRequest#lease()}
	 * @param maxWait the longest the whole wait may take
	 * @return a mono of the granted lease
	 */
	public Mono<Lease> lease(TaskRequest request, Duration maxWait) {
		Objects.requireNonNull(maxWait, "maxWait must not be null");
		return LeaseForms.mono(this.stages.admission, request, maxWait);
	}

	/**
	 * Takes a lease without blocking, waiting at most {@code maxWait} in all; see
	 * {@link #leaseAsync(TaskRequest)}. After {@code maxWait} the future fails with a
	 * {@link TaskRejectedException} of reason {@code TIMED_OUT}: a caller that blocks on
	 * the future itself (to stop waiting when its own call is cancelled) gets the same
	 * bound as {@link #acquireLease}.
	 * @param request what to record about the call, built with {@link TaskRequest#lease()}
	 * @param maxWait the longest the whole wait may take
	 * @return a future of the granted lease
	 */
	public CompletableFuture<Lease> leaseAsync(TaskRequest request, Duration maxWait) {
		Objects.requireNonNull(maxWait, "maxWait must not be null");
		return this.stages.admission.lease(request, maxWait);
	}

	/**
	 * Takes a lease, waiting for it on this thread at most {@code maxWait}: the whole
	 * wait, in the queue, for a slot and for the tokens. For blocking clients (a
	 * {@code RestClient} or OkHttp interceptor); from a non-blocking thread use
	 * {@link #leaseAsync}.
	 * @param request what to record about the call, built with {@link TaskRequest#lease()}
	 * @param maxWait the longest the whole wait may take
	 * @return the granted lease
	 * @throws TaskRejectedException if no lease was granted: its
	 * {@link TaskRejectedException#getReason() reason} says why ({@code TIMED_OUT} after
	 * {@code maxWait}, {@code QUEUE_FULL}, {@code NOT_RUNNING}, {@code TOO_LARGE},
	 * {@code CANCELLED}), and the event has ended {@code CANCELLED} or {@code FAILED}
	 * @throws IllegalStateException when called on a non-blocking thread
	 */
	public Lease acquireLease(TaskRequest request, Duration maxWait) {
		return LeaseForms.await(this.stages.admission, this.name, request, maxWait);
	}

	// ---------------------------------------------------------------- cancel, pause

	/**
	 * Cancels a request that is waiting, queued or in flight; a lease's holder is told
	 * through {@link Lease#onRevoke}.
	 * @param requestId the request's id
	 * @return whether a request was cancelled
	 */
	public boolean cancel(String requestId) {
		ExecutorTask task = this.stages.views.findTask(requestId);
		return task != null && task.cancel("cancelled by caller");
	}

	/**
	 * Pauses dispatch: no call leaves until the pause ends, not even those already
	 * holding their tokens; queued calls wait. A pause ending sooner than the current
	 * one changes nothing. The executor also pauses by itself when the provider answers
	 * 429 (see {@link io.lionfuncs.network.budget.BudgetSettings}).
	 * @param duration how long
	 * @param reason why, shown in the endpoint and told to pause listeners; no secrets
	 * @return the pause, or {@code null} when it changed nothing
	 */
	public @Nullable ExecutorPause pause(Duration duration, String reason) {
		return this.stages.budget.pause(duration, reason, null);
	}

	/**
	 * Pauses dispatch until the given instant; see {@link #pause(Duration, String)}.
	 * @param until when calls may leave again
	 * @param reason why; no secrets
	 * @return the pause, or {@code null} when it changed nothing
	 */
	public @Nullable ExecutorPause pause(Instant until, String reason) {
		return pause(Duration.between(this.stages.clock.instant(), until), reason);
	}

	/**
	 * When dispatch resumes.
	 * @return the end of the current pause, or {@code null} when not paused
	 */
	public @Nullable Instant pausedUntil() {
		return this.stages.budget.pausedUntil();
	}

	/**
	 * Adds a listener told of every pause from now on.
	 * @param listener the listener
	 */
	public void addPauseListener(ExecutorPauseListener listener) {
		this.stages.budget.addListener(listener);
	}

	/**
	 * Removes a pause listener.
	 * @param listener the listener
	 * @return whether it was registered
	 */
	public boolean removePauseListener(ExecutorPauseListener listener) {
		return this.stages.budget.removeListener(listener);
	}

	/**
	 * Adds a listener told of every status change from now on.
	 * @param listener the listener
	 */
	public void addListener(RequestStatusListener listener) {
		this.stages.listeners.add(listener);
	}

	/**
	 * Removes a listener.
	 * @param listener the listener
	 * @return whether it was registered
	 */
	public boolean removeListener(RequestStatusListener listener) {
		return this.stages.listeners.remove(listener);
	}

	// ---------------------------------------------------------------- views

	public String getName() {
		return this.name;
	}

	public ExecutorSettings getSettings() {
		return this.stages.settings;
	}

	/**
	 * The request bucket, read-only.
	 * @return its view
	 */
	public BucketView requestsBucket() {
		return this.stages.requestsBucket;
	}

	/**
	 * The API-token bucket, read-only.
	 * @return its view, or {@code null} when disabled
	 */
	public @Nullable BucketView apiTokensBucket() {
		return this.stages.apiTokensBucket;
	}

	/**
	 * Finds a request that is waiting, queued, in flight or recently finished.
	 * @param requestId the request's id
	 * @return the event, or {@code null}
	 */
	public @Nullable NetworkRequestEvent find(String requestId) {
		return this.stages.views.find(requestId);
	}

	/**
	 * Requests holding a concurrency slot: waiting for tokens or calling.
	 * @return their events
	 */
	public List<NetworkRequestEvent> inFlight() {
		return this.stages.views.inFlight();
	}

	/**
	 * Requests waiting in the queue, oldest first.
	 * @return their events
	 */
	public List<NetworkRequestEvent> queued() {
		return this.stages.views.queued();
	}

	/**
	 * The last finished requests, newest first, at most
	 * {@link ExecutorSettings#recentCapacity()}.
	 * @return their events
	 */
	public List<NetworkRequestEvent> recent() {
		return this.stages.views.recent();
	}

	/**
	 * A point-in-time view of queue, slots, buckets and counts.
	 * @return the statistics
	 */
	public ExecutorStats stats() {
		return this.stages.views.stats(isRunning());
	}

	/**
	 * API tokens estimated against those really used, what the provider last reported
	 * of its limits, and the pause state.
	 * @return the statistics
	 */
	public BudgetStats budgetStats() {
		return this.stages.budget.stats();
	}

	@Override
	public String toString() {
		return "Executor[" + this.name + ", " + this.stages.runState.stateName() + "]";
	}

	/**
	 * Builds an {@link Executor}.
	 */
	public interface Builder {

		/**
		 * The settings; {@link ExecutorSettings#defaults()} unless given.
		 * @param settings the settings
		 * @return this builder
		 */
		Builder settings(ExecutorSettings settings);

		/**
		 * The scheduler for the dispatcher loops and timers. By default the executor
		 * creates a parallel scheduler of {@code numWorkers} threads when started and
		 * disposes it when stopped; a scheduler given here is not disposed.
		 * @param scheduler the scheduler
		 * @return this builder
		 */
		Builder scheduler(Scheduler scheduler);

		/**
		 * The clock for the events' timestamps; the system clock by default.
		 * @param clock the clock
		 * @return this builder
		 */
		Builder clock(Clock clock);

		/**
		 * The monotonic nanosecond clock of the local buckets' refill.
		 * @param nanoClock the clock
		 * @return this builder
		 */
		Builder nanoClock(LongSupplier nanoClock);

		/**
		 * Where the buckets live; local by default.
		 * @param bucketFactory the factory
		 * @return this builder
		 */
		Builder bucketFactory(TokenBucketFactory bucketFactory);

		/**
		 * A listener registered before any task runs.
		 * @param listener the listener
		 * @return this builder
		 */
		Builder listener(RequestStatusListener listener);

		/**
		 * Reads the API tokens a call really used from its result, instead of the JSON
		 * pointers of {@link ExecutorSettings#budget()}.
		 * @param usageExtractor the extractor, or {@code null} for the JSON pointers
		 * @return this builder
		 */
		Builder usageExtractor(@Nullable UsageExtractor usageExtractor);

		/**
		 * A listener told of every pause.
		 * @param listener the listener
		 * @return this builder
		 */
		Builder pauseListener(ExecutorPauseListener listener);

		/**
		 * Observes every request as {@code lionfuncs.request} (see
		 * {@link DefaultRequestObservationConvention}) and carries each caller's context
		 * (its current observation, and with Micrometer's context-propagation every
		 * registered thread-local) into the call's start, the grant of a lease and the
		 * completion of the request, so that traces continue through the executor.
		 * Without a registry, or with {@link ObservationRegistry#NOOP}, nothing of this
		 * runs.
		 * @param observationRegistry the registry, or {@code null} for none
		 * @return this builder
		 */
		Builder observationRegistry(@Nullable ObservationRegistry observationRegistry);

		/**
		 * The convention of the {@code lionfuncs.request} observations, instead of
		 * {@link DefaultRequestObservationConvention}.
		 * @param observationConvention the convention, or {@code null} for the default
		 * @return this builder
		 */
		Builder observationConvention(@Nullable RequestObservationConvention observationConvention);

		/**
		 * Builds the executor; call {@link Executor#start()} before submitting.
		 * @return the executor
		 */
		Executor build();

	}

}
