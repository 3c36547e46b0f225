package io.lionfuncs.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/**
 * A child JVM running a main class of the test class path, whose standard output (and
 * error) is collected line by line so that a test can wait for what it announces.
 */
final class ChildJvm implements AutoCloseable {

	private final Process process;

	private final List<String> lines = new CopyOnWriteArrayList<>();

	/** When each line was read, as {@link System#nanoTime()}: after the child wrote it. */
	private final List<Long> arrivals = new CopyOnWriteArrayList<>();

	private final Thread reader;

	private ChildJvm(Process process) {
		this.process = process;
		this.reader = new Thread(this::read, "child-jvm-output-" + process.pid());
		this.reader.setDaemon(true);
		this.reader.start();
	}

	/**
	 * Starts {@code java -cp <test class path> <mainClass> <args>}.
	 * @param mainClass the main class
	 * @param args its arguments
	 * @return the running child
	 */
	static ChildJvm start(Class<?> mainClass, String... args) {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.add("-Xmx256m");
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add(mainClass.getName());
		command.addAll(List.of(args));
		try {
			return new ChildJvm(new ProcessBuilder(command).redirectErrorStream(true).start());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private void read() {
		try (BufferedReader in = new BufferedReader(
				new InputStreamReader(this.process.getInputStream(), StandardCharsets.UTF_8))) {
			for (String line = in.readLine(); line != null; line = in.readLine()) {
				// the arrival first: a line seen in the output has its arrival recorded
				this.arrivals.add(System.nanoTime());
				this.lines.add(line);
			}
		}
		catch (IOException ex) {
			// the process is gone
		}
	}

	/**
	 * Waits for a line the child prints.
	 * @param fact what the line must satisfy
	 * @param atMost how long to wait
	 * @return the first matching line
	 */
	String awaitLine(Predicate<String> fact, Duration atMost) {
		await().atMost(atMost)
			.failFast("child exited early; output: " + this.lines,
					() -> !this.process.isAlive() && find(fact).isEmpty() && !this.reader.isAlive())
			.until(() -> find(fact).isPresent());
		return find(fact).orElseThrow();
	}

	private Optional<String> find(Predicate<String> fact) {
		return this.lines.stream().filter(fact).findFirst();
	}

	/**
	 * Writes a line to the child's standard input.
	 * @param line the line
	 */
	void send(String line) {
		try {
			this.process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
			this.process.getOutputStream().flush();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Kills the child with SIGKILL: no shutdown hook, no {@code finally} runs.
	 */
	void kill() throws InterruptedException {
		this.process.destroyForcibly();
		this.process.waitFor(30, TimeUnit.SECONDS);
	}

	int awaitExit(Duration atMost) throws InterruptedException {
		if (!this.process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS)) {
			throw new IllegalStateException("child did not exit; output: " + this.lines);
		}
		this.reader.join(TimeUnit.SECONDS.toMillis(10));
		return this.process.exitValue();
	}

	List<String> output() {
		return this.lines;
	}

	/**
	 * When the line at an index of {@link #output()} was read.
	 * @param index the line's index
	 * @return its arrival, as {@link System#nanoTime()}
	 */
	long arrivalNanos(int index) {
		return this.arrivals.get(index);
	}

	@Override
	public void close() throws InterruptedException {
		if (this.process.isAlive()) {
			kill();
		}
		this.reader.join(TimeUnit.SECONDS.toMillis(10));
	}

}
