package io.lionfuncs.network;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.github.bucket4j.TimeMeter;
import io.lionfuncs.network.budget.BudgetController;
import io.lionfuncs.network.budget.BudgetStats;
import io.lionfuncs.network.budget.ExecutorPause;
import io.lionfuncs.network.budget.ExecutorPauseListener;
import io.lionfuncs.network.budget.UsageExtractor;
import io.lionfuncs.network.limit.BucketSettings;
import io.lionfuncs.network.limit.ConcurrencyLimiter;
import io.lionfuncs.network.limit.LocalTokenBucket;
import io.lionfuncs.network.limit.TokenBucket;
import io.lionfuncs.network.limit.TokenBucketFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Runs calls to a rate-limited API: a bounded queue, dispatcher loops, a concurrency
 * limit and two token buckets (requests, and API tokens such as an LLM's
 * tokens-per-minute), with every call's lifecycle tracked in a
 * {@link NetworkRequestEvent}.
 * <p>
 * A dispatcher takes a task from the queue only when a concurrency slot is free, then
 * <em>reserves</em> its tokens in both buckets (taken now; the call starts at the instant
 * they exist) and starts the call. Tasks are served first come, first served; over any
 * window of length {@code T} no more than {@code capacity + rate * T / period} calls
 * leave, for each bucket. Nothing is dropped silently: a full queue rejects loudly or
 * makes the submitter wait, and after {@link #stop(boolean)} returns every event ever
 * submitted is terminal.
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

	private static final Logger logger = LoggerFactory.getLogger(Executor.class);

	private static final RequestStatusListener[] NO_LISTENERS = {};

	private static final VarHandle IN_CALL;

	static {
		try {
			IN_CALL = MethodHandles.lookup().findVarHandle(Lane.class, "inCall", boolean.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	/** Most tasks a dispatcher takes from the queue at once. */
	private static final int MAX_BATCH = 16;

	/** Queued tasks per extra task that a dispatcher takes at once. */
	private static final int BACKLOG_PER_BATCHED_TASK = 32;

	/** How long a blocking {@link #stop} waits beyond the shutdown timeout. */
	private static final Duration STOP_GRACE = Duration.ofSeconds(30);

	private final ExecutorSettings settings;

	private final String name;

	private final Redactor redactor;

	private final WallClock wallClock;

	private final Clock clock;

	private final @Nullable Scheduler providedScheduler;

	private final ConcurrencyLimiter limiter;

	private final TokenBucket requestsBucket;

	private final @Nullable TokenBucket apiTokensBucket;

	private final boolean synchronousBuckets;

	private final TaskQueue queue;

	/** Usage true-up, provider rate-limit headers and the pause state. */
	private final BudgetController budget;

	private final ConcurrentLinkedQueue<WaitingSubmission> waiting = new ConcurrentLinkedQueue<>();

	private final InFlightTasks inFlight;

	private final RecentEvents recent;

	private final Owner owner = new Owner();

	private final Object admissionMonitor = new Object();

	private final Object lifecycleMonitor = new Object();

	// Accepted and finished submissions, striped so that submitters and dispatchers do
	// not contend on one counter; a stop is complete when the two sums meet.
	private final LongAdder accepted = new LongAdder();

	private final LongAdder finished = new LongAdder();

	private final LongAdder completed = new LongAdder();

	private final LongAdder failed = new LongAdder();

	private final LongAdder cancelled = new LongAdder();

	private final LongAdder rejected = new LongAdder();

	private final LongAdder rateLimitWaits = new LongAdder();

	private final LongAdder rateLimitWaitNanos = new LongAdder();

	private volatile RequestStatusListener[] listeners;

	private volatile State state = State.NEW;

	private volatile boolean cancelAll;

	/** Why everything is being cancelled, once {@link #cancelAll} is set. */
	private volatile String cancelReason = "";

	private volatile Lane[] lanes = new Lane[0];

	private volatile Scheduler.@Nullable Worker timer;

	private @Nullable Scheduler ownedScheduler;

	private @Nullable CompletableFuture<Void> stopped;

	private @Nullable Disposable shutdownTimer;

	/**
	 * Creates an executor with the given settings, local buckets and the system clock.
	 * Call {@link #start()} before submitting.
	 * @param settings the settings
	 */
	public Executor(ExecutorSettings settings) {
		this(builder().settings(settings));
	}

	private Executor(Builder builder) {
		this.settings = builder.settings;
		this.name = this.settings.name();
		this.redactor = Redactor.withAdditionalNames(this.settings.redactHeaders());
		this.wallClock = WallClock.of(builder.clock);
		this.clock = builder.clock;
		this.providedScheduler = builder.scheduler;
		this.limiter = new ConcurrencyLimiter(this.settings.concurrencyLimit());
		TokenBucketFactory buckets = (builder.bucketFactory != null) ? builder.bucketFactory
				: localBuckets(builder.nanoClock);
		this.requestsBucket = buckets.create(this.name, "requests", this.settings.requestsBucket());
		BucketSettings apiTokens = this.settings.apiTokensBucket();
		this.apiTokensBucket = (apiTokens != null) ? buckets.create(this.name, "api-tokens", apiTokens) : null;
		this.synchronousBuckets = this.requestsBucket.isSynchronous()
				&& (this.apiTokensBucket == null || this.apiTokensBucket.isSynchronous());
		this.queue = new TaskQueue(this.settings.queueCapacity());
		this.inFlight = new InFlightTasks(this.settings.concurrencyLimit());
		this.budget = new BudgetController(this.name, this.settings.budget(), builder.usageExtractor,
				this.requestsBucket, this.apiTokensBucket, this.clock, builder.nanoClock, this::reservedNotSent,
				builder.pauseListeners);
		this.recent = new RecentEvents(this.settings.recentCapacity());
		this.listeners = builder.listeners.toArray(NO_LISTENERS);
	}

	/**
	 * A builder for an executor with custom time, scheduling, buckets or listeners.
	 * @return the builder
	 */
	public static Builder builder() {
		return new Builder();
	}

	private static TokenBucketFactory localBuckets(LongSupplier nanoClock) {
		TimeMeter timeMeter = new TimeMeter() {

			@Override
			public long currentTimeNanos() {
				return nanoClock.getAsLong();
			}

			@Override
			public boolean isWallClockBased() {
				return false;
			}

		};
		return (executorName, bucketName, bucketSettings) -> new LocalTokenBucket(bucketSettings, timeMeter);
	}

	// ---------------------------------------------------------------- lifecycle

	/**
	 * Starts the dispatcher loops. Starting a running executor does nothing; a stopped
	 * one may be started again.
	 * @throws IllegalStateException while a stop is in progress
	 */
	public void start() {
		synchronized (this.lifecycleMonitor) {
			if (this.state == State.RUNNING) {
				return;
			}
			if (this.state == State.STOPPING) {
				throw new IllegalStateException("Executor '" + this.name + "' is still stopping");
			}
			Scheduler scheduler = this.providedScheduler;
			if (scheduler == null) {
				scheduler = Schedulers.newParallel("lionfuncs-" + this.name, this.settings.numWorkers(), true);
				this.ownedScheduler = scheduler;
			}
			Lane[] newLanes = new Lane[this.settings.numWorkers()];
			// A lane takes at most its share of the concurrency limit at once.
			int batchSize = Math.max(1, Math.min(MAX_BATCH, this.settings.concurrencyLimit() / newLanes.length));
			for (int i = newLanes.length - 1; i >= 0; i--) {
				newLanes[i] = new Lane(scheduler.createWorker(), (i + 1 < newLanes.length) ? newLanes[i + 1] : null,
						batchSize);
			}
			this.lanes = newLanes;
			this.timer = scheduler.createWorker();
			this.cancelAll = false;
			this.state = State.RUNNING;
		}
	}

	/**
	 * Whether the executor accepts tasks.
	 * @return {@code true} between {@link #start()} and {@link #stop}
	 */
	public boolean isRunning() {
		return this.state == State.RUNNING;
	}

	/**
	 * Stops the executor and waits until every event ever submitted is terminal.
	 * Graceful: accept nothing new, run what is queued (limits still apply) and cancel
	 * what is left after the shutdown timeout. Not graceful: cancel queued and in-flight
	 * work at once.
	 * @param graceful whether to drain the queue first
	 */
	public void stop(boolean graceful) {
		CompletableFuture<Void> done = stopAsync(graceful);
		Duration limit = (graceful ? this.settings.shutdownTimeout() : Duration.ZERO).plus(STOP_GRACE);
		try {
			done.get(limit.toMillis(), TimeUnit.MILLISECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			stopAsync(false);
			throw new IllegalStateException("Interrupted while stopping executor '" + this.name + "'", ex);
		}
		catch (ExecutionException | TimeoutException ex) {
			throw new IllegalStateException("Executor '" + this.name + "' did not stop within " + limit, ex);
		}
	}

	/**
	 * Starts a stop without waiting for it; see {@link #stop(boolean)}. A second call
	 * while stopping can turn a graceful stop into an immediate one.
	 * @param graceful whether to drain the queue first
	 * @return a future completing once every event is terminal
	 */
	public CompletableFuture<Void> stopAsync(boolean graceful) {
		CompletableFuture<Void> done;
		synchronized (this.lifecycleMonitor) {
			if (this.state == State.NEW || this.state == State.STOPPED) {
				return CompletableFuture.completedFuture(null);
			}
			if (this.state == State.RUNNING) {
				this.state = State.STOPPING;
				this.stopped = new CompletableFuture<>();
				if (graceful) {
					Duration timeout = this.settings.shutdownTimeout();
					this.shutdownTimer = schedule(() -> cancelEverything(
							"cancelled: shutdown timeout of " + timeout + " elapsed before the call ran"),
							timeout.toNanos());
				}
			}
			done = Objects.requireNonNull(this.stopped);
		}
		rejectWaiting("executor '" + this.name + "' is stopping");
		if (!graceful) {
			cancelEverything("cancelled: executor '" + this.name + "' stopped");
		}
		checkStopped();
		return done.copy();
	}

	/**
	 * Stops gracefully; see {@link #stop(boolean)}.
	 */
	@Override
	public void close() {
		stop(true);
	}

	private void checkStopped() {
		if (this.state != State.STOPPING || !allFinished()) {
			return;
		}
		CompletableFuture<Void> done;
		Scheduler toDispose = null;
		synchronized (this.lifecycleMonitor) {
			if (this.state != State.STOPPING || !allFinished()) {
				return;
			}
			this.state = State.STOPPED;
			if (this.shutdownTimer != null) {
				this.shutdownTimer.dispose();
				this.shutdownTimer = null;
			}
			if (this.ownedScheduler != null) {
				toDispose = this.ownedScheduler;
				this.ownedScheduler = null;
			}
			else {
				for (Lane lane : this.lanes) {
					lane.worker.dispose();
				}
				Scheduler.Worker timerWorker = this.timer;
				if (timerWorker != null) {
					timerWorker.dispose();
				}
			}
			done = this.stopped;
		}
		if (done != null) {
			done.complete(null);
		}
		if (toDispose != null) {
			disposeOwned(toDispose);
		}
	}

	/**
	 * Shuts the executor's own scheduler down at once: every task is terminal, so nothing
	 * it would run is needed. Its threads are interrupted, this one too when it is one of
	 * them, so that flag is cleared again: the thread is on its way out. (A graceful
	 * dispose would leave behind a non-daemon thread that keeps the JVM alive for
	 * seconds.)
	 */
	private void disposeOwned(Scheduler scheduler) {
		boolean wasInterrupted = Thread.currentThread().isInterrupted();
		scheduler.dispose();
		if (!wasInterrupted) {
			Thread.interrupted();
		}
	}

	/**
	 * Whether every accepted submission has finished. Finished is read first: each
	 * finished submission was accepted before, so equal sums leave none unfinished, and
	 * one accepted after the read of {@code accepted} sees the stop and is rejected.
	 */
	private boolean allFinished() {
		long finishedCount = this.finished.sum();
		return this.accepted.sum() == finishedCount;
	}

	private void cancelEverything(String reason) {
		String firstReason;
		synchronized (this.lifecycleMonitor) {
			if (!this.cancelAll) {
				// the first reason holds: dispatchers noticing the stop concurrently give the same
				this.cancelReason = reason;
				this.cancelAll = true;
			}
			firstReason = this.cancelReason;
		}
		rejectWaiting(firstReason);
		for (ExecutorTask task = this.queue.poll(); task != null; task = this.queue.poll()) {
			cancel(task, firstReason, false);
		}
		this.inFlight.forEach((task) -> cancel(task, firstReason));
	}

	// ---------------------------------------------------------------- submission

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
		ExecutorTask task = accept(request);
		if (task.event.getStatus() != RequestStatus.PENDING || tryEnqueue(task)) {
			return task.event;
		}
		if (this.settings.queueFullPolicy() == QueueFullPolicy.REJECT) {
			throw reject(task, TaskRejectedException.Reason.QUEUE_FULL, queueFullMessage());
		}
		if (Schedulers.isInNonBlockingThread()) {
			throw reject(task, TaskRejectedException.Reason.QUEUE_FULL, queueFullMessage()
					+ "; waiting for room would block non-blocking thread " + Thread.currentThread().getName()
					+ ", so use submit(...) or submitTaskAsync(...) from reactive code");
		}
		WaitingSubmission submission = awaitRoom(task);
		try {
			return submission.admitted.get();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			cancel(task, "cancelled: interrupted while waiting for room in the queue");
			throw new TaskRejectedException(TaskRejectedException.Reason.QUEUE_FULL,
					"Interrupted while waiting for room in the queue of executor '" + this.name + "'", task.event);
		}
		catch (ExecutionException ex) {
			throw rejection(ex.getCause(), task);
		}
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
		ExecutorTask task;
		try {
			task = accept(request);
		}
		catch (TaskRejectedException ex) {
			return CompletableFuture.failedFuture(ex);
		}
		if (task.event.getStatus() != RequestStatus.PENDING || tryEnqueue(task)) {
			return CompletableFuture.completedFuture(task.event);
		}
		if (this.settings.queueFullPolicy() == QueueFullPolicy.REJECT) {
			return CompletableFuture
				.failedFuture(reject(task, TaskRejectedException.Reason.QUEUE_FULL, queueFullMessage()));
		}
		CompletableFuture<NetworkRequestEvent> admitted = awaitRoom(task).admitted;
		admitted.whenComplete((event, ex) -> {
			if (ex instanceof CancellationException) {
				cancel(task, "cancelled: submission cancelled while waiting for room in the queue");
			}
		});
		return admitted;
	}

	/**
	 * Submits a call when subscribed; see {@link #submitTaskAsync(TaskRequest)}.
	 * @param request the call and what to record about it
	 * @return a mono of the queued event
	 */
	public Mono<NetworkRequestEvent> submit(TaskRequest request) {
		return Mono.defer(() -> Mono.fromFuture(submitTaskAsync(request)));
	}

	private ExecutorTask accept(TaskRequest request) {
		NetworkRequestEvent event = new NetworkRequestEvent(this.owner, request.endpointUrl(), request.method(),
				request.headers(), request.payload(), request.numApiTokensNeeded(), request.metadata());
		ExecutorTask task = new ExecutorTask(this, event, request);
		event.attach(task);
		this.accepted.increment();
		if (this.state != State.RUNNING) {
			throw reject(task, TaskRejectedException.Reason.NOT_RUNNING,
					"Executor '" + this.name + "' is not running (" + this.state.name().toLowerCase() + ")");
		}
		TokenBucket apiTokens = this.apiTokensBucket;
		if (apiTokens != null && task.apiTokens > apiTokens.settings().capacity()) {
			RequestStatus previous = event.finishFailed(IllegalArgumentException.class.getName(),
					"Request needs " + task.apiTokens + " API tokens but the API-token bucket of executor '"
							+ this.name + "' holds at most " + apiTokens.settings().capacity()
							+ " (apiTokensBucketCapacity), so it could never be sent");
			if (previous != null) {
				afterTerminal(task, previous);
			}
		}
		return task;
	}

	private boolean tryEnqueue(ExecutorTask task) {
		if (!this.waiting.isEmpty() || !this.queue.claim()) {
			return false;
		}
		// Queued within the submission that created it, before anyone else can see it.
		task.event.queueUnpublished();
		this.queue.add(task);
		if (this.cancelAll) {
			cancel(task, this.cancelReason);
		}
		signal();
		return true;
	}

	private WaitingSubmission awaitRoom(ExecutorTask task) {
		WaitingSubmission submission = new WaitingSubmission(task);
		task.setWaiting(submission);
		// The timer is set before the submission is visible to the dispatchers: one that
		// admits it at once must be able to cancel the timer, or the timer would hold the
		// request (and its event) for the whole submit timeout.
		Duration timeout = this.settings.submitTimeout();
		submission.timeout = schedule(() -> expire(submission), timeout.toNanos());
		this.waiting.add(submission);
		admitWaiting();
		return submission;
	}

	private void expire(WaitingSubmission submission) {
		if (submission.settle()) {
			this.waiting.remove(submission);
			submission.admitted.completeExceptionally(reject(submission.task, TaskRejectedException.Reason.QUEUE_FULL,
					queueFullMessage() + " for the whole submit timeout of " + this.settings.submitTimeout()));
		}
	}

	private void admitWaiting() {
		while (!this.waiting.isEmpty()) {
			if (!this.queue.claim()) {
				return;
			}
			WaitingSubmission submission = this.waiting.poll();
			if (submission == null) {
				this.queue.unclaim();
				return;
			}
			if (!submission.settle()) {
				this.queue.unclaim();
				continue;
			}
			submission.disposeTimeout();
			NetworkRequestEvent event = submission.task.event;
			if (event.advance(RequestStatus.QUEUED) == null) {
				this.queue.unclaim();
				submission.admitted.completeExceptionally(new CancellationException(event.getErrorMessage()));
				continue;
			}
			this.queue.add(submission.task);
			signal();
			submission.admitted.complete(event);
		}
	}

	private void rejectWaiting(String reason) {
		for (WaitingSubmission submission = this.waiting.poll(); submission != null; submission = this.waiting
			.poll()) {
			if (submission.settle()) {
				submission.disposeTimeout();
				submission.admitted.completeExceptionally(
						reject(submission.task, TaskRejectedException.Reason.NOT_RUNNING, "Rejected: " + reason));
			}
		}
	}

	private TaskRejectedException reject(ExecutorTask task, TaskRejectedException.Reason reason, String message) {
		this.rejected.increment();
		RequestStatus previous = task.event.finishCancelled(message);
		if (previous != null) {
			afterTerminal(task, previous);
		}
		return new TaskRejectedException(reason, message, task.event);
	}

	private String queueFullMessage() {
		return "Queue of executor '" + this.name + "' is full (queueCapacity " + this.queue.capacity() + ")";
	}

	private static RuntimeException rejection(@Nullable Throwable cause, ExecutorTask task) {
		if (cause instanceof RuntimeException runtime) {
			return runtime;
		}
		return new TaskRejectedException(TaskRejectedException.Reason.QUEUE_FULL, String.valueOf(cause), task.event);
	}

	// ---------------------------------------------------------------- dispatch

	/**
	 * Makes sure a dispatcher loop looks at the queue after this call. A loop that is
	 * running, and not inside a call's start, looks again before it goes idle, so it
	 * takes the signal without a wake-up; otherwise an idle loop is woken, so a slow
	 * call start does not hold back the queue. A loop that finds a backlog wakes the next
	 * one ({@link Lane#wakeNextIfIdle()}), so busy periods spread over every loop while
	 * quiet ones cost no thread hand-offs.
	 */
	private void signal() {
		Lane[] current = this.lanes;
		Thread thread = Thread.currentThread();
		for (Lane lane : current) {
			if (lane.runner == thread) {
				// Signalled from inside a loop's own pass (a call that completed at once, or
				// that submitted more): the loop looks again when the call returns.
				lane.signal();
				return;
			}
		}
		Lane idle = null;
		for (Lane lane : current) {
			if (lane.isBusy()) {
				if (!lane.isInCall()) {
					lane.signal();
					return;
				}
			}
			else if (idle == null) {
				idle = lane;
			}
		}
		if (idle != null) {
			idle.signal();
			return;
		}
		// Every loop is inside a call: whichever returns first makes another pass.
		for (Lane lane : current) {
			lane.signal();
		}
	}

	/**
	 * One dispatcher loop's work: while a slot is free and a task is queued, take tasks,
	 * reserve their tokens and start each when its tokens exist.
	 */
	private void dispatch(Lane lane) {
		ExecutorTask[] batch = lane.batch;
		for (;;) {
			if (this.cancelAll) {
				cancelEverything(this.cancelReason);
				return;
			}
			int size = admit(lane);
			if (size == 0) {
				return;
			}
			admitWaiting();
			if (!this.queue.isEmpty() && this.limiter.available() > 0) {
				lane.wakeNextIfIdle();
			}
			long now = this.wallClock.epochNanos();
			// Tasks that must wait for their tokens are PROCESSING while the others start;
			// a task whose tokens exist goes from QUEUED to CALLING in one step when its
			// turn comes, as a lone task does.
			for (int i = 0; i < size; i++) {
				if (!startsAtOnce(lane, i) && !process(batch[i], lane.pendingDelays[i], now)) {
					batch[i] = null;
				}
			}
			for (int i = 0; i < size; i++) {
				ExecutorTask task = batch[i];
				CompletionStage<Long> pendingDelay = lane.pendingDelays[i];
				boolean atOnce = startsAtOnce(lane, i);
				batch[i] = null;
				lane.pendingDelays[i] = null;
				if (task == null) {
					continue;
				}
				// The first task starts at the instant it left the queue; later ones read the clock.
				if (atOnce && !this.cancelAll) {
					startAtOnce(task, (i == 0) ? now : this.wallClock.epochNanos(), lane);
				}
				else if (atOnce) {
					cancelAtOnce(task, now);
				}
				else {
					startWhenReserved(task, lane.delays[i], pendingDelay, lane, (i == 0) ? now : WallClock.NONE);
				}
			}
		}
	}

	/**
	 * Whether a task of the batch has its tokens already: it may start without waiting.
	 */
	private static boolean startsAtOnce(Lane lane, int index) {
		return lane.pendingDelays[index] == null && lane.delays[index] <= 0;
	}

	/**
	 * Cancels a task taken from the queue whose start a stop prevented: it holds a slot
	 * and its tokens, which the cancellation gives back once it is {@code PROCESSING}.
	 */
	private void cancelAtOnce(ExecutorTask task, long now) {
		if (process(task, null, now)) {
			cancel(task, "cancelled: executor '" + this.name + "' stopped");
		}
	}

	/**
	 * Takes tasks from the queue into the lane's batch, each with a concurrency slot and
	 * its tokens reserved. Polling and reserving under one monitor keeps reservations in
	 * queue order. A lane takes one task at a time unless a backlog builds up; then it
	 * takes several (at most its share of the concurrency limit), so that a burst costs
	 * fewer hand-overs.
	 * @return how many tasks were taken
	 */
	private int admit(Lane lane) {
		// Nothing to take, or no slot: a later submission or freed slot signals again.
		if (this.queue.isEmpty() || this.limiter.available() == 0) {
			return 0;
		}
		synchronized (this.admissionMonitor) {
			int wanted = Math.min(lane.batch.length, 1 + this.queue.size() / BACKLOG_PER_BATCHED_TASK);
			int size = 0;
			while (size < wanted && this.limiter.tryAcquire()) {
				ExecutorTask task = this.queue.poll();
				if (task == null) {
					this.limiter.release();
					break;
				}
				// Budget hook: API tokens later found used beyond estimates delay this task too.
				task.apiTokensDebtMark = this.budget.apiTokensDebt();
				if (!this.synchronousBuckets) {
					lane.pendingDelays[size] = reserveAsync(task);
				}
				this.inFlight.add(task);
				lane.batch[size++] = task;
			}
			if (this.synchronousBuckets && size > 0) {
				reserve(lane.batch, lane.delays, size);
			}
			return size;
		}
	}

	/**
	 * Reserves the tokens of a batch, in order. The request tokens of the whole batch are
	 * taken in one reservation when they all exist now; otherwise they are given back and
	 * taken one task at a time, so that each task waits only for its own token.
	 */
	private void reserve(ExecutorTask[] batch, long[] delays, int size) {
		boolean allNow = false;
		if (size > 1 && size <= this.requestsBucket.settings().capacity()) {
			long delay = this.requestsBucket.reserve(size);
			allNow = delay == 0;
			if (!allNow && delay != Long.MAX_VALUE) {
				this.requestsBucket.refund(size);
			}
		}
		TokenBucket apiTokens = this.apiTokensBucket;
		for (int i = 0; i < size; i++) {
			ExecutorTask task = batch[i];
			long delay = allNow ? 0 : this.requestsBucket.reserve(1);
			boolean withApiTokens = apiTokens != null && task.apiTokens > 0;
			if (withApiTokens) {
				delay = Math.max(delay, apiTokens.reserve(task.apiTokens));
			}
			task.markReserved(withApiTokens);
			delays[i] = delay;
		}
	}

	/**
	 * Moves a task just taken from the queue to {@code PROCESSING}.
	 * @return {@code false} if it was cancelled while queued
	 */
	private boolean process(ExecutorTask task, @Nullable CompletionStage<Long> pendingDelay, long now) {
		if (task.event.advance(RequestStatus.PROCESSING, now) != null) {
			return true;
		}
		// Cancelled while queued: the cancel left the slot and tokens to us.
		this.inFlight.remove(task);
		this.limiter.release();
		if (pendingDelay != null) {
			pendingDelay.whenComplete((delay, ex) -> refundIfReserved(task));
		}
		else {
			refundIfReserved(task);
		}
		return false;
	}

	/**
	 * Starts a lone task whose tokens exist: {@code PROCESSING} and {@code CALLING} in one
	 * step, stamped with the instant it left the queue.
	 */
	private void startAtOnce(ExecutorTask task, long now, Lane lane) {
		if (mustHold(task)) {
			// Budget hook: paused, or held by API-token debt: take the path that defers the start.
			if (process(task, null, now)) {
				startWhenReserved(task, 0, null, lane, now);
			}
			return;
		}
		if (!task.event.startCall(now)) {
			process(task, null, now);
			return;
		}
		try {
			call(task, lane);
		}
		catch (RuntimeException ex) {
			fail(task, ex);
		}
	}

	private void startWhenReserved(ExecutorTask task, long delayNanos, @Nullable CompletionStage<Long> pendingDelay,
			Lane lane, long now) {
		try {
			startWhenReservedOrThrow(task, delayNanos, pendingDelay, lane, now);
		}
		catch (RuntimeException ex) {
			// Never leave a task of the batch holding its slot.
			fail(task, ex);
		}
	}

	private void startWhenReservedOrThrow(ExecutorTask task, long delayNanos,
			@Nullable CompletionStage<Long> pendingDelay, Lane lane, long now) {
		if (this.cancelAll) {
			cancel(task, this.cancelReason);
			return;
		}
		if (pendingDelay == null) {
			startAfter(task, delayNanos, lane, now);
			return;
		}
		pendingDelay.whenComplete((delay, ex) -> onLane(lane, () -> {
			if (ex != null) {
				Throwable cause = unwrap(ex);
				fail(task, new IllegalStateException(
						"Could not reserve tokens for executor '" + this.name + "': " + cause.getMessage(), cause));
			}
			else {
				if (task.event.isTerminal()) {
					refundIfReserved(task);
				}
				startAfter(task, delay, lane, WallClock.NONE);
			}
		}));
	}

	/**
	 * Runs what follows an asynchronous reservation on the dispatcher's worker rather
	 * than on the thread that completed it (a Redis client's event loop, which must
	 * never run calls, listeners or anything else that might block).
	 */
	private void onLane(Lane lane, Runnable work) {
		try {
			lane.worker.schedule(work);
		}
		catch (RuntimeException ex) {
			// The worker is gone only once the executor stopped: finish the bookkeeping here.
			work.run();
		}
	}

	private static Throwable unwrap(Throwable failure) {
		Throwable cause = failure;
		while (cause instanceof CompletionException && cause.getCause() != null) {
			cause = cause.getCause();
		}
		return cause;
	}

	private CompletionStage<Long> reserveAsync(ExecutorTask task) {
		CompletionStage<Long> delay = this.requestsBucket.reserveAsync(1);
		TokenBucket apiTokens = this.apiTokensBucket;
		boolean withApiTokens = apiTokens != null && task.apiTokens > 0;
		if (withApiTokens) {
			delay = delay.thenCombine(apiTokens.reserveAsync(task.apiTokens), Math::max);
		}
		return delay.thenApply((nanos) -> {
			task.markReserved(withApiTokens);
			return nanos;
		});
	}

	private void refundIfReserved(ExecutorTask task) {
		if (task.claimRefund()) {
			this.requestsBucket.refund(1);
			TokenBucket apiTokens = this.apiTokensBucket;
			if (apiTokens != null && task.reservedApiTokens()) {
				apiTokens.refund(task.apiTokens);
			}
		}
	}

	/**
	 * Starts the task once its tokens exist.
	 * @param now the time the task left the queue when it may start at that instant, else
	 * {@link WallClock#NONE}
	 */
	private void startAfter(ExecutorTask task, long delayNanos, Lane lane, long now) {
		if (delayNanos == Long.MAX_VALUE) {
			fail(task, new IllegalStateException("Tokens for this request can never become available"));
			return;
		}
		if (delayNanos <= 0) {
			start(task, (now != WallClock.NONE) ? now : this.wallClock.epochNanos(), lane);
			return;
		}
		this.rateLimitWaits.increment();
		this.rateLimitWaitNanos.add(delayNanos);
		task.event.addLog("waiting " + formatNanos(delayNanos) + " for rate-limit tokens");
		try {
			task.setCancellable(lane.worker.schedule(() -> start(task, this.wallClock.epochNanos(), lane), delayNanos,
					TimeUnit.NANOSECONDS));
		}
		catch (RuntimeException ex) {
			fail(task, ex);
		}
	}

	private void start(ExecutorTask task, long now, Lane lane) {
		if (this.cancelAll) {
			cancel(task, this.cancelReason);
			return;
		}
		// Budget hook: while paused no call leaves, not even one whose tokens are reserved;
		// nor before the API tokens that ended calls used beyond their estimates refill.
		long holdNanos = holdBeforeStart(task);
		if (holdNanos > 0) {
			startLater(task, holdNanos, lane);
			return;
		}
		if (task.event.advance(RequestStatus.CALLING, now) == null) {
			return;
		}
		call(task, lane);
	}

	/**
	 * Invokes a {@code CALLING} task's call and hands its outcome to
	 * {@link #complete}.
	 */
	@SuppressWarnings("unchecked") // the builder took the supplier with its type
	private void call(ExecutorTask task, Lane lane) {
		lane.enterCall();
		try {
			if (task.reactive) {
				Mono<? extends CallResult> call = (Mono<? extends CallResult>) Objects
					.requireNonNull(task.call.get(), "call supplier returned null");
				CallSubscriber subscriber = new CallSubscriber(this, task);
				task.setCancellable(subscriber);
				call.subscribe(subscriber);
			}
			else {
				CompletionStage<? extends CallResult> call = (CompletionStage<? extends CallResult>) Objects
					.requireNonNull(task.call.get(), "call supplier returned null");
				if (call.getClass() == CompletableFuture.class && ((CompletableFuture<?>) call).isDone()) {
					// Already complete (a cached or synchronous result): no dependent stage needed.
					completeFrom(task, (CompletableFuture<? extends CallResult>) call);
				}
				else {
					task.setCancellable(call);
					call.whenComplete(task);
				}
			}
		}
		catch (Throwable ex) {
			complete(task, null, ex);
		}
		finally {
			lane.exitCall();
		}
	}

	private void completeFrom(ExecutorTask task, CompletableFuture<? extends CallResult> done) {
		CallResult result;
		try {
			result = done.join();
		}
		catch (CompletionException | CancellationException ex) {
			complete(task, null, ex);
			return;
		}
		complete(task, result, null);
	}

	void complete(ExecutorTask task, @Nullable CallResult result, @Nullable Throwable error) {
		complete(task, result, error, false);
	}

	/**
	 * Finishes a call.
	 * @param responsesObserved whether the call reported each response to the budget as
	 * it arrived (see {@link io.lionfuncs.network.budget.ResponseObserver}), so that its
	 * final response is not read twice
	 */
	void complete(ExecutorTask task, @Nullable CallResult result, @Nullable Throwable error,
			boolean responsesObserved) {
		if (error == null && result == null) {
			error = new IllegalStateException("The call completed without a result");
		}
		// Budget hook: true up the API tokens and read the provider's headers, before the
		// terminal status shows, so that whoever sees it also sees apiTokensUsed and the pause.
		afterCall(task, result, error, responsesObserved);
		RequestStatus previous;
		try {
			previous = (error != null) ? task.event.finishFailed(error)
					: task.event.finishCompleted(Objects.requireNonNull(result));
		}
		catch (RuntimeException ex) {
			// Recording the outcome must never leave the request in flight for ever.
			logger.error("Executor '{}' could not record the outcome of request {}", this.name,
					task.event.getRequestId(), ex);
			previous = task.event.finishFailed(ex.getClass().getName(),
					"The outcome of the call could not be recorded: " + ex.getMessage());
		}
		if (previous != null) {
			afterTerminal(task, previous);
		}
	}

	// ---------------------------------------------------------------- budget hooks

	/**
	 * Reconciles the API-token bucket with what the call really used, and records it on
	 * the event before it turns terminal.
	 */
	private void afterCall(ExecutorTask task, @Nullable CallResult result, @Nullable Throwable error,
			boolean responsesObserved) {
		try {
			Long used = this.budget.afterCall(task.apiTokens, task.reservedApiTokens(), result, error,
					responsesObserved);
			if (used != null) {
				task.event.recordApiTokensUsed(used);
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Executor '{}' could not reconcile the budget after request {}", this.name,
					task.event.getRequestId(), ex);
		}
	}

	/**
	 * How long a task whose tokens exist must still wait: until the pause ends, and until
	 * the debt that calls ended since it reserved ran up (they used more API tokens than
	 * estimated) has refilled, as that debt delays the tasks reserving after it.
	 */
	private boolean mustHold(ExecutorTask task) {
		return this.budget.pauseRemainingNanos() > 0
				|| (task.reservedApiTokens() && this.budget.apiTokensDebtSince(task.apiTokensDebtMark) > 0);
	}

	private long holdBeforeStart(ExecutorTask task) {
		long holdNanos = this.budget.pauseRemainingNanos();
		if (task.reservedApiTokens()) {
			long debt = this.budget.apiTokensDebtSince(task.apiTokensDebtMark);
			if (debt > 0) {
				task.apiTokensDebtMark += debt;
				holdNanos = Math.max(holdNanos, this.budget.apiTokensDebtHoldNanos(debt));
			}
		}
		return holdNanos;
	}

	/**
	 * Starts the task later (and checks again then). It keeps its slot and reserved
	 * tokens meanwhile.
	 */
	private void startLater(ExecutorTask task, long holdNanos, Lane lane) {
		task.event.addLog(((this.budget.pauseRemainingNanos() > 0) ? "executor paused" : "API-token debt")
				+ ": call deferred " + formatNanos(holdNanos));
		try {
			task.setCancellable(lane.worker.schedule(() -> start(task, this.wallClock.epochNanos(), lane), holdNanos,
					TimeUnit.NANOSECONDS));
		}
		catch (RuntimeException ex) {
			fail(task, ex);
		}
	}

	/**
	 * What calls holding a slot but not yet sent have reserved: the provider has not
	 * counted them yet, so a reported remaining budget must leave room for them.
	 */
	private BudgetController.Reservations reservedNotSent() {
		long[] reserved = new long[2];
		this.inFlight.forEach((task) -> {
			if (task.event.getStatus() == RequestStatus.PROCESSING) {
				reserved[0]++;
				if (task.reservedApiTokens()) {
					reserved[1] += task.apiTokens;
				}
			}
		});
		return new BudgetController.Reservations(reserved[0], reserved[1]);
	}

	BudgetController budget() {
		return this.budget;
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
		return this.budget.pause(duration, reason, null);
	}

	/**
	 * Pauses dispatch until the given instant; see {@link #pause(Duration, String)}.
	 * @param until when calls may leave again
	 * @param reason why; no secrets
	 * @return the pause, or {@code null} when it changed nothing
	 */
	public @Nullable ExecutorPause pause(Instant until, String reason) {
		return pause(Duration.between(this.clock.instant(), until), reason);
	}

	/**
	 * When dispatch resumes.
	 * @return the end of the current pause, or {@code null} when not paused
	 */
	public @Nullable Instant pausedUntil() {
		return this.budget.pausedUntil();
	}

	/**
	 * API tokens estimated against those really used, what the provider last reported
	 * of its limits, and the pause state.
	 * @return the statistics
	 */
	public BudgetStats budgetStats() {
		return this.budget.stats();
	}

	/**
	 * Adds a listener told of every pause from now on.
	 * @param listener the listener
	 */
	public void addPauseListener(ExecutorPauseListener listener) {
		this.budget.addListener(listener);
	}

	/**
	 * Removes a pause listener.
	 * @param listener the listener
	 * @return whether it was registered
	 */
	public boolean removePauseListener(ExecutorPauseListener listener) {
		return this.budget.removeListener(listener);
	}

	private void fail(ExecutorTask task, Throwable error) {
		RequestStatus previous = task.event.finishFailed(error);
		if (previous != null) {
			task.dispose();
			afterTerminal(task, previous);
		}
	}

	// ---------------------------------------------------------------- cancellation

	/**
	 * Cancels a request that is waiting, queued or in flight.
	 * @param requestId the request's id
	 * @return whether a request was cancelled
	 */
	public boolean cancel(String requestId) {
		ExecutorTask task = findTask(requestId);
		return task != null && cancel(task, "cancelled by caller");
	}

	private boolean cancel(ExecutorTask task, String reason) {
		return cancel(task, reason, true);
	}

	/**
	 * Cancels a task.
	 * @param mayBeQueued whether a queued task is still in the queue; {@code false} for a
	 * task just polled from it, which spares a scan of the whole queue per task
	 */
	private boolean cancel(ExecutorTask task, String reason, boolean mayBeQueued) {
		RequestStatus previous = task.event.finishCancelled(reason);
		if (previous == null) {
			return false;
		}
		switch (previous) {
			case PENDING -> {
				WaitingSubmission submission = task.waiting();
				if (submission != null && submission.settle()) {
					this.waiting.remove(submission);
					submission.disposeTimeout();
					submission.admitted.completeExceptionally(new CancellationException(reason));
				}
			}
			case QUEUED -> {
				if (mayBeQueued && this.queue.remove(task)) {
					admitWaiting();
				}
			}
			default -> task.dispose();
		}
		afterTerminal(task, previous);
		return true;
	}

	/**
	 * Bookkeeping once a task is terminal: give back its slot and unused tokens, count
	 * it, remember it, tell the listeners and the awaiting callers, and move on.
	 */
	private void afterTerminal(ExecutorTask task, RequestStatus previous) {
		NetworkRequestEvent event = task.event;
		boolean heldSlot = previous == RequestStatus.PROCESSING || previous == RequestStatus.CALLING;
		if (heldSlot) {
			this.inFlight.remove(task);
			this.limiter.release();
			if (previous == RequestStatus.PROCESSING) {
				refundIfReserved(task);
			}
		}
		switch (event.getStatus()) {
			case COMPLETED -> this.completed.increment();
			case FAILED -> this.failed.increment();
			default -> this.cancelled.increment();
		}
		this.recent.add(event);
		event.announceTerminal(previous);
		this.finished.increment();
		// A freed slot matters only to queued tasks; a task queued later signals itself.
		if (heldSlot && !this.queue.isEmpty()) {
			signal();
		}
		if (this.state == State.STOPPING) {
			checkStopped();
		}
	}

	// ---------------------------------------------------------------- listeners

	/**
	 * Adds a listener told of every status change from now on.
	 * @param listener the listener
	 */
	public void addListener(RequestStatusListener listener) {
		Objects.requireNonNull(listener, "listener must not be null");
		synchronized (this.lifecycleMonitor) {
			RequestStatusListener[] current = this.listeners;
			RequestStatusListener[] updated = Arrays.copyOf(current, current.length + 1);
			updated[current.length] = listener;
			this.listeners = updated;
		}
	}

	/**
	 * Removes a listener.
	 * @param listener the listener
	 * @return whether it was registered
	 */
	public boolean removeListener(RequestStatusListener listener) {
		synchronized (this.lifecycleMonitor) {
			List<RequestStatusListener> current = new ArrayList<>(Arrays.asList(this.listeners));
			boolean removed = current.remove(listener);
			this.listeners = current.toArray(NO_LISTENERS);
			return removed;
		}
	}

	// ---------------------------------------------------------------- views

	public String getName() {
		return this.name;
	}

	public ExecutorSettings getSettings() {
		return this.settings;
	}

	public ConcurrencyLimiter getConcurrencyLimiter() {
		return this.limiter;
	}

	public TokenBucket getRequestsBucket() {
		return this.requestsBucket;
	}

	/**
	 * The API-token bucket.
	 * @return the bucket, or {@code null} when disabled
	 */
	public @Nullable TokenBucket getApiTokensBucket() {
		return this.apiTokensBucket;
	}

	/**
	 * Finds a request that is waiting, queued, in flight or recently finished.
	 * @param requestId the request's id
	 * @return the event, or {@code null}
	 */
	public @Nullable NetworkRequestEvent find(String requestId) {
		ExecutorTask task = findTask(requestId);
		if (task != null) {
			return task.event;
		}
		UUID id = parseRequestId(requestId);
		return (id != null) ? this.recent.find(id) : null;
	}

	private @Nullable ExecutorTask findTask(String requestId) {
		UUID id = parseRequestId(requestId);
		if (id == null) {
			return null;
		}
		ExecutorTask task = this.inFlight.find(id);
		if (task == null) {
			task = this.queue.find(id);
		}
		if (task == null) {
			for (WaitingSubmission submission : this.waiting) {
				if (submission.task.event.hasRequestId(id)) {
					return submission.task;
				}
			}
		}
		return task;
	}

	static @Nullable UUID parseRequestId(String requestId) {
		if (requestId.length() != 36) {
			return null;
		}
		try {
			return UUID.fromString(requestId);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	/**
	 * Requests holding a concurrency slot: waiting for tokens or calling.
	 * @return their events
	 */
	public List<NetworkRequestEvent> inFlight() {
		List<NetworkRequestEvent> events = new ArrayList<>();
		this.inFlight.forEach((task) -> events.add(task.event));
		return events;
	}

	/**
	 * Requests waiting in the queue, oldest first.
	 * @return their events
	 */
	public List<NetworkRequestEvent> queued() {
		List<NetworkRequestEvent> events = new ArrayList<>(this.queue.size());
		this.queue.forEach((task) -> events.add(task.event));
		return events;
	}

	/**
	 * The last finished requests, newest first, at most
	 * {@link ExecutorSettings#recentCapacity()}.
	 * @return their events
	 */
	public List<NetworkRequestEvent> recent() {
		return this.recent.newestFirst();
	}

	/**
	 * A point-in-time view of queue, slots, buckets and counts.
	 * @return the statistics
	 */
	public ExecutorStats stats() {
		int[] processingAndCalling = new int[2];
		this.inFlight.forEach((task) -> {
			RequestStatus status = task.event.getStatus();
			if (status == RequestStatus.PROCESSING) {
				processingAndCalling[0]++;
			}
			else if (status == RequestStatus.CALLING) {
				processingAndCalling[1]++;
			}
		});
		int processing = processingAndCalling[0];
		int calling = processingAndCalling[1];
		return new ExecutorStats(this.name, isRunning(), this.queue.size(), this.queue.capacity(),
				this.waiting.size(), this.limiter.limit(), this.limiter.inUse(), this.settings.numWorkers(),
				bucketStats(this.requestsBucket), (this.apiTokensBucket != null) ? bucketStats(this.apiTokensBucket)
						: null,
				processing, calling, this.completed.sum(), this.failed.sum(), this.cancelled.sum(),
				this.rejected.sum(), this.rateLimitWaits.sum(), Duration.ofNanos(this.rateLimitWaitNanos.sum()));
	}

	private static ExecutorStats.BucketStats bucketStats(TokenBucket bucket) {
		BucketSettings shape = bucket.settings();
		return new ExecutorStats.BucketStats(shape.capacity(), bucket.availableTokens(), shape.rate(),
				shape.period());
	}

	@Override
	public String toString() {
		return "Executor[" + this.name + ", " + this.state.name().toLowerCase() + "]";
	}

	// ---------------------------------------------------------------- helpers

	private Disposable schedule(Runnable task, long delayNanos) {
		Scheduler.Worker worker = this.timer;
		if (worker == null) {
			throw new IllegalStateException("Executor '" + this.name + "' was never started");
		}
		return worker.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
	}

	private static String formatNanos(long nanos) {
		return (nanos >= 1_000_000) ? (nanos / 1_000_000) + " ms" : (nanos / 1_000) + " µs";
	}

	private enum State {

		NEW, RUNNING, STOPPING, STOPPED

	}

	/**
	 * One dispatcher loop, pinned to one worker thread. A signal marks the loop dirty and
	 * schedules it only when it is idle; a running loop makes another pass when it finds
	 * itself dirty, so a signal is never lost and signals to a busy loop cost a read.
	 */
	private final class Lane implements Runnable {

		private final Scheduler.Worker worker;

		private final @Nullable Lane next;

		private final AtomicBoolean busy = new AtomicBoolean();

		private volatile boolean dirty;

		// The thread running this loop's pass, if one runs.
		volatile @Nullable Thread runner;

		// Whether the loop's thread runs a caller's code (a call's start, or what runs when
		// a call completes at once). A hint for signal(), so written and read opaquely.
		private boolean inCall;

		// The tasks taken by one pass, with their reservations; used by this loop only.
		final ExecutorTask[] batch;

		final long[] delays;

		final @Nullable CompletionStage<Long>[] pendingDelays;

		@SuppressWarnings("unchecked")
		Lane(Scheduler.Worker worker, @Nullable Lane next, int batchSize) {
			this.worker = worker;
			this.next = next;
			this.batch = new ExecutorTask[batchSize];
			this.delays = new long[batchSize];
			this.pendingDelays = new CompletionStage[batchSize];
		}

		/**
		 * Whether the loop is scheduled or running: it will look at the queue again.
		 */
		boolean isBusy() {
			return this.busy.get();
		}

		boolean isInCall() {
			return (boolean) IN_CALL.getOpaque(this);
		}

		void enterCall() {
			IN_CALL.setOpaque(this, true);
		}

		void exitCall() {
			IN_CALL.setOpaque(this, false);
		}

		/**
		 * Asks the next loop for help with a backlog, unless it is busy already (then
		 * it asks its own next one when it finds the backlog).
		 */
		void wakeNextIfIdle() {
			Lane helper = this.next;
			if (helper != null && !helper.isBusy()) {
				helper.signal();
			}
		}

		/**
		 * Makes sure a pass over the queue starts after this call.
		 */
		void signal() {
			if (this.dirty) {
				// Set since the current pass began: the loop makes another pass.
				return;
			}
			this.dirty = true;
			if (!this.busy.get() && this.busy.compareAndSet(false, true)) {
				try {
					this.worker.schedule(this);
				}
				catch (RuntimeException ex) {
					this.busy.set(false);
					logger.debug("Dispatcher of executor '{}' is no longer running", Executor.this.name, ex);
				}
			}
		}

		@Override
		public void run() {
			this.runner = Thread.currentThread();
			try {
				for (;;) {
					this.dirty = false;
					try {
						dispatch(this);
					}
					catch (RuntimeException ex) {
						logger.error("Dispatcher of executor '{}' failed", Executor.this.name, ex);
					}
					if (this.dirty) {
						continue;
					}
					this.busy.set(false);
					// A signal that saw the loop busy set the flag before this loop went idle.
					if (!this.dirty || !this.busy.compareAndSet(false, true)) {
						return;
					}
				}
			}
			finally {
				this.runner = null;
			}
		}

	}

	/**
	 * A submission waiting for room in a full queue under {@link QueueFullPolicy#WAIT}.
	 */
	static final class WaitingSubmission {

		final ExecutorTask task;

		final CompletableFuture<NetworkRequestEvent> admitted = new CompletableFuture<>();

		private final AtomicBoolean settled = new AtomicBoolean();

		volatile @Nullable Disposable timeout;

		WaitingSubmission(ExecutorTask task) {
			this.task = task;
		}

		boolean settle() {
			return this.settled.compareAndSet(false, true);
		}

		void disposeTimeout() {
			Disposable current = this.timeout;
			if (current != null) {
				current.dispose();
			}
		}

	}

	/**
	 * The executor as seen by its events.
	 */
	private final class Owner implements RequestOwner {

		@Override
		public String executorName() {
			return Executor.this.name;
		}

		@Override
		public long epochNanos() {
			return Executor.this.wallClock.epochNanos();
		}

		@Override
		public Redactor redactor() {
			return Executor.this.redactor;
		}

		@Override
		public int maxLogEntries() {
			return Executor.this.settings.maxLogEntries();
		}

		@Override
		public boolean hasListeners() {
			return Executor.this.listeners.length > 0;
		}

		@Override
		public void statusChanged(NetworkRequestEvent event, RequestStatus previous, RequestStatus current) {
			for (RequestStatusListener listener : Executor.this.listeners) {
				try {
					listener.onStatusChange(event, previous, current);
				}
				catch (RuntimeException ex) {
					logger.warn("Status listener {} of executor '{}' failed for {} {} -> {}", listener,
							Executor.this.name, event.getRequestId(), previous, current, ex);
				}
			}
		}

		@Override
		public boolean cancel(NetworkRequestEvent event, String reason) {
			ExecutorTask task = event.task();
			return task != null && Executor.this.cancel(task, reason);
		}

		@Override
		public boolean managesStatus() {
			return true;
		}

	}

	/**
	 * Builds an {@link Executor}.
	 */
	public static final class Builder {

		private ExecutorSettings settings = ExecutorSettings.defaults();

		private @Nullable Scheduler scheduler;

		private Clock clock = Clock.systemUTC();

		private LongSupplier nanoClock = System::nanoTime;

		private @Nullable TokenBucketFactory bucketFactory;

		private final List<RequestStatusListener> listeners = new ArrayList<>();

		private @Nullable UsageExtractor usageExtractor;

		private final List<ExecutorPauseListener> pauseListeners = new ArrayList<>();

		private Builder() {
		}

		/**
		 * The settings.
		 * @param settings the settings
		 * @return this builder
		 */
		public Builder settings(ExecutorSettings settings) {
			this.settings = Objects.requireNonNull(settings, "settings must not be null");
			return this;
		}

		/**
		 * The scheduler for the dispatcher loops and timers. By default the executor
		 * creates a parallel scheduler of {@code numWorkers} threads when started and
		 * disposes it when stopped; a scheduler given here is not disposed.
		 * @param scheduler the scheduler
		 * @return this builder
		 */
		public Builder scheduler(Scheduler scheduler) {
			this.scheduler = scheduler;
			return this;
		}

		/**
		 * The clock for the events' timestamps.
		 * @param clock the clock
		 * @return this builder
		 */
		public Builder clock(Clock clock) {
			this.clock = Objects.requireNonNull(clock, "clock must not be null");
			return this;
		}

		/**
		 * The monotonic nanosecond clock of the local buckets' refill.
		 * @param nanoClock the clock
		 * @return this builder
		 */
		public Builder nanoClock(LongSupplier nanoClock) {
			this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock must not be null");
			return this;
		}

		/**
		 * Where the buckets live; local by default.
		 * @param bucketFactory the factory
		 * @return this builder
		 */
		public Builder bucketFactory(TokenBucketFactory bucketFactory) {
			this.bucketFactory = bucketFactory;
			return this;
		}

		/**
		 * A listener registered before any task runs.
		 * @param listener the listener
		 * @return this builder
		 */
		public Builder listener(RequestStatusListener listener) {
			this.listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
			return this;
		}

		/**
		 * Reads the API tokens a call really used from its result, instead of the JSON
		 * pointers of {@link ExecutorSettings#budget()}.
		 * @param usageExtractor the extractor, or {@code null} for the JSON pointers
		 * @return this builder
		 */
		public Builder usageExtractor(@Nullable UsageExtractor usageExtractor) {
			this.usageExtractor = usageExtractor;
			return this;
		}

		/**
		 * A listener told of every pause.
		 * @param listener the listener
		 * @return this builder
		 */
		public Builder pauseListener(ExecutorPauseListener listener) {
			this.pauseListeners.add(Objects.requireNonNull(listener, "listener must not be null"));
			return this;
		}

		/**
		 * Builds the executor; call {@link Executor#start()} before submitting.
		 * @return the executor
		 */
		public Executor build() {
			return new Executor(this);
		}

	}

}
