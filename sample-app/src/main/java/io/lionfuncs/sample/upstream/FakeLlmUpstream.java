package io.lionfuncs.sample.upstream;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * A fake LLM chat-completions API: answers with a body carrying {@code usage} token
 * counts, or for {@code "stream": true} with OpenAI-style streamed chunks (and their usage
 * chunk when asked for), and OpenAI-style {@code x-ratelimit-*} headers, enforces its own requests per
 * second and tokens per minute (429 with {@code Retry-After} when a client is too fast),
 * and injects faults (errors, latency) on demand.
 * <p>
 * Limits are checked when a request arrives, as a provider's gateway does; the latency
 * is added to admitted requests only. Every answer, a refusal included, is sent from a
 * timer rather than from the thread that read the request, like a remote service's: Reactor
 * Netty 1.3.6 can stall a keep-alive connection when a request that arrived early is
 * answered at once (reactor/reactor-netty#4361).
 */
public class FakeLlmUpstream {

	private static final int DEFAULT_MAX_TOKENS = 256;

	private static final String ANSWER = "This is a fake answer.";

	private final UpstreamProperties configured;

	private final AtomicLong served = new AtomicLong();

	private final AtomicLong throttled = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private final AtomicLong streamed = new AtomicLong();

	private volatile Limits limits;

	private volatile Faults faults;

	public FakeLlmUpstream(UpstreamProperties properties) {
		this.configured = properties;
		this.limits = new Limits(properties.getRequestsPerSecond(), properties.getTokensPerMinute());
		this.faults = new Faults(properties.getErrorRate(), properties.getLatency());
	}

	/**
	 * {@code POST /upstream/v1/chat/completions}.
	 * @param request the request
	 * @return the completion, a 429 when the client is too fast, a 413 for a body
	 * larger than the codecs read, or an injected 503
	 */
	public Mono<ServerResponse> chatCompletions(ServerRequest request) {
		return request.bodyToMono(ChatRequest.class)
			.defaultIfEmpty(ChatRequest.EMPTY)
			.flatMap(this::answer)
			.onErrorResume(FakeLlmUpstream::isTooLarge, (ex) -> later(Duration.ZERO, error(HttpStatus.CONTENT_TOO_LARGE,
					"request_too_large", "Request body larger than the server reads (spring.codec.max-in-memory-size)")));
	}

	private static boolean isTooLarge(Throwable failure) {
		for (Throwable current = failure; current != null; current = current.getCause()) {
			if (current instanceof DataBufferLimitException) {
				return true;
			}
			if (current.getCause() == current) {
				break;
			}
		}
		return false;
	}

	private Mono<ServerResponse> answer(ChatRequest chat) {
		Limits current = this.limits;
		Faults faults = this.faults;
		long promptTokens = Math.max(1, chat.promptCharacters() / 4);
		long maxTokens = (chat.maxTokens() != null && chat.maxTokens() > 0) ? chat.maxTokens() : DEFAULT_MAX_TOKENS;
		long completionTokens = Math.max(1, Math.round(maxTokens * ThreadLocalRandom.current().nextDouble(0.3, 1.0)));
		long totalTokens = promptTokens + completionTokens;
		if (totalTokens > current.tokensPerMinute) {
			return later(Duration.ZERO, error(HttpStatus.BAD_REQUEST, "request_too_large", "Request needs "
					+ totalTokens + " tokens but the limit is " + current.tokensPerMinute + " tokens per minute"));
		}
		ConsumptionProbe requestProbe = current.requests.tryConsumeAndReturnRemaining(1);
		if (!requestProbe.isConsumed()) {
			return later(Duration.ZERO, tooManyRequests(current, requestProbe.getNanosToWaitForRefill()));
		}
		ConsumptionProbe tokenProbe = current.tokens.tryConsumeAndReturnRemaining(totalTokens);
		if (!tokenProbe.isConsumed()) {
			current.requests.addTokens(1);
			return later(Duration.ZERO, tooManyRequests(current, tokenProbe.getNanosToWaitForRefill()));
		}
		if (ThreadLocalRandom.current().nextDouble() < faults.errorRate()) {
			this.failed.incrementAndGet();
			return later(faults.latency(), error(HttpStatus.SERVICE_UNAVAILABLE, "server_error", "Injected fault"));
		}
		this.served.incrementAndGet();
		String id = "chatcmpl-" + UUID.randomUUID();
		String model = (chat.model() != null) ? chat.model() : "fake-1";
		if (chat.streamed()) {
			this.streamed.incrementAndGet();
			return later(faults.latency(),
					ServerResponse.ok()
						.contentType(MediaType.TEXT_EVENT_STREAM)
						.headers((headers) -> rateLimitHeaders(current, headers))
						.body(streamChunks(id, model, chat.includeUsage(), promptTokens, completionTokens), String.class));
		}
		Map<String, Object> message = new LinkedHashMap<>();
		message.put("role", "assistant");
		message.put("content", ANSWER);
		message.put("refusal", null);
		Map<String, Object> choice = new LinkedHashMap<>();
		choice.put("index", 0);
		choice.put("message", message);
		choice.put("logprobs", null);
		choice.put("finish_reason", "stop");
		Map<String, Object> body = completion(id, "chat.completion", model);
		body.put("choices", List.of(choice));
		body.put("usage",
				Map.of("prompt_tokens", promptTokens, "completion_tokens", completionTokens, "total_tokens", totalTokens));
		return later(faults.latency(),
				ServerResponse.ok()
					.contentType(MediaType.APPLICATION_JSON)
					.headers((headers) -> rateLimitHeaders(current, headers))
					.bodyValue(body));
	}

	/**
	 * An OpenAI-style stream: chunks of {@code chat.completion.chunk} carrying the answer
	 * a word at a time, one every {@code chunk-delay}, then, when the request asked for it
	 * with {@code stream_options.include_usage}, a chunk with the usage, then
	 * {@code [DONE]}: the data of the server-sent events WebFlux writes, one per chunk.
	 */
	private Flux<String> streamChunks(String id, String model, boolean usage, long promptTokens,
			long completionTokens) {
		int chunks = Math.max(1, this.configured.getStreamChunks());
		Duration delay = this.configured.getChunkDelay();
		Flux<String> words = Flux.range(0, chunks)
			.map((index) -> chunk(id, model, index, "word" + index + " ", usage))
			.delayElements(delay);
		Flux<String> end = Flux.just(chunk(id, model, chunks, null, usage));
		if (usage) {
			end = end.concatWith(Mono.fromSupplier(() -> {
				Map<String, Object> chunk = completion(id, "chat.completion.chunk", model);
				chunk.put("choices", List.of());
				chunk.put("usage", Map.of("prompt_tokens", promptTokens, "completion_tokens", completionTokens,
						"total_tokens", promptTokens + completionTokens));
				return json(chunk);
			}));
		}
		return words.concatWith(end).concatWith(Mono.just("[DONE]"));
	}

	private static String chunk(String id, String model, int index, @Nullable String content, boolean usage) {
		Map<String, Object> delta = (content != null) ? Map.of("content", content) : Map.of();
		Map<String, Object> choice = new LinkedHashMap<>();
		choice.put("index", 0);
		choice.put("delta", delta);
		choice.put("finish_reason", (content != null) ? null : "stop");
		Map<String, Object> chunk = completion(id, "chat.completion.chunk", model);
		chunk.put("choices", List.of(choice));
		if (usage) {
			// OpenAI's chunks before the last carry a null usage when usage is asked for.
			chunk.put("usage", null);
		}
		return json(chunk);
	}

	private static Map<String, Object> completion(String id, String object, String model) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("id", id);
		body.put("object", object);
		body.put("created", Instant.now().getEpochSecond());
		body.put("model", model);
		return body;
	}

	private static String json(Map<String, ?> data) {
		return JsonMapper.shared().writeValueAsString(data);
	}

	private static Mono<ServerResponse> later(Duration delay, Mono<ServerResponse> response) {
		return Mono.delay(delay).then(response);
	}

	private Mono<ServerResponse> tooManyRequests(Limits current, long nanosToWait) {
		this.throttled.incrementAndGet();
		// Whole seconds, rounded up: a client that waits this long finds room.
		long seconds = Math.max(1, (long) Math.ceil(nanosToWait / 1e9));
		return ServerResponse.status(HttpStatus.TOO_MANY_REQUESTS)
			.header(HttpHeaders.RETRY_AFTER, Long.toString(seconds))
			.headers((headers) -> rateLimitHeaders(current, headers))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(errorBody("rate_limit_exceeded", "Too many requests, retry after " + seconds + " s"));
	}

	private static Mono<ServerResponse> error(HttpStatus status, String type, String message) {
		return ServerResponse.status(status).contentType(MediaType.APPLICATION_JSON).bodyValue(errorBody(type, message));
	}

	private static Map<String, Object> errorBody(String type, String message) {
		return Map.of("error", Map.of("type", type, "message", message));
	}

	private static void rateLimitHeaders(Limits limits, HttpHeaders headers) {
		headers.set("x-ratelimit-limit-requests", Long.toString(limits.requestsPerSecond));
		headers.set("x-ratelimit-remaining-requests", Long.toString(Math.max(0, limits.requests.getAvailableTokens())));
		headers.set("x-ratelimit-reset-requests", openAiDuration(
				limits.requests.estimateAbilityToConsume(limits.requestsPerSecond).getNanosToWaitForRefill()));
		headers.set("x-ratelimit-limit-tokens", Long.toString(limits.tokensPerMinute));
		headers.set("x-ratelimit-remaining-tokens", Long.toString(Math.max(0, limits.tokens.getAvailableTokens())));
		headers.set("x-ratelimit-reset-tokens",
				openAiDuration(limits.tokens.estimateAbilityToConsume(limits.tokensPerMinute).getNanosToWaitForRefill()));
	}

	/**
	 * Formats a wait the way OpenAI does: {@code 20ms}, {@code 1s}, {@code 6m0s}.
	 * @param nanos the wait
	 * @return the formatted wait
	 */
	static String openAiDuration(long nanos) {
		long millis = Math.max(0, nanos / 1_000_000);
		if (millis < 1000) {
			return millis + "ms";
		}
		long seconds = Math.round(millis / 1000.0);
		return (seconds < 60) ? seconds + "s" : (seconds / 60) + "m" + (seconds % 60) + "s";
	}

	/**
	 * {@code GET /upstream/admin/faults}: the current limits, faults and counts.
	 * @param request the request
	 * @return the settings
	 */
	public Mono<ServerResponse> showFaults(ServerRequest request) {
		return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(settings());
	}

	/**
	 * {@code POST /upstream/admin/faults}: changes the limits and faults given as query
	 * parameters ({@code errorRate}, {@code latencyMs}, {@code requestsPerSecond},
	 * {@code tokensPerMinute}); the others keep their values. New limits start with full
	 * buckets.
	 * @param request the request
	 * @return the settings, or a 400 naming the first invalid parameter
	 */
	public Mono<ServerResponse> changeFaults(ServerRequest request) {
		try {
			Faults currentFaults = this.faults;
			Limits currentLimits = this.limits;
			double errorRate = parameter(request, "errorRate", currentFaults.errorRate(), 0, 1);
			long latencyMs = (long) parameter(request, "latencyMs", currentFaults.latency().toMillis(), 0, 60_000);
			int requestsPerSecond = (int) parameter(request, "requestsPerSecond", currentLimits.requestsPerSecond, 1,
					1_000_000);
			long tokensPerMinute = (long) parameter(request, "tokensPerMinute", currentLimits.tokensPerMinute, 1,
					1_000_000_000);
			this.faults = new Faults(errorRate, Duration.ofMillis(latencyMs));
			if (requestsPerSecond != currentLimits.requestsPerSecond
					|| tokensPerMinute != currentLimits.tokensPerMinute) {
				this.limits = new Limits(requestsPerSecond, tokensPerMinute);
			}
		}
		catch (IllegalArgumentException ex) {
			return error(HttpStatus.BAD_REQUEST, "invalid_request", ex.getMessage());
		}
		return showFaults(request);
	}

	/**
	 * {@code DELETE /upstream/admin/faults}: back to the configured limits and faults,
	 * with full buckets; the counts are kept.
	 * @param request the request
	 * @return the settings
	 */
	public Mono<ServerResponse> resetFaults(ServerRequest request) {
		this.faults = new Faults(this.configured.getErrorRate(), this.configured.getLatency());
		this.limits = new Limits(this.configured.getRequestsPerSecond(), this.configured.getTokensPerMinute());
		return showFaults(request);
	}

	private static double parameter(ServerRequest request, String name, double current, double min, double max) {
		String text = request.queryParam(name).orElse(null);
		if (text == null || text.isBlank()) {
			return current;
		}
		double value;
		try {
			value = Double.parseDouble(text);
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException(name + " must be a number but was '" + text + "'");
		}
		if (!(value >= min && value <= max)) {
			throw new IllegalArgumentException(name + " must be between " + format(min) + " and " + format(max)
					+ " but was " + text);
		}
		return value;
	}

	private static String format(double value) {
		return (value == Math.rint(value)) ? Long.toString((long) value) : Double.toString(value);
	}

	/**
	 * The current limits, faults and counts.
	 * @return the settings
	 */
	public UpstreamSettings settings() {
		Limits currentLimits = this.limits;
		Faults currentFaults = this.faults;
		return new UpstreamSettings(currentLimits.requestsPerSecond, currentLimits.tokensPerMinute,
				currentFaults.errorRate(), currentFaults.latency().toMillis(), this.served.get(), this.throttled.get(),
				this.failed.get(), this.streamed.get());
	}

	/**
	 * What the fake upstream does now, and what it has done.
	 *
	 * @param requestsPerSecond requests admitted per second
	 * @param tokensPerMinute tokens admitted per minute
	 * @param errorRate share of admitted requests answered with a 503
	 * @param latencyMs time taken to answer an admitted request
	 * @param served requests answered with a completion
	 * @param throttled requests answered with a 429
	 * @param failed requests answered with an injected 503
	 * @param streamed served requests answered with a stream ({@code "stream": true})
	 */
	public record UpstreamSettings(int requestsPerSecond, long tokensPerMinute, double errorRate, long latencyMs,
			long served, long throttled, long failed, long streamed) {
	}

	/**
	 * The body of a chat request, as far as the fake reads it.
	 *
	 * @param model the model
	 * @param messages the messages
	 * @param maxTokens the most completion tokens to produce
	 * @param stream whether to stream the answer
	 * @param streamOptions the stream's options, such as {@code include_usage}
	 */
	record ChatRequest(@Nullable String model, @Nullable List<Map<String, Object>> messages,
			@JsonProperty("max_tokens") @Nullable Integer maxTokens, @Nullable Boolean stream,
			@JsonProperty("stream_options") @Nullable Map<String, Object> streamOptions) {

		static final ChatRequest EMPTY = new ChatRequest(null, List.of(), null, null, null);

		boolean streamed() {
			return Boolean.TRUE.equals(this.stream);
		}

		boolean includeUsage() {
			return this.streamOptions != null && Boolean.TRUE.equals(this.streamOptions.get("include_usage"));
		}

		long promptCharacters() {
			if (this.messages == null) {
				return 0;
			}
			return this.messages.stream().mapToLong((message) -> String.valueOf(message.get("content")).length()).sum();
		}

	}

	private record Faults(double errorRate, Duration latency) {
	}

	private static final class Limits {

		final int requestsPerSecond;

		final long tokensPerMinute;

		final Bucket requests;

		final Bucket tokens;

		Limits(int requestsPerSecond, long tokensPerMinute) {
			this.requestsPerSecond = requestsPerSecond;
			this.tokensPerMinute = tokensPerMinute;
			this.requests = Bucket.builder()
				.addLimit(Bandwidth.builder()
					.capacity(requestsPerSecond)
					.refillGreedy(requestsPerSecond, Duration.ofSeconds(1))
					.build())
				.build();
			this.tokens = Bucket.builder()
				.addLimit(Bandwidth.builder()
					.capacity(tokensPerMinute)
					.refillGreedy(tokensPerMinute, Duration.ofMinutes(1))
					.build())
				.build();
		}

	}

}
