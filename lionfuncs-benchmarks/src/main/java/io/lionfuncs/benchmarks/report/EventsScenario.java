package io.lionfuncs.benchmarks.report;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import io.lionfuncs.autoconfigure.event.RequestStatusChangedEvent;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.RequestStatus;

import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The cost of republishing status changes as Spring {@code ApplicationEvent}s: dispatch
 * throughput ({@link DispatchLoad}) through the auto-configured executor of four
 * applications running side by side, in rotating rounds after a warm-up of all:
 * <ul>
 * <li>publishing on (the default: every status change) and one
 * {@code ApplicationListener<RequestStatusChangedEvent>} bean that reads the request
 * snapshot of every event it receives;</li>
 * <li>publishing on and one such listener that reads only the events' statuses (as a
 * listener interested in some statuses does before it reads a snapshot);</li>
 * <li>publishing on and no listener;</li>
 * <li>publishing off ({@code lionfuncs.events.publish-application-events=false}).</li>
 * </ul>
 * Each executor has the dispatch scenario's settings (concurrency 100, limits
 * effectively off, a queue that holds every call). Figures: the medians of the rounds'
 * throughputs, and the medians of each round's ratios of a listener's throughput to the
 * throughput without one ({@code events.publishOverheadRatio} for the listener reading
 * every snapshot) and to the throughput without publishing.
 */
final class EventsScenario implements Scenario {

	private static final int WARMUP_ROUNDS = 4;

	private static final long WARMUP_NANOS = TimeUnit.SECONDS.toNanos(10);

	private static final int ROUNDS = 9;

	/** Status changes of a call that completes: QUEUED, PROCESSING, CALLING, COMPLETED. */
	private static final int CHANGES_PER_CALL = 4;

	private static final int READING = 0;

	private static final int STATUS_ONLY = 1;

	private static final int NO_LISTENER = 2;

	private static final int NOT_PUBLISHING = 3;

	@Override
	public String name() {
		return "events";
	}

	@Override
	public Map<String, Object> run() throws Exception {
		try (ConfigurableApplicationContext reading = start(true, ReadingListenerConfiguration.class);
				ConfigurableApplicationContext statusOnly = start(true, StatusListenerConfiguration.class);
				ConfigurableApplicationContext noListener = start(true);
				ConfigurableApplicationContext notPublishing = start(false)) {
			Executor[] executors = { reading.getBean(Executor.class), statusOnly.getBean(Executor.class),
					noListener.getBean(Executor.class), notPublishing.getBean(Executor.class) };
			long warmupStarted = System.nanoTime();
			int warmupRounds = 0;
			for (; warmupRounds < WARMUP_ROUNDS || System.nanoTime() - warmupStarted < WARMUP_NANOS; warmupRounds++) {
				for (Executor executor : executors) {
					DispatchLoad.throughExecutor(executor);
				}
			}
			double[][] throughput = new double[executors.length][ROUNDS];
			for (int i = 0; i < ROUNDS; i++) {
				// Rotate which side goes first so that none always inherits another's garbage.
				for (int j = 0; j < executors.length; j++) {
					int side = (i + j) % executors.length;
					throughput[side][i] = DispatchLoad.throughExecutor(executors[side]);
				}
			}
			long expected = (long) (warmupRounds + ROUNDS) * DispatchLoad.CALLS * CHANGES_PER_CALL;
			requireReceived(reading, expected);
			requireReceived(statusOnly, expected);
			Map<String, Object> figures = new LinkedHashMap<>();
			figures.put("events.tasksPerSecond", Math.round(Stats.median(throughput[READING])));
			figures.put("events.noListenerTasksPerSecond", Math.round(Stats.median(throughput[NO_LISTENER])));
			figures.put("events.notPublishingTasksPerSecond", Math.round(Stats.median(throughput[NOT_PUBLISHING])));
			figures.put("events.publishOverheadRatio", ratio(throughput, READING, NO_LISTENER));
			figures.put("events.ratioToNotPublishing", ratio(throughput, READING, NOT_PUBLISHING));
			figures.put("events.statusOnlyListener.tasksPerSecond", Math.round(Stats.median(throughput[STATUS_ONLY])));
			figures.put("events.statusOnlyListener.publishOverheadRatio", ratio(throughput, STATUS_ONLY, NO_LISTENER));
			Map<String, Object> rounds = new LinkedHashMap<>();
			rounds.put("tasksPerSecond", Stats.rounded(throughput[READING]));
			rounds.put("statusOnlyListenerTasksPerSecond", Stats.rounded(throughput[STATUS_ONLY]));
			rounds.put("noListenerTasksPerSecond", Stats.rounded(throughput[NO_LISTENER]));
			rounds.put("notPublishingTasksPerSecond", Stats.rounded(throughput[NOT_PUBLISHING]));
			figures.put("events.rounds", rounds);
			return figures;
		}
	}

