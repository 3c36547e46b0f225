package io.lionfuncs.network.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.LoopResources;
import reactor.test.StepVerifier;

/**
 * A loopback server that streams its answers chunk by chunk, for the streaming tests:
 * each request is answered by a {@link Reply} the test chooses, whose chunks the test
 * emits itself ({@link #manual}) or that follow one another at a fixed pace, and that may
 * end by resetting or closing the connection. The server keeps a log of what it saw, in
 * order: {@code arrived N}, {@code ending N} (the last chunk given, the end of the
 * response not yet written), {@code ended N} (the end of the response written),
 * {@code cancelled N} (the client closed the connection mid-stream), so that tests can
 * tell from the server's side when a request arrived and when a connection closed.
 * <p>
 * It runs on event loops of its own and uses no Reactor scheduler unless a reply is
 * paced, so that tests on virtual time can drive manual replies.
 */
final class StreamingUpstream implements AutoCloseable {

	private final LoopResources loops;

	private final DisposableServer server;

	private final List<String> log = new CopyOnWriteArrayList<>();

	private final List<String> bodies = new CopyOnWriteArrayList<>();

	private final AtomicInteger arrivals = new AtomicInteger();

	private final AtomicInteger open = new AtomicInteger();

	private final AtomicInteger mostOpen = new AtomicInteger();

	private final AtomicInteger closedConnections = new AtomicInteger();

	private final Set<Channel> channels = ConcurrentHashMap.newKeySet();

	private volatile Function<Integer, Reply> replies;

	StreamingUpstream(Function<Integer, Reply> replies) {
		this.replies = replies;
		this.loops = LoopResources.create("streaming-upstream", 2, true);
		this.server = HttpServer.create()
			.host("127.0.0.1")
			.port(0)
			.runOn(this.loops)
			.doOnConnection((connection) -> {
				Channel channel = connection.channel();
				if (this.channels.add(channel)) {
					channel.closeFuture().addListener((closed) -> this.closedConnections.incrementAndGet());
				}
			})
			.handle((request, response) -> request.receive().aggregate().asString(StandardCharsets.UTF_8)
				.defaultIfEmpty("")
				.flatMap((body) -> {
					int number = this.arrivals.incrementAndGet();
					this.bodies.add(body);
					this.log.add("arrived " + number);
					this.mostOpen.accumulateAndGet(this.open.incrementAndGet(), Math::max);
					Reply reply = this.replies.apply(number);
					response.withConnection((connection) -> reply.connected().accept(connection.channel()));
					response.status(reply.status());
					reply.headers().forEach(response::header);
					Flux<String> chunks = reply.chunks().doOnComplete(() -> this.log.add("ending " + number));
					if (reply.ending() != Ending.END) {
						chunks = chunks.concatWith(Flux.defer(() -> {
							response.withConnection((connection) -> kill(connection.channel(), reply.ending()));
							return Flux.never();
						}));
					}
					return response.sendString(chunks, StandardCharsets.UTF_8)
						.then()
						.doOnSuccess((done) -> this.log.add("ended " + number))
						.doOnCancel(() -> this.log.add("cancelled " + number))
						.doOnError((ex) -> this.log.add("cancelled " + number))
						.doFinally((signal) -> this.open.decrementAndGet());
				}))
			.bindNow();
	}

	private static void kill(Channel channel, Ending ending) {
		if (ending == Ending.RESET) {
			channel.config().setOption(ChannelOption.SO_LINGER, 0);
		}
		channel.close();
	}

	String baseUrl() {
		return "http://127.0.0.1:" + this.server.port();
	}

	void replies(Function<Integer, Reply> replies) {
		this.replies = replies;
	}

	/** What the server saw, in order. */
	List<String> log() {
		return List.copyOf(this.log);
	}

	/** The request bodies, in order of arrival. */
	List<String> bodies() {
		return List.copyOf(this.bodies);
	}

	int arrivals() {
		return this.arrivals.get();
	}

	/** Responses being sent now. */
	int open() {
		return this.open.get();
	}

	/** The most responses sent at once so far. */
	int mostOpen() {
		return this.mostOpen.get();
	}

	/** Connections accepted so far. */
	int connections() {
		return this.channels.size();
	}

	/** Connections closed so far, by either side. */
	int closedConnections() {
		return this.closedConnections.get();
	}

	@Override
	public void close() {
		this.server.disposeNow(Duration.ofSeconds(10));
		this.loops.disposeLater().block(Duration.ofSeconds(10));
	}

	// ---------------------------------------------------------------- replies

	/**
	 * How a reply ends after its chunks.
	 */
	enum Ending {

		/** The response ends normally. */
		END,

		/** The connection is reset (RST) before the response ends. */
		RESET,

		/** The connection is closed (FIN) before the response ends. */
		CLOSE

	}

