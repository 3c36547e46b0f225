package io.lionfuncs.reliability;

import java.time.Duration;
import java.util.List;

import io.lionfuncs.reliability.Upstream.Received;
import io.lionfuncs.reliability.Upstream.Reply;
import io.lionfuncs.testsupport.SlidingWindows;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Flux;
import reactor.netty.http.client.HttpClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The precision promise where the provider judges it: at the server, by arrival time,
 * from the first call of a cold JVM. An application with the starter is started in a
 * fresh JVM and fires its calls the instant it has started; a local server in front of
 * which sits a strict token bucket of the executor's rate and its burst plus
 * {@value #SPARE} (an independent limiter configured like the executor, with room for the
 * network) answers 429 beyond it. The connection set-up and class loading of a cold JVM
 * must not bunch the first calls: none is rejected, and no window at the server holds
 * more than the limiter allows.
 */
@Tag("slow")
@ExtendWith(SuiteDuration.class)
class ColdStartPrecisionTests {

	private static final int RATE = 50;

	private static final int BURST = 5;

	private static final int SPARE = 3;

	private static final int CALLS = 100;

	private static final Duration CHILD_TIMEOUT = Duration.ofMinutes(2);

	private static final List<Duration> WINDOWS = List.of(Duration.ofMillis(100), Duration.ofSeconds(1));

	@Test
	void aColdStartSendsItsFirstCallsNoFasterThanTheBucketAllowsAtTheServer() throws Exception {
		Figures figures = Figures.start("cold-start-precision");
		StrictLimiter limiter = new StrictLimiter(BURST + SPARE, RATE);
		try (Upstream upstream = new Upstream("cold-start", (request) -> limiter.admit(System.nanoTime())
				? Reply.ok() : Reply.status(429))) {
			warmUp(upstream);
			limiter.refill();
			int warmUpRequests = upstream.requests();
			try (ChildJvm child = ChildJvm.start(ColdStartingChild.class, upstream.baseUrl(), Integer.toString(RATE),
					Integer.toString(BURST), Integer.toString(CALLS))) {
				String done = child.awaitLine((line) -> line.startsWith("DONE "), CHILD_TIMEOUT);
				List<Received> arrivals = upstream.received().subList(warmUpRequests, upstream.requests());
				long rejected = arrivals.stream().filter((arrival) -> arrival.reply().status() == 429).count();
				figures.put("calls", CALLS)
					.put("arrivals", arrivals.size())
					.put("rejected", rejected);
				for (Duration window : WINDOWS) {
					long busiest = SlidingWindows.busiest(arrivals, Received::arrivalNanos, (arrival) -> 1, window);
					double bound = BURST + RATE * window.toNanos() / 1e9;
					figures.put("busiest" + window.toMillis() + "ms", busiest + "/" + bound);
					assertThat((double) busiest).as("busiest window of %s at the server", window)
						.isLessThanOrEqualTo(bound + SPARE);
				}
				assertThat(rejected).as("requests the strict limiter rejected").isZero();
				assertThat(arrivals).hasSize(CALLS);
				assertThat(done).isEqualTo("DONE " + CALLS + " 0");
				figures.report();
			}
		}
	}

	/**
	 * Loads and compiles the server's own code, so that the server is not what judges
	 * the child's first calls late.
	 */
	private static void warmUp(Upstream upstream) {
		HttpClient client = HttpClient.create().baseUrl(upstream.baseUrl());
		Flux.range(0, 300)
			.flatMap((i) -> client.get().uri("/warm-up").responseContent().aggregate().asString(), 4)
			.blockLast(Duration.ofMinutes(1));
	}

	/**
	 * A token bucket judged at arrival: a request takes a token if one is there, and is
	 * rejected otherwise.
	 */
	private static final class StrictLimiter {

		private final double capacity;

		private final double tokensPerNano;

		private double tokens;

		private long updated = System.nanoTime();

		StrictLimiter(double capacity, double perSecond) {
			this.capacity = capacity;
			this.tokensPerNano = perSecond / 1e9;
		}

		synchronized void refill() {
			this.tokens = this.capacity;
			this.updated = System.nanoTime();
		}

		synchronized boolean admit(long now) {
			this.tokens = Math.min(this.capacity, this.tokens + Math.max(0, now - this.updated) * this.tokensPerNano);
			this.updated = Math.max(this.updated, now);
			if (this.tokens < 1) {
				return false;
			}
			this.tokens -= 1;
			return true;
		}

	}

}
