package io.lionfuncs.benchmarks.jmh;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.TaskRequest;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import reactor.core.scheduler.Schedulers;

/**
 * The executor's hot path: submit a no-op call, dispatch it and complete it, with
 * tracking on and limits effectively off (as in the report's dispatch scenario), in
 * batches of {@value #BATCH} awaited together.
 * <p>
 * {@code threads=dispatchers} runs the calls on the executor's own dispatcher loops, so
 * the figure includes the hand-over between threads; {@code threads=caller} runs the
 * loops on the submitting thread ({@link Schedulers#immediate()}), which leaves the
 * tracking work alone. {@code listeners} is the number of status listeners added with
 * {@link Executor#addListener}: the difference between 0 and 1 is the cost of
 * publishing the four status changes of a call. {@code observations} is what the
 * executor is given: {@code none} (no registry), {@code noop}
 * ({@link ObservationRegistry#NOOP}: the same work as none, since nothing is traced) or
 * {@code meters} (a registry timing every request, as Boot's default handler does).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DispatchBenchmark {

	static final int BATCH = 1000;

	private static final CompletableFuture<CallResult> NO_OP_RESULT = CompletableFuture
		.completedFuture(CallResult.of(200, null));

	private static final Supplier<CompletionStage<CallResult>> NO_OP = () -> NO_OP_RESULT;

	@Param({ "dispatchers", "caller" })
	public String threads;

	@Param({ "0", "1" })
	public int listeners;

	@Param({ "none", "noop", "meters" })
	public String observations;

	private final LongAdder published = new LongAdder();

	private Executor executor;

	@Setup(Level.Trial)
	public void start() {
		ExecutorSettings settings = ExecutorSettings.builder()
			.name("jmh")
			.concurrencyLimit(100)
			.queueCapacity(10 * BATCH)
			.requestsRate(1_000_000_000)
			.build();
		Executor.Builder builder = Executor.builder().settings(settings).observationRegistry(registry());
		if (this.threads.equals("caller")) {
			builder.scheduler(Schedulers.immediate());
		}
		this.executor = builder.build();
		for (int i = 0; i < this.listeners; i++) {
			this.executor.addListener((event, previous, current) -> this.published.increment());
		}
		this.executor.start();
	}

	private @Nullable ObservationRegistry registry() {
		return switch (this.observations) {
			case "noop" -> ObservationRegistry.NOOP;
			case "meters" -> {
				ObservationRegistry registry = ObservationRegistry.create();
				registry.observationConfig()
					.observationHandler(new DefaultMeterObservationHandler(new SimpleMeterRegistry(),
				DefaultMeterObservationHandler.IgnoredMeters.LONG_TASK_TIMER));
				yield registry;
			}
			default -> null;
		};
	}

	@TearDown(Level.Trial)
	public void stop() {
		this.executor.stopAsync(false).join();
	}

	@Benchmark
	@OperationsPerInvocation(BATCH)
	public void submitDispatchComplete() throws InterruptedException {
		CountDownLatch done = new CountDownLatch(BATCH);
		for (int i = 0; i < BATCH; i++) {
			this.executor.submitTask(TaskRequest.ofStage(NO_OP).endpointUrl("/v1/no-op").method("POST").build())
				.completion()
				.whenComplete((event, ex) -> done.countDown());
		}
		done.await();
	}

}