	/**
	 * One answer.
	 *
	 * @param status the status
	 * @param headers the headers
	 * @param chunks the body, chunk by chunk
	 * @param ending how it ends
	 * @param connected told of the connection the reply is sent on
	 */
	record Reply(int status, Map<String, String> headers, Flux<String> chunks, Ending ending,
			Consumer<Channel> connected) {

		Reply(int status, Map<String, String> headers, Flux<String> chunks, Ending ending) {
			this(status, headers, chunks, ending, (channel) -> {
			});
		}

		static Reply eventStream(Flux<String> chunks) {
			return new Reply(200, Map.of("Content-Type", "text/event-stream"), chunks, Ending.END);
		}

		static Reply eventStream(List<String> chunks, Duration pace) {
			return eventStream(paced(chunks, pace));
		}

		static Reply ndjson(List<String> lines, Duration pace) {
			return new Reply(200, Map.of("Content-Type", "application/x-ndjson"), paced(lines, pace), Ending.END);
		}

		static Reply status(int status, Map<String, String> headers, String body) {
			return new Reply(status, headers, Flux.just(body), Ending.END);
		}

		Reply endingWith(Ending ending) {
			return new Reply(this.status, this.headers, this.chunks, ending, this.connected);
		}

		private static Flux<String> paced(List<String> chunks, Duration pace) {
			// Off the event loop and one at a time, as a model produces tokens
			// (reactor/reactor-netty#4361 for why never synchronously).
			return Flux.fromIterable(chunks).delayElements(pace);
		}

	}

	/**
	 * A reply whose chunks the test sends.
	 */
	static final class Manual {

		private static final Duration STARTED_WITHIN = Duration.ofSeconds(30);

		private final Sinks.Many<String> chunks = Sinks.many().unicast().onBackpressureBuffer();

		private final Sinks.Empty<Void> started = Sinks.empty();

		private volatile @Nullable Channel channel;

		Reply reply() {
			return new Reply(200, Map.of("Content-Type", "text/event-stream"),
					this.chunks.asFlux().doOnSubscribe((subscription) -> this.started.tryEmitEmpty()), Ending.END,
					(channel) -> this.channel = channel);
		}

		/** Completes once the server has started answering. */
		Mono<Void> started() {
			return this.started.asMono();
		}

		void send(String chunk) {
			this.chunks.emitNext(chunk, Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(5)));
		}

		void end() {
			this.chunks.emitComplete(Sinks.EmitFailureHandler.busyLooping(Duration.ofSeconds(5)));
		}

		/**
		 * Verifies {@code events} step by step, starting once this reply has started and
		 * {@code chunk} has been sent.
		 */
		<T> StepVerifier.Step<T> readAfterSending(Publisher<T> events, String chunk) {
			return StepVerifier.create(events).then(() -> started().block(STARTED_WITHIN)).then(() -> send(chunk));
		}

		/** Resets or closes the connection in the middle of the reply. */
		void kill(Ending ending) {
			Channel current = this.channel;
			if (current == null) {
				throw new IllegalStateException("The reply has not started");
			}
			StreamingUpstream.kill(current, ending);
		}

	}

	static Manual manual() {
		return new Manual();
	}

	/**
	 * An upstream whose every reply is the one given, which the test writes.
	 */
	static StreamingUpstream serving(Manual reply) {
		return new StreamingUpstream((n) -> reply.reply());
	}

	// ---------------------------------------------------------------- provider formats

	/** OpenAI chat completion chunks: one per word, a usage chunk if asked, then [DONE]. */
	static List<String> openAi(List<String> words, long promptTokens, long completionTokens, boolean usage) {
		List<String> chunks = new ArrayList<>();
		for (String word : words) {
			chunks.add("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,"
					+ "\"delta\":{\"content\":\"" + word + "\"}}]" + (usage ? ",\"usage\":null" : "") + "}\n\n");
		}
		if (usage) {
			chunks.add("data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{"
					+ "\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":" + completionTokens
					+ ",\"total_tokens\":" + (promptTokens + completionTokens) + "}}\n\n");
		}
		chunks.add("data: [DONE]\n\n");
		return chunks;
	}

	/** Anthropic message events: message_start with input tokens, deltas, message_delta with output tokens. */
	static List<String> anthropic(List<String> words, long inputTokens, long outputTokens) {
		List<String> chunks = new ArrayList<>();
		chunks.add(anthropicStart(inputTokens));
		for (String word : words) {
			chunks.add("event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
					+ "\"delta\":{\"type\":\"text_delta\",\"text\":\"" + word + "\"}}\n\n");
		}
		chunks.add(anthropicDelta(outputTokens));
		chunks.add("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
		return chunks;
	}

	static String anthropicStart(long inputTokens) {
		return "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
				+ "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"usage\":{\"input_tokens\":" + inputTokens
				+ ",\"output_tokens\":1}}}\n\n";
	}

	static String anthropicDelta(long outputTokens) {
		return "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},"
				+ "\"usage\":{\"output_tokens\":" + outputTokens + "}}\n\n";
	}

	/** Ollama's NDJSON: one object per word, the last with the counts. */
	static List<String> ollama(List<String> words, long promptEvalCount, long evalCount) {
		List<String> lines = new ArrayList<>();
		for (String word : words) {
			lines.add("{\"model\":\"llama3\",\"message\":{\"role\":\"assistant\",\"content\":\"" + word
					+ "\"},\"done\":false}\n");
		}
		lines.add("{\"model\":\"llama3\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,"
				+ "\"prompt_eval_count\":" + promptEvalCount + ",\"eval_count\":" + evalCount + "}\n");
		return lines;
	}

}
