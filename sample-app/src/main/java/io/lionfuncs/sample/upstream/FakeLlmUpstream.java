package io.lionfuncs.sample.upstream;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * A fake LLM chat-completions API: answers with a body carrying {@code usage} token
 * counts and OpenAI-style {@code x-ratelimit-*} headers, enforces its own requests per
 * second and tokens per minute (429 with {@code Retry-After} when a client is too fast),
 * and injects faults on demand.
 */
public class FakeLlmUpstream {

	private final AtomicLong served = new AtomicLong();

	private final AtomicLong throttled = new AtomicLong();

	private final AtomicLong failed = new AtomicLong();

	private volatile Limits limits;

	private volatile double errorRate;

	private volatile Duration latency;

	public FakeLlmUpstream(UpstreamProperties properties) {
		this.limits = new Limits(properties.getRequestsPerSecond(), properties.getTokensPerMinute());
		this.errorRate = properties.getErrorRate();
		this.latency = properties.getLatency();
	}

	/**
	 * {@code POST /upstream/v1/chat/completions}.
	 * @param request the request
	 * @return the response
	 */
	public Mono<ServerResponse> chatCompletions(ServerRequest request) {
		return request.bodyToMono(ChatRequest.class)
			.defaultIfEmpty(new ChatRequest(null, List.of(), 256))
			.flatMap((chat) -> Mono.delay(this.latency).then(answer(chat)));
	}

	private Mono<ServerResponse> answer(ChatRequest chat) {
		Limits current = this.limits;
		long promptTokens = Math.max(1, chat.promptCharacters() / 4);
		long maxTokens = (chat.max_tokens() != null && chat.max_tokens() > 0) ? chat.max_tokens() : 256;
		long completionTokens = Math.max(1,
				Math.round(maxTokens * ThreadLocalRandom.current().nextDouble(0.3, 1.0)));
		long totalTokens = promptTokens + completionTokens;
		ConsumptionProbe requestProbe = current.requests.tryConsumeAndReturnRemaining(1);
		if (!requestProbe.isConsumed()) {
			return tooManyRequests(current, requestProbe.getNanosToWaitForRefill());
		}
		ConsumptionProbe tokenProbe = current.tokens.tryConsumeAndReturnRemaining(totalTokens);
		if (!tokenProbe.isConsumed()) {
			current.requests.addTokens(1);
			return tooManyRequests(current, tokenProbe.getNanosToWaitForRefill());
		}
		if (ThreadLocalRandom.current().nextDouble() < this.errorRate) {
			this.failed.incrementAndGet();
			return ServerResponse.status(HttpStatus.SERVICE_UNAVAILABLE)
				.contentType(MediaType.APPLICATION_JSON)
				.bodyValue(Map.of("error", Map.of("type", "server_error", "message", "injected fault")));
		}
		this.served.incrementAndGet();
		Map<String, Object> body = Map.of("id", "chatcmpl-" + UUID.randomUUID(), "object", "chat.completion",
				"model", (chat.model() != null) ? chat.model() : "fake-1", "choices",
				List.of(Map.of("index", 0, "finish_reason", "stop", "message",
						Map.of("role", "assistant", "content", "This is a fake answer."))),
				"usage", Map.of("prompt_tokens", promptTokens, "completion_tokens", completionTokens, "total_tokens",
						totalTokens));
		return ServerResponse.ok()
			.contentType(MediaType.APPLICATION_JSON)
			.headers((headers) -> rateLimitHeaders(current, headers))
			.bodyValue(body);
	}

	private Mono<ServerResponse> tooManyRequests(Limits current, long nanosToWait) {
		this.throttled.incrementAndGet();
		long seconds = Math.max(1, (long) Math.ceil(nanosToWait / 1e9));
		return ServerResponse.status(HttpStatus.TOO_MANY_REQUESTS)
			.header("Retry-After", Long.toString(seconds))
			.headers((headers) -> rateLimitHeaders(current, headers))
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue(Map.of("error", Map.of("type", "rate_limit_exceeded", "message", "Too many requests")));
	}

	private static void rateLimitHeaders(Limits limits, org.springframework.http.HttpHeaders headers) {
		long remainingRequests = Math.max(0, limits.requests.getAvailableTokens());
		long remainingTokens = Math.max(0, limits.tokens.getAvailableTokens());
		headers.set("x-ratelimit-limit-requests", Long.toString(limits.requestsPerSecond));
		headers.set("x-ratelimit-remaining-requests", Long.toString(remainingRequests));
		headers.set("x-ratelimit-reset-requests",
				openAiDuration(limits.requests.estimateAbilityToConsume(limits.requestsPerSecond).getNanosToWaitForRefill()));
		headers.set("x-ratelimit-limit-tokens", Long.toString(limits.tokensPerMinute));
		headers.set("x-ratelimit-remaining-tokens", Long.toString(remainingTokens));
		headers.set("x-ratelimit-reset-tokens",
				openAiDuration(limits.tokens.estimateAbilityToConsume(limits.tokensPerMinute).getNanosToWaitForRefill()));
	}

	/**
	 * Formats a wait the way OpenAI does: {@code 20ms}, {@code 1s}, {@code 6m0s}.
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
	 * {@code GET|POST /upstream/admin/faults}: reads or changes the limits and faults.
	 * @param request the request, with optional parameters {@code errorRate},
	 * {@code latencyMs}, {@code requestsPerSecond}, {@code tokensPerMinute}
	 * @return the current settings
	 */
	public Mono<ServerResponse> faults(ServerRequest request) {
		request.queryParam("errorRate").map(Double::parseDouble).ifPresent((rate) -> this.errorRate = rate);
		request.queryParam("latencyMs").map(Long::parseLong).ifPresent((ms) -> this.latency = Duration.ofMillis(ms));
		Limits current = this.limits;
		int requestsPerSecond = request.queryParam("requestsPerSecond")
			.map(Integer::parseInt)
			.orElse(current.requestsPerSecond);
		long tokensPerMinute = request.queryParam("tokensPerMinute")
			.map(Long::parseLong)
			.orElse(current.tokensPerMinute);
		if (requestsPerSecond != current.requestsPerSecond || tokensPerMinute != current.tokensPerMinute) {
			this.limits = new Limits(requestsPerSecond, tokensPerMinute);
		}
		return ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(settings());
	}

	/**
	 * The current limits, faults and counts.
	 * @return the settings
	 */
	public Map<String, Object> settings() {
		Limits current = this.limits;
		return Map.of("requestsPerSecond", current.requestsPerSecond, "tokensPerMinute", current.tokensPerMinute,
				"errorRate", this.errorRate, "latencyMs", this.latency.toMillis(), "served", this.served.get(),
				"throttled", this.throttled.get(), "failed", this.failed.get());
	}

	/**
	 * The body of a chat request, as far as the fake reads it.
	 *
	 * @param model the model
	 * @param messages the messages
	 * @param max_tokens the most completion tokens to produce
	 */
	record ChatRequest(String model, List<Map<String, Object>> messages, Integer max_tokens) {

		long promptCharacters() {
			if (this.messages == null) {
				return 0;
			}
			return this.messages.stream().mapToLong((message) -> String.valueOf(message.get("content")).length()).sum();
		}

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
