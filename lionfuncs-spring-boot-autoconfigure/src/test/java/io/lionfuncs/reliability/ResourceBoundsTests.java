package io.lionfuncs.reliability;

import java.lang.management.ManagementFactory;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

import io.lionfuncs.autoconfigure.LionfuncsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsEventsAutoConfiguration;
import io.lionfuncs.autoconfigure.event.LionfuncsApplicationEventsAutoConfiguration;
import io.lionfuncs.autoconfigure.event.RequestStatusChangedEvent;
import io.lionfuncs.autoconfigure.actuate.metrics.LionfuncsMetricsAutoConfiguration;
import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorSettings;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.QueueFullPolicy;
import io.lionfuncs.network.TaskRequest;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationListener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A million calls in a loop through one {@link Executor}, plain and as auto-configured
 * (application events, meters, the event manager): after a warm-up, the heap after
 * garbage collection and the number of threads stay flat, and a finished event is not
 * kept beyond the bounded list of recent ones.
 */
@Tag("slow")
@ExtendWith(SuiteDuration.class)
class ResourceBoundsTests {

	private static final int CALLS = 1_000_000;

	private static final int WARM_UP = 100_000;

	private static final int RECENT = 100;

	private static final long HEAP_TOLERANCE = 16L * 1024 * 1024;

	@Test
	void aMillionCallsLeaveHeapAndThreadsFlat() {
		Executor executor = new Executor(settings().build());
		executor.start();
		try {
			measure(executor, "resource-bounds");
		}
		finally {
			executor.stop(true);
		}
	}

	@Test
	void aMillionCallsThroughTheAutoConfiguredExecutorLeaveHeapAndThreadsFlat(@TempDir Path spool) {
		new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
					CompositeMeterRegistryAutoConfiguration.class, SimpleMetricsExportAutoConfiguration.class,
					LionfuncsAutoConfiguration.class, LionfuncsEventsAutoConfiguration.class,
					LionfuncsApplicationEventsAutoConfiguration.class, LionfuncsMetricsAutoConfiguration.class))
			.withBean(StatusChangeCounter.class)
			.withPropertyValues("lionfuncs.executor.queue-capacity=10000", "lionfuncs.executor.concurrency-limit=1000",
					"lionfuncs.executor.requests-rate=100000000", "lionfuncs.executor.num-workers=2",
					"lionfuncs.executor.queue-full-policy=wait", "lionfuncs.executor.submit-timeout=60s",
					"lionfuncs.executor.recent-capacity=" + RECENT, "lionfuncs.events.spool-directory=" + spool)
			.run((context) -> {
				measure(context.getBean(Executor.class), "resource-bounds-spring");
				// four status changes per call, each republished as an application event
				assertThat(context.getBean(StatusChangeCounter.class).count.sum()).isEqualTo(4L * CALLS);
				assertThat(context.getBean(MeterRegistry.class).get("lionfuncs.requests").timer().count())
					.isEqualTo(CALLS);
			});
	}

	private static ExecutorSettings.Builder settings() {
		return ExecutorSettings.builder()
			.name("bounds")
			.queueCapacity(10_000)
			.concurrencyLimit(1_000)
			.requestsRate(100_000_000)
			.numWorkers(2)
			.queueFullPolicy(QueueFullPolicy.WAIT)
			.submitTimeout(Duration.ofSeconds(60))
			.recentCapacity(RECENT);
	}

	private static void measure(Executor executor, String name) {
		Figures figures = Figures.start(name);
		CompletableFuture<CallResult> answer = CompletableFuture.completedFuture(CallResult.of(200, null));
		TaskRequest request = TaskRequest.ofStage(() -> answer).endpointUrl("https://api.example.com/v1/noop").build();

		run(executor, request, 0, WARM_UP, null);
		long heapAfterWarmUp = heapAfterGc();
		int threadsAfterWarmUp = ManagementFactory.getThreadMXBean().getThreadCount();

		List<WeakReference<NetworkRequestEvent>> finished = new ArrayList<>();
		run(executor, request, WARM_UP, CALLS, finished);
		long heapAtEnd = heapAfterGc();
		int threadsAtEnd = ManagementFactory.getThreadMXBean().getThreadCount();

		assertThat(executor.stats().completed()).isEqualTo(CALLS);
		assertThat(executor.recent()).hasSize(RECENT);
		await().atMost(Duration.ofSeconds(30)).until(() -> {
			System.gc();
			return finished.stream().allMatch((reference) -> reference.get() == null);
		});
		assertThat(heapAtEnd - heapAfterWarmUp).as("heap growth after GC").isLessThan(HEAP_TOLERANCE);
		assertThat(threadsAtEnd - threadsAfterWarmUp).as("thread growth").isLessThanOrEqualTo(2);
		figures.put("calls", CALLS)
			.put("warmUp", WARM_UP)
			.put("heapAfterWarmUpMB", mb(heapAfterWarmUp))
			.put("heapAtEndMB", mb(heapAtEnd))
			.put("heapGrowthKB", (heapAtEnd - heapAfterWarmUp) / 1024)
			.put("threadsAfterWarmUp", threadsAfterWarmUp)
			.put("threadsAtEnd", threadsAtEnd)
			.put("sampledFinishedEventsRetained", 0)
			.put("recentKept", executor.recent().size())
			.report();
	}

	/**
	 * Submits calls {@code from} to {@code to} and waits until all of them completed,
	 * keeping a weak reference to every ten-thousandth event (none of the last ones).
	 */
	private static void run(Executor executor, TaskRequest request, int from, int to,
			List<WeakReference<NetworkRequestEvent>> sample) {
		for (int i = from; i < to; i++) {
			NetworkRequestEvent event = executor.submitTask(request);
			if (sample != null && i % 10_000 == 5_000 && i < to - 10 * RECENT) {
				sample.add(new WeakReference<>(event));
			}
		}
		await().atMost(Duration.ofSeconds(60)).until(() -> executor.stats().completed() == to);
	}

	private static long heapAfterGc() {
		for (int i = 0; i < 3; i++) {
			System.gc();
		}
		return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
	}

	private static long mb(long bytes) {
		return bytes / (1024 * 1024);
	}

	/**
	 * Counts the request status changes republished as application events, keeping none.
	 */
	static class StatusChangeCounter implements ApplicationListener<RequestStatusChangedEvent> {

		final LongAdder count = new LongAdder();

		@Override
		public void onApplicationEvent(RequestStatusChangedEvent event) {
			this.count.increment();
		}

	}

}
