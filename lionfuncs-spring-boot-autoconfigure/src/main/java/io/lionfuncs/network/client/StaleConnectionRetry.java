package io.lionfuncs.network.client;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Predicate;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.util.context.ContextView;

import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;

/**
 * Sends an exchange once more, on another connection, when it failed before any response
 * because of the connection rather than the server's answer: the keep-alive race, where
 * the server closes an idle connection just as a request is written to it. Part of the
 * transport, below the circuit breaker and the retry, which never see it.
 * <ul>
 * <li>A request that provably was not sent (Reactor Netty: "closed BEFORE send
 * operation") is sent again, whatever its method.</li>
 * <li>An idempotent request ({@code GET}, {@code HEAD}, {@code OPTIONS}, {@code TRACE},
 * {@code PUT}, {@code DELETE}) is sent again when its connection had been waiting at
 * least {@link #STALE_AFTER} (idle in the pool, or open before its first request) and
 * was closed or reset before a response began. A {@code POST} or {@code PATCH} is not:
 * its request may have been read; the pool keeps connections idle for less than the
 * server's keep-alive instead ({@link ServerKeepAlive}).</li>
 * </ul>
 * A reset of a connection that was busy moments ago is the server's answer to the
 * request, and is left to the retry policy.
 */
final class StaleConnectionRetry implements ExchangeFilterFunction {

	/** How long a connection must have waited before a close is taken for a keep-alive race. */
	static final Duration STALE_AFTER = Duration.ofMillis(500);

	private static final Logger logger = LoggerFactory.getLogger(StaleConnectionRetry.class);

	private static final Class<Attempt> CONTEXT_KEY = Attempt.class;

	private static final String NOT_SENT = "Connection has been closed BEFORE send operation";

	private static final String BEFORE_RESPONSE = "BEFORE response";

	private static final String RESET = "Connection reset by peer";

	private static final int MAX_CAUSE_DEPTH = 16;

	private final String clientName;

	StaleConnectionRetry(String clientName) {
		this.clientName = clientName;
	}

	@Override
	public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
		return Mono.defer(() -> {
			Attempt first = new Attempt();
			return next.exchange(request)
				.contextWrite((context) -> context.put(CONTEXT_KEY, first))
				.onErrorResume((ex) -> first.isStale(request.method(), ex), (ex) -> {
					if (logger.isDebugEnabled()) {
						logger.debug("Client '{}': {} request failed on a connection the server had closed ({}); "
								+ "sending it on another connection", this.clientName, request.method(), ex.toString());
					}
					return next.exchange(request);
				});
		});
	}

	static @Nullable Attempt attempt(ContextView context) {
		return context.getOrDefault(CONTEXT_KEY, null);
	}

	/**
	 * What the transport tells of the connection an exchange was sent on.
	 */
	static final class Attempt {

		private volatile Duration waited = Duration.ZERO;

		/**
		 * The request is being sent.
		 * @param waited how long its connection had been idle, or open before its first
		 * request
		 */
		void sentOn(Duration waited) {
			this.waited = waited;
		}

		boolean isStale(HttpMethod method, Throwable failure) {
			if (hasCause(failure, StaleConnectionRetry::isNotSent)) {
				return true;
			}
			return ExchangeDetails.request(method.name(), "").isIdempotent() && this.waited.compareTo(STALE_AFTER) >= 0
					&& hasCause(failure, StaleConnectionRetry::isClosedBeforeResponse);
		}

	}

	/** Reactor Netty's {@code AbortedException} for a request it never wrote. */
	private static boolean isNotSent(Throwable cause) {
		return cause.getClass().getName().equals("reactor.netty.channel.AbortedException")
				&& NOT_SENT.equals(cause.getMessage());
	}

	private static boolean isClosedBeforeResponse(Throwable cause) {
		String message = cause.getMessage();
		return cause instanceof IOException && message != null
				&& (message.contains(BEFORE_RESPONSE) || message.contains(RESET));
	}

	private static boolean hasCause(Throwable failure, Predicate<Throwable> test) {
		Throwable current = failure;
		for (int depth = 0; current != null && depth < MAX_CAUSE_DEPTH; depth++) {
			if (test.test(current)) {
				return true;
			}
			current = (current.getCause() != current) ? current.getCause() : null;
		}
		return false;
	}

}
