package io.lionfuncs.benchmarks.report;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import io.lionfuncs.network.limit.BucketSettings;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

/**
 * Shared limits judged where a provider judges them, as processes: replicas in JVMs of
 * their own ({@link RedisReplicaProbe}) share one budget of 20 requests per second,
 * burst 5, in a {@code redis-server} started for the scenario, and call one local HTTP
 * server that notes when each request arrives. Two replicas run the budget dry; a third
 * starts later, in a new JVM, and joins. Three cases: every replica cold (the first
 * requests of each JVM's client are its first ever), the joining replica cold and the
 * others warm, and every replica warm (its client run against the server's
 * {@code /warm-up} first, which is not counted).
 * <p>
 * Figures per case: the busiest window of each length at the server and the bound
 * {@code capacity + rate * T}, the largest excess over it (target 0), and the same for
 * the instants the executors let the calls leave (their wall clocks, one host), which
 * tells the shared budget's part from the part of the time calls take to reach the
 * wire. Skipped, saying so, when no {@code redis-server} is on the {@code PATH}.
 */
final class RedisJoinScenario implements Scenario {

	private static final BucketSettings SHAPE = new BucketSettings(5, 20, Duration.ofSeconds(1));

	private static final int CONCURRENCY = 8;

	private static final int CALLS_OF_EACH_EARLY_REPLICA = 100;

	private static final int CALLS_OF_THE_LATE_REPLICA = 40;

	private static final Duration FACT_TIMEOUT = Duration.ofSeconds(120);

