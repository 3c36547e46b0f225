package io.lionfuncs.benchmarks.report;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import io.lionfuncs.network.client.AsyncApiClient;
import io.lionfuncs.network.client.CircuitBreakerSettings;
import io.lionfuncs.network.client.RetrySettings;
import io.netty.channel.ChannelOption;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * What the scenarios measuring the client's overhead against a raw {@link WebClient}
 * share: both sides on Reactor Netty pools of the same settings, the client configured
 * as the starter configures its default one, and rounds run side by side in rotating
 * order after a warm-up of each side.
 */
final class ClientOverhead {

	private static final Duration MAX_IDLE_TIME = AsyncApiClient.DEFAULT_MAX_IDLE_TIME;

	private ClientOverhead() {
	}

	/**
	 * A pool like the one the client builds by default, sized for the load.
	 */
	static ConnectionProvider pool(String name, int maxConnections) {
		return ConnectionProvider.builder(name)
			.maxConnections(maxConnections)
			.maxIdleTime(MAX_IDLE_TIME)
			.evictInBackground(MAX_IDLE_TIME.dividedBy(4))
			.build();
	}

	/**
	 * A client as the starter configures its default one: circuit breaker and retry with
	 * their defaults, the default timeout per attempt.
	 */
	static AsyncApiClient defaultClient(String name, String baseUrl, ConnectionProvider pool) {
		return AsyncApiClient.builder()
			.name(name)
			.baseUrl(baseUrl)
			.connectionProvider(pool)
			.circuitBreaker(CircuitBreakerSettings.defaults())
			.retry(RetrySettings.defaults())
			.build();
	}

	/**
	 * A plain {@link WebClient} on the pool given, with the client's connect timeout.
	 */
	static WebClient rawWebClient(String baseUrl, ConnectionProvider pool) {
		return WebClient.builder()
			.baseUrl(baseUrl)
			.clientConnector(new ReactorClientHttpConnector(HttpClient.create(pool)
				.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) AsyncApiClient.DEFAULT_TIMEOUT.toMillis())))
			.build();
	}

	static void dispose(ConnectionProvider... pools) {
		for (ConnectionProvider pool : pools) {
			pool.disposeLater().block(Duration.ofSeconds(10));
		}
	}

	/**
	 * Runs a round of every side until both {@code warmupRounds} rounds and
	 * {@code warmupNanos} have passed (until each is compiled and the heap has grown to
	 * the load), then {@code rounds} rounds of each, rotating which side goes first so
	 * that none always inherits another's garbage.
	 * @return the measured rounds of each side, in the order of {@code sides}
	 */
	static <R> List<List<R>> rotatingRounds(List<Supplier<R>> sides, int warmupRounds, long warmupNanos,
			int rounds) {
		long warmupStarted = System.nanoTime();
		for (int i = 0; i < warmupRounds || System.nanoTime() - warmupStarted < warmupNanos; i++) {
			sides.forEach(Supplier::get);
		}
		List<List<R>> measured = new ArrayList<>();
		sides.forEach((side) -> measured.add(new ArrayList<>()));
		for (int i = 0; i < rounds; i++) {
			for (int j = 0; j < sides.size(); j++) {
				int side = (i + j) % sides.size();
				measured.get(side).add(sides.get(side).get());
			}
		}
		return measured;
	}

}
