package io.lionfuncs.intercept;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.jspecify.annotations.Nullable;

/**
 * A fake LLM provider on the JDK's HTTP server (so that it depends on no client's
 * library): OpenAI's {@code /v1/chat/completions} and Anthropic's {@code /v1/messages},
 * streamed (server-sent events with usage) and not, with usage and
 * {@code x-ratelimit-*} headers, and {@code /other/...} for requests that are not
 * governed. It records when each request arrives, counts the streams open at once, can
 * hold streams open until released, and answers scripted statuses (a 429 with
 * {@code Retry-After}) to the next requests.
 */
final class FakeProvider implements AutoCloseable {

	static final long OPENAI_TOTAL_TOKENS = 21;

	static final long ANTHROPIC_INPUT_TOKENS = 30;

	static final long ANTHROPIC_OUTPUT_TOKENS = 70;

	private static final Pattern STREAM = Pattern.compile("\"stream\"\\s*:\\s*true");

	private final HttpServer server;

	private final ExecutorService threads = Executors.newCachedThreadPool();

	private final List<Arrival> arrivals = new CopyOnWriteArrayList<>();

	private final Deque<Scripted> script = new ArrayDeque<>();

	private final AtomicInteger openStreams = new AtomicInteger();

	private final AtomicInteger maxOpenStreams = new AtomicInteger();

	private final Semaphore streamReleases = new Semaphore(0);

	private volatile boolean holdStreams;

