package io.lionfuncs.sample;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebFilter;
import org.springframework.web.server.WebFilterChain;

/**
 * Records, on the server side, when each call to the fake upstream's chat API arrived
 * and what it was answered, so that tests can compare arrival times against lower bounds.
 */
public class UpstreamExchanges implements WebFilter {

	private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();

	@Override
	public Mono<Void> filter(ServerWebExchange exchange, WebFilterChain chain) {
		if (!exchange.getRequest().getPath().value().equals("/upstream/v1/chat/completions")) {
			return chain.filter(exchange);
		}
		long arrivedNanos = System.nanoTime();
		exchange.getResponse().beforeCommit(() -> {
			HttpStatusCode status = exchange.getResponse().getStatusCode();
			this.exchanges.add(new Exchange(arrivedNanos, System.nanoTime(), (status != null) ? status.value() : 0,
					exchange.getResponse().getHeaders().getFirst(HttpHeaders.RETRY_AFTER)));
			return Mono.empty();
		});
		return chain.filter(exchange);
	}

	/**
	 * Forgets what was recorded.
	 */
	public void clear() {
		this.exchanges.clear();
	}

	/**
	 * The exchanges recorded so far, in the order they were answered.
	 * @return the exchanges
	 */
	public List<Exchange> exchanges() {
		return List.copyOf(this.exchanges);
	}

	/**
	 * One call to the chat API.
	 *
	 * @param arrivedNanos {@link System#nanoTime()} when the request arrived
	 * @param answeredNanos {@link System#nanoTime()} when the response was committed
	 * @param status the response status
	 * @param retryAfter the {@code Retry-After} header, if any
	 */
	public record Exchange(long arrivedNanos, long answeredNanos, int status, @Nullable String retryAfter) {
	}

}
