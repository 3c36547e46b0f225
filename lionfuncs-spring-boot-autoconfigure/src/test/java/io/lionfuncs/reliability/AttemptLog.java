package io.lionfuncs.reliability;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import reactor.core.publisher.Mono;

import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;

/**
 * A WebClient filter that numbers every HTTP attempt of a call (the call is named by
 * its {@value Upstream#CALL_ID} header), sends the number as {@value Upstream#ATTEMPT}
 * so that the upstream logs it, and records what the client saw of each attempt: a
 * response head with its status, a transport error, or a cancellation (the attempt's
 * timeout or the caller). The client's and the server's view of every attempt can
 * then be compared one by one.
 */
final class AttemptLog implements ExchangeFilterFunction {

	private final Map<String, AtomicInteger> issued = new ConcurrentHashMap<>();

	private final Map<String, AtomicReference<Seen>> seen = new ConcurrentHashMap<>();

	@Override
	public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
		String callId = request.headers().getFirst(Upstream.CALL_ID);
		if (callId == null) {
			return next.exchange(request);
		}
		int attempt = this.issued.computeIfAbsent(callId, (id) -> new AtomicInteger()).incrementAndGet();
		AtomicReference<Seen> outcome = new AtomicReference<>(Seen.PENDING);
		this.seen.put(key(callId, attempt), outcome);
		ClientRequest numbered = ClientRequest.from(request)
			.header(Upstream.ATTEMPT, String.valueOf(attempt))
			.build();
		return next.exchange(numbered).map((response) -> {
			int status = response.statusCode().value();
			outcome.compareAndSet(Seen.PENDING, new Seen(Seen.Kind.RESPONSE, status, Seen.Body.READING));
			return response.mutate()
				.body((body) -> body.doOnComplete(() -> bodyEnded(outcome, status, Seen.Body.COMPLETE))
					.doOnError((ex) -> bodyEnded(outcome, status, Seen.Body.FAILED))
					.doOnCancel(() -> bodyEnded(outcome, status, Seen.Body.CANCELLED)))
				.build();
		})
			.doOnError((ex) -> outcome.compareAndSet(Seen.PENDING, new Seen(Seen.Kind.ERROR, 0, Seen.Body.NONE)))
			.doOnCancel(() -> outcome.compareAndSet(Seen.PENDING, new Seen(Seen.Kind.CANCELLED, 0, Seen.Body.NONE)));
	}

	private static void bodyEnded(AtomicReference<Seen> outcome, int status, Seen.Body body) {
		outcome.updateAndGet((current) -> (current.body() == Seen.Body.READING)
				? new Seen(Seen.Kind.RESPONSE, status, body) : current);
	}

	/** HTTP attempts the client made for a call. */
	int issued(String callId) {
		AtomicInteger count = this.issued.get(callId);
		return (count != null) ? count.get() : 0;
	}

	/** What the client saw of one attempt. */
	Seen seen(String callId, int attempt) {
		AtomicReference<Seen> outcome = this.seen.get(key(callId, attempt));
		return (outcome != null) ? outcome.get() : Seen.PENDING;
	}

	int total() {
		return this.issued.values().stream().mapToInt(AtomicInteger::get).sum();
	}

	private static String key(String callId, int attempt) {
		return callId + "/" + attempt;
	}

	/**
	 * The client's view of one attempt.
	 * @param kind a response head, an error before it, a cancellation before it, or
	 * nothing yet
	 * @param status the response status
	 * @param body how reading the body of a response ended
	 */
	record Seen(Kind kind, int status, Body body) {

		static final Seen PENDING = new Seen(Kind.PENDING, 0, Body.NONE);

		/** Whether the connection failed under the attempt, before or during its response. */
		boolean lostConnection() {
			return this.kind == Kind.ERROR || this.body == Body.FAILED;
		}

		/** A response whose body was read to the end. */
		boolean isComplete(int expectedStatus) {
			return this.kind == Kind.RESPONSE && this.status == expectedStatus && this.body == Body.COMPLETE;
		}

		enum Kind {

			PENDING, RESPONSE, ERROR, CANCELLED

		}

		enum Body {

			NONE, READING, COMPLETE, FAILED, CANCELLED

		}

	}

}
