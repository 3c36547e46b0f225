package io.lionfuncs.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import ch.qos.logback.classic.Level;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

import static org.awaitility.Awaitility.await;

/**
 * A Redis server for tests that must run, not skip: a Testcontainers Redis when Docker
 * is available, otherwise a {@code redis-server} from the {@code PATH} started on a free
 * port (and stopped by {@link #close()}); otherwise {@link #start()} fails saying how to
 * get one. {@link #stop()} and {@link #restart()} simulate an outage at the same address;
 * {@link #freeze()} and {@link #thaw()} a server that accepts connections but does not
 * answer. Docker is asked for only when something points at a daemon, and quietly:
 * Testcontainers logs an ERROR when it finds none. Which server the tests use is logged
 * once, at INFO.
 */
public abstract class RedisTestServer implements AutoCloseable {

	private static final Logger logger = LoggerFactory.getLogger(RedisTestServer.class);

	private static final AtomicBoolean reported = new AtomicBoolean();

	static final String HOW_TO_GET_ONE = "These tests need Redis: start Docker (Testcontainers then runs "
			+ "redis:7-alpine), or put redis-server on the PATH (Debian/Ubuntu: 'apt-get install redis-server', "
			+ "macOS: 'brew install redis'). CI (.ci/run) installs Debian's redis-server when neither is present.";

	/**
	 * Starts a server.
	 * @return the running server
	 * @throws IllegalStateException when neither Docker nor redis-server is available
	 */
	public static RedisTestServer start() {
		boolean docker = dockerAvailable();
		RedisTestServer server = start(docker, docker ? null : onPath("redis-server"));
		if (reported.compareAndSet(false, true)) {
			logger.info("Redis for tests: {}{}", server.description(), docker ? "" : " (Docker is not available)");
		}
		return server;
	}

	static RedisTestServer start(boolean docker, @Nullable Path redisServer) {
		if (docker) {
			return new ContainerServer();
		}
		if (redisServer != null) {
			return new ProcessServer(redisServer);
		}
		throw new IllegalStateException(HOW_TO_GET_ONE);
	}

	private static boolean dockerAvailable() {
		Path home = Path.of(System.getProperty("user.home"));
		if (!dockerMayBeConfigured(System.getenv(), defaultSockets(home), home.resolve(".testcontainers.properties"))) {
			return false;
		}
		return quietly(() -> {
			try {
				return DockerClientFactory.instance().isDockerAvailable();
			}
			catch (RuntimeException | LinkageError ex) {
				return false;
			}
		});
	}

	/**
	 * Whether anything points at a Docker daemon: an environment variable, a socket where
	 * Docker, Docker Desktop, Colima or Rancher Desktop put theirs, or a Testcontainers
	 * configuration naming a host.
	 */
	static boolean dockerMayBeConfigured(Map<String, String> environment, List<Path> sockets,
			Path testcontainersProperties) {
		if (environment.containsKey("DOCKER_HOST") || environment.containsKey("TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE")
				|| environment.containsKey("TESTCONTAINERS_HOST_OVERRIDE")) {
			return true;
		}
		if (sockets.stream().anyMatch(Files::exists)) {
			return true;
		}
		try {
			return Files.isRegularFile(testcontainersProperties)
					&& Files.readString(testcontainersProperties).contains("docker.host");
		}
		catch (IOException ex) {
			return false;
		}
	}

	private static List<Path> defaultSockets(Path home) {
		String runtime = System.getenv("XDG_RUNTIME_DIR");
		return List.of(Path.of("/var/run/docker.sock"), home.resolve(".docker/run/docker.sock"),
				home.resolve(".docker/desktop/docker.sock"), home.resolve(".colima/default/docker.sock"),
				home.resolve(".colima/docker.sock"), home.resolve(".rd/docker.sock"),
				(runtime != null) ? Path.of(runtime, "docker.sock") : Path.of("/run/docker.sock"));
	}

	/**
	 * Runs a probe with the Testcontainers loggers off.
	 */
	private static boolean quietly(BooleanSupplier probe) {
		if (!(LoggerFactory.getLogger("org.testcontainers") instanceof ch.qos.logback.classic.Logger testcontainers)) {
			return probe.getAsBoolean();
		}
		Level level = testcontainers.getLevel();
		testcontainers.setLevel(Level.OFF);
		try {
			return probe.getAsBoolean();
		}
		finally {
			testcontainers.setLevel(level);
		}
	}

