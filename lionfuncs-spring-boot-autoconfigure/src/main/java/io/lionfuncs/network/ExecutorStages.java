package io.lionfuncs.network;

import java.time.Clock;

import io.lionfuncs.network.limit.BucketSettings;
import io.lionfuncs.network.limit.BucketView;
import io.lionfuncs.network.limit.ConcurrencyLimiter;
import io.lionfuncs.network.limit.LocalTokenBucket;
import io.lionfuncs.network.limit.TokenBucket;
import io.lionfuncs.network.limit.TokenBucketFactory;
import org.jspecify.annotations.Nullable;

/**
 * The stages of one executor, wired together: what the {@link Executor} facade hands
 * its calls to. A request passes admission, the queue, a dispatcher lane (slot and
 * reservation), the call runner and completion, each a stage of its own.
 */
final class ExecutorStages {

	final ExecutorSettings settings;

	final Clock clock;

	final BucketView requestsBucket;

	final @Nullable BucketView apiTokensBucket;

	final ListenerList<RequestStatusListener> listeners;

	final BudgetGate budget;

	final RunState runState;

	final Shutdown shutdown;

	final Admission admission;

	final Dispatcher dispatcher;

	final ExecutorViews views;

	ExecutorStages(ExecutorBuilder builder) {
		this.settings = builder.settings;
		String name = this.settings.name();
		this.clock = builder.clock;
		WallClock wallClock = WallClock.of(builder.clock);
		ConcurrencyLimiter limiter = new ConcurrencyLimiter(this.settings.concurrencyLimit());
		TokenBucketFactory buckets = (builder.bucketFactory != null) ? builder.bucketFactory
				: LocalTokenBucket.factory(builder.nanoClock);
		TokenBucket requests = buckets.create(name, "requests", this.settings.requestsBucket());
		BucketSettings apiTokensShape = this.settings.apiTokensBucket();
		TokenBucket apiTokens = (apiTokensShape != null) ? buckets.create(name, "api-tokens", apiTokensShape) : null;
		this.requestsBucket = BucketView.of(requests);
		this.apiTokensBucket = (apiTokens != null) ? BucketView.of(apiTokens) : null;
		TaskQueue queue = new TaskQueue(this.settings.queueCapacity());
		InFlightTasks inFlight = new InFlightTasks(this.settings.concurrencyLimit());
		RecentEvents recent = new RecentEvents(this.settings.recentCapacity());
		Counters counters = new Counters();
		RequestTracing tracing = builder.tracing();
		this.listeners = RequestContext.listeners(builder.listeners);
		RequestContext context = new RequestContext(name, wallClock,
				Redactor.withAdditionalNames(this.settings.redactHeaders()), this.settings.maxLogEntries(),
				this.listeners);
		this.budget = new BudgetGate(name, this.settings.budget(), builder.usageExtractor, requests, apiTokens,
				builder.clock, builder.nanoClock, inFlight::reservedNotSent, builder.pauseListeners);
		Reservations reservations = new Reservations(requests, apiTokens);
		DispatchLanes lanes = new DispatchLanes(name);
		this.runState = new RunState(this.settings, builder.scheduler, lanes, counters);
		WaitingRoom waiting = new WaitingRoom(queue, lanes);
		Completion completion = new Completion(context, this.budget, reservations, limiter, inFlight, recent,
				counters, queue, lanes, waiting, this.runState, tracing);
		this.admission = new Admission(this.settings, reservations.maxApiTokens(), queue, lanes, waiting, counters,
				completion, this.runState, tracing);
		this.shutdown = new Shutdown(this.settings, this.runState, this.admission, queue, inFlight, completion);
		this.dispatcher = new Dispatcher(name, queue, limiter, inFlight, reservations, this.budget,
				new CallRunner(this.budget, tracing), completion, waiting, counters, this.runState, this.shutdown,
				wallClock);
		this.views = new ExecutorViews(this.settings, queue, inFlight, recent, waiting, limiter, counters,
				this.requestsBucket, this.apiTokensBucket);
	}

}
