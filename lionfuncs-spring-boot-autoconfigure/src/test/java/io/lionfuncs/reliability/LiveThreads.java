package io.lionfuncs.reliability;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/**
 * Finds threads a test left behind: every live thread that did not exist when the
 * snapshot was taken, except those of the JVM-wide pools that Reactor, Reactor Netty
 * and the JDK create on first use and share for the life of the process (Reactor's
 * {@code Schedulers.parallel()} and {@code boundedElastic()}, Reactor Netty's
 * {@code HttpResources} event loops, the common fork-join pool).
 */
final class LiveThreads {

	/**
	 * Name prefixes of the documented global pools, and of the threads Awaitility polls
	 * on (they end a moment after each wait).
	 */
	static final List<String> GLOBAL_POOLS = List.of("reactor-http-nio-", "reactor-http-epoll-",
			"reactor-http-kqueue-", "reactor-http-io_uring-", "parallel-", "boundedElastic-", "single-",
			"boundedElastic-evictor-", "ForkJoinPool.commonPool-", "Attach Listener", "process reaper",
			"Common-Cleaner", "Notification Thread", "Signal Dispatcher", "awaitility-thread");

	private static final Pattern UNNAMED_POOL_THREAD = Pattern.compile("pool-\\d+-thread-\\d+");

	private final Set<Thread> before;

	private final List<String> foreignPools;

	private LiveThreads(Set<Thread> before, List<String> foreignPools) {
		this.before = before;
		this.foreignPools = foreignPools;
	}

	static LiveThreads snapshot() {
		return new LiveThreads(Set.copyOf(Thread.getAllStackTraces().keySet()), List.of());
	}

	/**
	 * Also ignores the threads of pools the test under census never creates. Such a pool
	 * belongs to an earlier test of the same JVM whose resources shut down in the
	 * background: Lettuce's client resources, for one, start their event executor's
	 * thread only to run its graceful shutdown.
	 * @param prefixes name prefixes of the threads to ignore
	 * @return a census that ignores them
	 */
	LiveThreads ignoringPools(String... prefixes) {
		return new LiveThreads(this.before, List.of(prefixes));
	}

	/**
	 * The names of threads started since the snapshot that are still alive and belong
	 * to no global pool, other than the calling thread (Awaitility polls on a thread of
	 * its own).
	 * @return the names, sorted
	 */
	Set<String> leaked() {
		Set<String> names = new TreeSet<>();
		Thread caller = Thread.currentThread();
		Thread.getAllStackTraces().forEach((thread, stack) -> {
			if (thread != caller && thread.isAlive() && !this.before.contains(thread)
					&& !isGlobal(thread.getName()) && !isForeign(thread.getName())
					&& !isIdleAwaitWorker(thread.getName(), stack)) {
				names.add(thread.getName());
			}
		});
		return names;
	}

	/**
	 * Waits for the test's own threads to end.
	 * @param atMost how long they may take to finish
	 * @return the names still alive after that (empty when none leaked)
	 */
	Set<String> awaitNoneLeaked(Duration atMost) {
		try {
			await().atMost(atMost).until(() -> leaked().isEmpty());
		}
		catch (org.awaitility.core.ConditionTimeoutException ex) {
			// reported by the caller's assertion, with the names
		}
		return leaked();
	}

	private static boolean isGlobal(String name) {
		return GLOBAL_POOLS.stream().anyMatch(name::startsWith);
	}

	private boolean isForeign(String name) {
		return this.foreignPools.stream().anyMatch(name::startsWith);
	}

	/**
	 * An idle worker of Reactor's global pool that awaits the end of disposed schedulers
	 * ({@code SchedulerState.DisposeAwaiterRunnable.TRANSITION_AWAIT_POOL}): unnamed
	 * ({@code pool-N-thread-M}) and kept alive for 10 s after its last task. The code
	 * under test creates no unnamed pools, so such a thread parked in a scheduled pool's
	 * work queue is that one.
	 */
	private static boolean isIdleAwaitWorker(String name, StackTraceElement[] stack) {
		if (!UNNAMED_POOL_THREAD.matcher(name).matches()) {
			return false;
		}
		for (StackTraceElement frame : stack) {
			if (frame.getClassName().startsWith("java.util.concurrent.ScheduledThreadPoolExecutor$DelayedWorkQueue")) {
				return true;
			}
		}
		return false;
	}

}