	private static @Nullable Path onPath(String name) {
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

	/**
	 * The host to connect to.
	 * @return the host
	 */
	public abstract String host();

	/**
	 * The port to connect to; the same after {@link #restart()}.
	 * @return the port
	 */
	public abstract int port();

	/**
	 * The server's URI.
	 * @return {@code redis://host:port}
	 */
	public String uri() {
		return "redis://" + host() + ":" + port();
	}

	/**
	 * What runs the server, for test reports.
	 * @return a description
	 */
	public abstract String description();

	/**
	 * Makes the server unreachable (an outage) until {@link #restart()}.
	 */
	public abstract void stop();

	/**
	 * Brings the server back at the same address after {@link #stop()}.
	 */
	public abstract void restart();

	/**
	 * Makes the server stop answering while its connections stay open, until
	 * {@link #thaw()}.
	 */
	public abstract void freeze();

	/**
	 * Makes a frozen server answer again, with its data.
	 */
	public abstract void thaw();

	@Override
	public abstract void close();

	/**
	 * Whether the server answers {@code PING} now.
	 * @return {@code true} when it does
	 */
	public boolean ping() {
		try (Socket socket = new Socket()) {
			socket.connect(new InetSocketAddress(host(), port()), 500);
			socket.setSoTimeout(500);
			OutputStream out = socket.getOutputStream();
			out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			byte[] reply = new byte[7];
			int read = in.readNBytes(reply, 0, reply.length);
			return new String(reply, 0, read, StandardCharsets.US_ASCII).startsWith("+PONG");
		}
		catch (IOException ex) {
			return false;
		}
	}

	void awaitPing() {
		await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20)).until(this::ping);
	}

	/**
	 * A {@code redis-server} process from the {@code PATH}.
	 */
	static final class ProcessServer extends RedisTestServer {

		private final Path binary;

		private final int port;

		private @Nullable Process process;

		ProcessServer(Path binary) {
			this.binary = binary;
			this.port = freePort();
			launch();
		}

		private static int freePort() {
			try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
				socket.setReuseAddress(true);
				return socket.getLocalPort();
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		private void launch() {
			try {
				this.process = new ProcessBuilder(List.of(this.binary.toString(), "--port", String.valueOf(this.port),
						"--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no",
						"--daemonize", "no", "--loglevel", "warning"))
					.redirectErrorStream(true)
					.redirectOutput(ProcessBuilder.Redirect.DISCARD)
					.start();
			}
			catch (IOException ex) {
				throw new UncheckedIOException("Could not start " + this.binary, ex);
			}
			awaitPing();
		}

		@Override
		public String host() {
			return "127.0.0.1";
		}

		@Override
		public int port() {
			return this.port;
		}

		@Override
		public String description() {
			return "redis-server from the PATH (" + this.binary + ") on port " + this.port;
		}

		@Override
		public void stop() {
			Process current = this.process;
			if (current == null) {
				return;
			}
			this.process = null;
			current.destroy();
			try {
				if (!current.waitFor(10, TimeUnit.SECONDS)) {
					current.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				current.destroyForcibly();
			}
		}

		@Override
		public void restart() {
			stop();
			launch();
		}

		@Override
		public void freeze() {
			signal("-STOP");
		}

		@Override
		public void thaw() {
			signal("-CONT");
			awaitPing();
		}

		private void signal(String signal) {
			Process current = this.process;
			if (current == null) {
				throw new IllegalStateException("redis-server is not running");
			}
			try {
				Process kill = new ProcessBuilder("kill", signal, String.valueOf(current.pid())).inheritIO().start();
				if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
					throw new IllegalStateException("Could not send " + signal + " to redis-server");
				}
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
		}

		@Override
		public void close() {
			stop();
		}

	}

	/**
	 * A Testcontainers Redis; an outage pauses the container, so that its port stays
	 * (a paused container is both stopped and frozen).
	 */
	static final class ContainerServer extends RedisTestServer {

		private final GenericContainer<?> container;

		private boolean paused;

		@SuppressWarnings("resource")
		ContainerServer() {
			this.container = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
			this.container.start();
		}

		@Override
		public String host() {
			return this.container.getHost();
		}

		@Override
		public int port() {
			return this.container.getMappedPort(6379);
		}

		@Override
		public String description() {
			return "Testcontainers " + this.container.getDockerImageName();
		}

		@Override
		public void stop() {
			if (!this.paused) {
				this.container.getDockerClient().pauseContainerCmd(this.container.getContainerId()).exec();
				this.paused = true;
			}
		}

		@Override
		public void restart() {
			if (this.paused) {
				this.container.getDockerClient().unpauseContainerCmd(this.container.getContainerId()).exec();
				this.paused = false;
			}
			awaitPing();
		}

		@Override
		public void freeze() {
			stop();
		}

		@Override
		public void thaw() {
			restart();
		}

		@Override
		public void close() {
			this.container.stop();
		}

	}

}