	private static final List<Duration> WINDOWS = List.of(Duration.ofMillis(100), Duration.ofMillis(250),
			Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));

	@Override
	public String name() {
		return "redis";
	}

	@Override
	public Map<String, Object> run() throws Exception {
		Map<String, Object> figures = new LinkedHashMap<>();
		Path redisServer = onPath("redis-server");
		if (redisServer == null) {
			figures.put("redis.skipped", "no redis-server on the PATH");
			return figures;
		}
		figures.put("redis.shape", "burst " + SHAPE.capacity() + ", " + SHAPE.tokensPerSecond() + "/s");
		try (RedisProcess redis = new RedisProcess(redisServer); Arrivals upstream = new Arrivals()) {
			measure(figures, "allCold", redis, upstream, false, false);
			measure(figures, "coldJoin", redis, upstream, true, false);
			measure(figures, "warmJoin", redis, upstream, true, true);
		}
		return figures;
	}

	private static void measure(Map<String, Object> figures, String name, RedisProcess redis, Arrivals upstream,
			boolean earlyWarm, boolean lateWarm) throws Exception {
		upstream.clear();
		String prefix = "bench-join-" + UUID.randomUUID();
		double loadBefore = Machine.loadAverage();
		List<Replica> replicas = new ArrayList<>();
		try {
			replicas.add(new Replica(redis, upstream, prefix, "a", CALLS_OF_EACH_EARLY_REPLICA, earlyWarm).ready());
			replicas.add(new Replica(redis, upstream, prefix, "b", CALLS_OF_EACH_EARLY_REPLICA, earlyWarm).ready());
			replicas.forEach(Replica::go);
			awaitTrue(() -> upstream.count() >= 2 * SHAPE.capacity() + 10, "the early replicas to run the budget dry");
			Replica late = new Replica(redis, upstream, prefix, "c", CALLS_OF_THE_LATE_REPLICA, lateWarm).ready();
			replicas.add(late);
			late.go();
			List<Long> departures = new ArrayList<>();
			for (Replica replica : replicas) {
				departures.addAll(replica.done());
			}
			long[] arrivals = upstream.nanos();
			Map<String, Object> result = new LinkedHashMap<>();
			result.put("calls", arrivals.length);
			result.put("maxOverBound", maxOverBound(arrivals, result, "atServer"));
			result.put("departuresMaxOverBound",
					maxOverBound(departures.stream().mapToLong(Long::longValue).toArray(), result, "departures"));
			result.put("loadAverage", List.of(loadBefore, Machine.loadAverage()));
			figures.put("redis.join." + name, result);
		}
		finally {
			replicas.forEach(Replica::close);
		}
	}

	/**
	 * The busiest window of each length, noted as {@code busiest/bound}, and the largest
	 * excess over the bound.
	 */
	private static long maxOverBound(long[] instants, Map<String, Object> result, String where) {
		long[] sorted = instants.clone();
		Arrays.sort(sorted);
		Map<String, String> windows = new LinkedHashMap<>();
		long excess = Long.MIN_VALUE;
		for (Duration window : WINDOWS) {
			long busiest = 0;
			int end = 0;
			for (int begin = 0; begin < sorted.length; begin++) {
				while (end < sorted.length && sorted[end] - sorted[begin] <= window.toNanos()) {
					end++;
				}
				busiest = Math.max(busiest, end - begin);
			}
			long bound = (long) Math.floor(SHAPE.maxTokensIn(window));
			windows.put(window.toMillis() + "ms", busiest + "/" + bound);
			excess = Math.max(excess, busiest - bound);
		}
		result.put(where, windows);
		return Math.max(0, excess);
	}

	private static void awaitTrue(java.util.function.BooleanSupplier condition, String what)
			throws InterruptedException {
		long deadline = System.nanoTime() + FACT_TIMEOUT.toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("Timed out waiting for " + what);
			}
			Thread.sleep(5);
		}
	}

	private static Path onPath(String name) {
		String path = System.getenv("PATH");
		if (path == null) {
			return null;
		}
		for (String directory : path.split(File.pathSeparator)) {
			Path candidate = Path.of(directory, name);
			if (Files.isExecutable(candidate)) {
				return candidate;
			}
		}
		return null;
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			return socket.getLocalPort();
		}
	}

	/**
	 * A {@code redis-server} on a free loopback port, without persistence.
	 */
	private static final class RedisProcess implements AutoCloseable {

		private final Process process;

		private final int port;

		RedisProcess(Path binary) throws Exception {
			this.port = freePort();
			this.process = new ProcessBuilder(binary.toString(), "--port", String.valueOf(this.port), "--bind",
					"127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no")
				.redirectErrorStream(true)
				.redirectOutput(ProcessBuilder.Redirect.DISCARD)
				.start();
			awaitTrue(this::answers, "redis-server to answer");
		}

		String uri() {
			return "redis://127.0.0.1:" + this.port;
		}

		private boolean answers() {
			try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), this.port)) {
				socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
				byte[] reply = socket.getInputStream().readNBytes(5);
				return new String(reply, StandardCharsets.US_ASCII).startsWith("+PONG");
			}
			catch (IOException ex) {
				return false;
			}
		}

		@Override
		public void close() throws InterruptedException {
			this.process.destroy();
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly();
			}
		}

	}

	/**
	 * The local upstream: notes when each {@code /call} arrives.
	 */
	private static final class Arrivals implements AutoCloseable {

		private final ConcurrentLinkedQueue<Long> calls = new ConcurrentLinkedQueue<>();

		private final DisposableServer server;

		Arrivals() {
			this.server = HttpServer.create()
				.host("127.0.0.1")
				.port(0)
				.handle((request, response) -> {
					if (request.path().equals("call")) {
						this.calls.add(System.nanoTime());
					}
					return request.receive()
						.then(Mono.delay(Duration.ZERO))
						.then(response.header("Content-Type", "text/plain").sendString(Mono.just("ok")).then());
				})
				.bindNow(Duration.ofSeconds(10));
		}

		String baseUrl() {
			return "http://127.0.0.1:" + this.server.port();
		}

		int count() {
			return this.calls.size();
		}

		long[] nanos() {
			return this.calls.stream().mapToLong(Long::longValue).toArray();
		}

		void clear() {
			this.calls.clear();
		}

		@Override
		public void close() {
			this.server.disposeNow(Duration.ofSeconds(10));
		}

	}

	/**
	 * One replica's JVM and what it prints.
	 */
	private static final class Replica implements AutoCloseable {

		private final Process process;

		private final List<String> lines = new CopyOnWriteArrayList<>();

		private final long wallMinusNanoTime;

		Replica(RedisProcess redis, Arrivals upstream, String prefix, String name, int calls, boolean warm)
				throws IOException {
			String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
			this.process = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
					RedisReplicaProbe.class.getName(), redis.uri(), prefix, upstream.baseUrl(), name,
					String.valueOf(calls), String.valueOf(SHAPE.rate()), String.valueOf(SHAPE.capacity()),
					String.valueOf(CONCURRENCY), warm ? "warm" : "cold")
				.redirectErrorStream(true)
				.start();
			Instant now = Instant.now();
			this.wallMinusNanoTime = now.getEpochSecond() * 1_000_000_000L + now.getNano() - System.nanoTime();
			Thread reader = new Thread(this::read, "replica-" + name);
			reader.setDaemon(true);
			reader.start();
		}

		private void read() {
			try (BufferedReader in = new BufferedReader(
					new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
				for (String line = in.readLine(); line != null; line = in.readLine()) {
					this.lines.add(line);
				}
			}
			catch (IOException ex) {
				// the process is gone
			}
		}

		Replica ready() throws InterruptedException {
			await("READY"::equals);
			return this;
		}

		void go() {
			try {
				this.process.getOutputStream().write("GO\n".getBytes(StandardCharsets.UTF_8));
				this.process.getOutputStream().flush();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		/**
		 * Waits until every call ended; the instants they left, on this JVM's
		 * {@link System#nanoTime()}.
		 */
		List<Long> done() throws InterruptedException {
			String done = await((line) -> line.startsWith("DONE "));
			if (!done.equals("DONE 0")) {
				throw new IllegalStateException("A replica's calls failed: " + this.lines);
			}
			List<Long> departures = new ArrayList<>();
			for (String line : this.lines) {
				if (line.startsWith("CALL ")) {
					departures.add(Long.parseLong(line.split(" ")[2]) - this.wallMinusNanoTime);
				}
			}
			return departures;
		}

		private String await(Predicate<String> fact) throws InterruptedException {
			long deadline = System.nanoTime() + FACT_TIMEOUT.toNanos();
			for (;;) {
				for (String line : this.lines) {
					if (fact.test(line)) {
						return line;
					}
				}
				if (!this.process.isAlive() || System.nanoTime() > deadline) {
					throw new IllegalStateException("A replica did not say what was expected: " + this.lines);
				}
				Thread.sleep(5);
			}
		}

		@Override
		public void close() {
			this.process.destroyForcibly();
		}

	}

}