	FakeProvider() {
		try {
			this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		this.server.setExecutor(this.threads);
		this.server.createContext("/", this::handle);
		this.server.start();
	}

	/** The base URL, such as {@code http://127.0.0.1:PORT}. */
	String url() {
		return "http://127.0.0.1:" + this.server.getAddress().getPort();
	}

	List<Arrival> arrivals() {
		return List.copyOf(this.arrivals);
	}

	List<Arrival> arrivals(String pathPrefix) {
		return this.arrivals.stream().filter((arrival) -> arrival.path().startsWith(pathPrefix)).toList();
	}

	/**
	 * The arrivals under a path after the first {@code skip} of them, those a test
	 * counted before it started.
	 */
	List<Arrival> arrivals(String pathPrefix, int skip) {
		List<Arrival> arrivals = arrivals(pathPrefix);
		return arrivals.subList(skip, arrivals.size());
	}

	int openStreams() {
		return this.openStreams.get();
	}

	int maxOpenStreams() {
		return this.maxOpenStreams.get();
	}

	/** Streams stay open after their first chunk until {@link #releaseStream()}. */
	void holdStreams() {
		this.holdStreams = true;
	}

	/** Lets one held stream end. */
	void releaseStream() {
		this.streamReleases.release();
	}

	/** Lets every held stream end, now and later. */
	void releaseAllStreams() {
		this.holdStreams = false;
		this.streamReleases.release(10_000);
	}

	/** The next request gets this status and headers (and an error body). */
	synchronized void answerNext(int status, Map<String, String> headers) {
		this.script.add(new Scripted(status, headers));
	}

	private synchronized @Nullable Scripted nextScripted() {
		return this.script.poll();
	}

	private void handle(HttpExchange exchange) throws IOException {
		long arrivedAt = System.nanoTime();
		String body;
		try (InputStream in = exchange.getRequestBody()) {
			body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		String path = exchange.getRequestURI().getPath();
		this.arrivals.add(new Arrival(arrivedAt, exchange.getRequestMethod(), path, body));
		try (exchange) {
			Scripted scripted = path.startsWith("/other") ? null : nextScripted();
			if (scripted != null) {
				scripted.headers().forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
				send(exchange, scripted.status(), "application/json",
						"{\"error\":{\"type\":\"rate_limit_error\",\"message\":\"slow down\"}}");
				return;
			}
			boolean stream = STREAM.matcher(body).find();
			if (path.endsWith("/chat/completions")) {
				rateLimitHeaders(exchange);
				if (stream) {
					stream(exchange, OpenAi.chunks());
				}
				else {
					send(exchange, 200, "application/json", OpenAi.COMPLETION);
				}
			}
			else if (path.endsWith("/messages")) {
				if (stream) {
					stream(exchange, Anthropic.events());
				}
				else {
					send(exchange, 200, "application/json", Anthropic.MESSAGE);
				}
			}
			else {
				send(exchange, 200, "application/json", "{\"ok\":true}");
			}
		}
	}

	private static void rateLimitHeaders(HttpExchange exchange) {
		exchange.getResponseHeaders().add("x-ratelimit-limit-requests", "10000");
		exchange.getResponseHeaders().add("x-ratelimit-remaining-requests", "9999");
		exchange.getResponseHeaders().add("x-ratelimit-reset-requests", "6ms");
	}

	private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
		byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
		exchange.getResponseHeaders().add("Content-Type", contentType);
		exchange.sendResponseHeaders(status, bytes.length);
		try (OutputStream out = exchange.getResponseBody()) {
			out.write(bytes);
		}
	}

	private void stream(HttpExchange exchange, List<String> events) throws IOException {
		exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
		exchange.sendResponseHeaders(200, 0);
		int open = this.openStreams.incrementAndGet();
		this.maxOpenStreams.accumulateAndGet(open, Math::max);
		try (OutputStream out = exchange.getResponseBody()) {
			for (int i = 0; i < events.size(); i++) {
				out.write(events.get(i).getBytes(StandardCharsets.UTF_8));
				out.flush();
				if (i == 0 && this.holdStreams) {
					awaitRelease();
				}
			}
		}
		finally {
			this.openStreams.decrementAndGet();
		}
	}

	private void awaitRelease() {
		try {
			if (!this.streamReleases.tryAcquire(Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS)) {
				throw new IllegalStateException("A held stream was never released");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	@Override
	public void close() {
		this.releaseAllStreams();
		this.server.stop(0);
		this.threads.shutdownNow();
	}

	/**
	 * A request as it arrived.
	 *
	 * @param nanos when ({@link System#nanoTime()})
	 * @param method the method
	 * @param path the path
	 * @param body the body
	 */
	record Arrival(long nanos, String method, String path, String body) {

	}

	private record Scripted(int status, Map<String, String> headers) {

	}

	private static final class OpenAi {

		static final String COMPLETION = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,"
				+ "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
				+ "\"content\":\"Hello from the fake provider\",\"refusal\":null},\"logprobs\":null,"
				+ "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":12,"
				+ "\"total_tokens\":" + OPENAI_TOTAL_TOKENS + "}}";

		static List<String> chunks() {
			String prefix = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
					+ "\"model\":\"gpt-4o-mini\",";
			return List.of(
					event(prefix + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hello\"},"
							+ "\"logprobs\":null,\"finish_reason\":null}]}"),
					event(prefix + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\" there\"},\"logprobs\":null,"
							+ "\"finish_reason\":null}]}"),
					event(prefix + "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,"
							+ "\"finish_reason\":\"stop\"}]}"),
					event(prefix + "\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":12,"
							+ "\"total_tokens\":" + OPENAI_TOTAL_TOKENS + "}}"),
					event("[DONE]"));
		}

		private static String event(String data) {
			return "data: " + data + "\n\n";
		}

	}

	private static final class Anthropic {

		static final String MESSAGE = "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\","
				+ "\"model\":\"claude-sonnet-4-5\",\"content\":[{\"type\":\"text\",\"text\":\"Hello from the fake provider\"}],"
				+ "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":"
				+ ANTHROPIC_INPUT_TOKENS + ",\"output_tokens\":" + ANTHROPIC_OUTPUT_TOKENS + "}}";

		static List<String> events() {
			return List.of(
					event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
							+ "\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],\"stop_reason\":null,"
							+ "\"stop_sequence\":null,\"usage\":{\"input_tokens\":" + ANTHROPIC_INPUT_TOKENS
							+ ",\"output_tokens\":1}}}"),
					event("content_block_start",
							"{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}"),
					event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
							+ "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello there\"}}"),
					event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}"),
					event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\","
							+ "\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + ANTHROPIC_OUTPUT_TOKENS + "}}"),
					event("message_stop", "{\"type\":\"message_stop\"}"));
		}

		private static String event(String type, String data) {
			return "event: " + type + "\ndata: " + data + "\n\n";
		}

	}

}