	/**
	 * The median of each round's ratio of one side's throughput to another's.
	 */
	private static double ratio(double[][] throughput, int side, int baseline) {
		double[] ratios = new double[ROUNDS];
		for (int i = 0; i < ROUNDS; i++) {
			ratios[i] = throughput[side][i] / throughput[baseline][i];
		}
		return Stats.round(Stats.median(ratios), 3);
	}

	private static void requireReceived(ConfigurableApplicationContext context, long expected) {
		long received = context.getBean(CountingListener.class).received();
		if (received != expected) {
			throw new IllegalStateException("A listener received " + received + " events, not " + expected);
		}
	}

	private static ConfigurableApplicationContext start(boolean publish, Class<?>... configurations) {
		Class<?>[] sources = new Class<?>[configurations.length + 1];
		sources[0] = EventsApplication.class;
		System.arraycopy(configurations, 0, sources, 1, configurations.length);
		SpringApplication application = new SpringApplication(sources);
		application.setWebApplicationType(WebApplicationType.NONE);
		application.setBannerMode(Banner.Mode.OFF);
		application.setLogStartupInfo(false);
		application.setRegisterShutdownHook(false);
		Map<String, Object> properties = new LinkedHashMap<>();
		properties.put("logging.level.root", "WARN");
		properties.put("lionfuncs.executor.concurrency-limit", DispatchScenario.CONCURRENCY);
		properties.put("lionfuncs.executor.queue-capacity", DispatchLoad.CALLS);
		properties.put("lionfuncs.executor.requests-rate", 1_000_000_000);
		properties.put("lionfuncs.executor.shutdown-timeout", "0s");
		properties.put("lionfuncs.connections.max-connections", DispatchScenario.CONCURRENCY);
		properties.put("lionfuncs.events.publish-application-events", publish);
		application.setDefaultProperties(properties);
		return application.run();
	}

	/**
	 * The applications: auto-configuration only, no component scan.
	 */
	@SpringBootConfiguration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class EventsApplication {

	}

	@Configuration(proxyBeanMethods = false)
	static class ReadingListenerConfiguration {

		@Bean
		CountingListener readingListener() {
			return new CountingListener(true);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class StatusListenerConfiguration {

		@Bean
		CountingListener statusListener() {
			return new CountingListener(false);
		}

	}

	/**
	 * The one listener: counts what it receives, reading either each event's request
	 * snapshot or its status only.
	 */
	static class CountingListener implements ApplicationListener<RequestStatusChangedEvent> {

		private final boolean readSnapshot;

		private final LongAdder received = new LongAdder();

		CountingListener(boolean readSnapshot) {
			this.readSnapshot = readSnapshot;
		}

		@Override
		public void onApplicationEvent(RequestStatusChangedEvent event) {
			RequestStatus status = this.readSnapshot ? event.getRequest().status() : event.getStatus();
			if (status != null) {
				this.received.increment();
			}
		}

		long received() {
			return this.received.sum();
		}

	}

}
