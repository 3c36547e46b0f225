package io.lionfuncs.sample;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * The sample application running in a JVM of its own, started from the test class path,
 * with its output collected line by line.
 */
final class SampleAppProcess implements AutoCloseable {

	private final Process process;

	private final List<String> lines = new CopyOnWriteArrayList<>();

	private final Thread reader;

	private SampleAppProcess(Process process) {
		this.process = process;
		this.reader = new Thread(this::read, "sample-app-output-" + process.pid());
		this.reader.setDaemon(true);
		this.reader.start();
	}

	/**
	 * Starts {@link SampleApplication} and waits until it says it started.
	 * @param atMost how long start-up may take
	 * @param args its arguments ({@code --key=value})
	 * @return the running application
	 */
	static SampleAppProcess start(Duration atMost, String... args) {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.add("-Xmx384m");
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add(SampleApplication.class.getName());
		command.addAll(List.of(args));
		SampleAppProcess app;
		try {
			app = new SampleAppProcess(new ProcessBuilder(command).redirectErrorStream(true).start());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		await().atMost(atMost)
			.failFast("the application exited; output: " + app.lines, () -> !app.process.isAlive())
			.until(() -> app.output().contains("Started SampleApplication"));
		return app;
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

	/**
	 * Sends SIGTERM (on Linux), as a container runtime or a service manager does.
	 * Through the process handle: {@link Process#destroy()} sends the same signal but
	 * also closes the pipes, and what the application logs while it shuts down would be
	 * lost.
	 */
	void terminate() {
		this.process.toHandle().destroy();
	}

	/**
	 * Waits for the process to exit.
	 * @param atMost how long to wait
	 * @return whether it exited in time
	 */
	boolean awaitExit(Duration atMost) throws InterruptedException {
		boolean exited = this.process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS);
		if (exited) {
			this.reader.join(TimeUnit.SECONDS.toMillis(10));
		}
		return exited;
	}

	/** Everything it printed so far, one line after the other. */
	String output() {
		return String.join(System.lineSeparator(), this.lines);
	}

	@Override
	public void close() throws InterruptedException {
		if (this.process.isAlive()) {
			this.process.destroyForcibly();
			this.process.waitFor(30, TimeUnit.SECONDS);
		}
		this.reader.join(TimeUnit.SECONDS.toMillis(10));
	}

}
