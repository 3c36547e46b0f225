package io.lionfuncs.benchmarks.jmh;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.local.SynchronizationStrategy;
import io.lionfuncs.network.limit.BucketSettings;
import io.lionfuncs.network.limit.LocalTokenBucket;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reserving one token in a {@link LocalTokenBucket} that never runs dry (the fastest
 * refill Bucket4j supports), alone and from two threads, beside the two Bucket4j
 * synchronization strategies it could sit on: the lock-free one copies the bucket's
 * state on every reservation, the synchronized one (used) does not.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TokenBucketBenchmark {

	private static final BucketSettings NEVER_DRY = new BucketSettings(1_000_000_000L, 1_000_000_000,
			Duration.ofSeconds(1));

	private final LocalTokenBucket bucket = new LocalTokenBucket(NEVER_DRY);

	private final Bucket lockFree = bucket4j(SynchronizationStrategy.LOCK_FREE);

	private final Bucket synchronizedBucket = bucket4j(SynchronizationStrategy.SYNCHRONIZED);

	private final Bucket unsynchronized = bucket4j(SynchronizationStrategy.NONE);

	private static Bucket bucket4j(SynchronizationStrategy strategy) {
		return Bucket.builder()
			.addLimit(LocalTokenBucket.bandwidth(NEVER_DRY))
			.withSynchronizationStrategy(strategy)
			.build();
	}

	@Benchmark
	public long reserve() {
		return this.bucket.reserve(1);
	}

	@Benchmark
	@Threads(2)
	public long reserveFromTwoThreads() {
		return this.bucket.reserve(1);
	}

	@Benchmark
	public long bucket4jLockFree() {
		return this.lockFree.consumeIgnoringRateLimits(1);
	}

	@Benchmark
	public long bucket4jSynchronized() {
		return this.synchronizedBucket.consumeIgnoringRateLimits(1);
	}

	@Benchmark
	public long bucket4jUnsynchronizedUnderMonitor() {
		synchronized (this.unsynchronized) {
			return this.unsynchronized.consumeIgnoringRateLimits(1);
		}
	}

}
