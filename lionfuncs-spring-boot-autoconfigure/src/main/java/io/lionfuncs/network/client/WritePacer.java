package io.lionfuncs.network.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.SynchronizationStrategy;
import io.lionfuncs.network.limit.BucketSettings;
import io.lionfuncs.network.limit.LocalTokenBucket;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;
import reactor.util.context.ContextView;

/**
 * Holds the requests of executor tasks to their executor's request bucket once more,
 * where the server judges them: as they are written to their connection. The executor
 * starts calls when their tokens exist, but what a call does before its request is
 * written (a first connection's set-up, class loading on a cold JVM, a timer or a thread
 * hand-over late on a busy machine) can delay some and not others, so that late calls
 * reach the server together. Each paced write takes a token from a local bucket of the
 * executor's shape at the instant it is let through; when there is none it waits, without
 * blocking, first come first served, until there is. Calls that keep the executor's
 * schedule never wait, and however late the pacer's own timer fires, the writes it lets
 * through keep the bucket's shape. Every attempt is a write, retries included: the server
 * counts them all.
 * <p>
 * A request is paced when its Reactor context is {@linkplain #paced(Context) marked},
 * as the client marks the calls it hands an executor; direct calls are not.
 */
final class WritePacer {

	private static final Class<WritePacer> PACED = WritePacer.class;

	private final BucketSettings shape;

	private final Bucket bucket;

	private final Scheduler scheduler;

	/** The writes waiting for a token, first come first served; guarded by itself. */
	private final ArrayDeque<MonoSink<Void>> waiting = new ArrayDeque<>();

	private boolean releaseScheduled;

	WritePacer(BucketSettings shape) {
		this(shape, TimeMeter.SYSTEM_NANOTIME, Schedulers.parallel());
	}

	/**
	 * Creates a pacer timed by the given meter, waiting on the given scheduler.
	 * @param shape the bucket's shape
	 * @param timeMeter the bucket's time
	 * @param scheduler runs the release of waiting writes
	 */
	WritePacer(BucketSettings shape, TimeMeter timeMeter, Scheduler scheduler) {
		this.shape = shape;
		// Only ever used under the lock of the waiting writes.
		this.bucket = Bucket.builder()
			.addLimit(LocalTokenBucket.bandwidth(shape))
			.withCustomTimePrecision(timeMeter)
			.withSynchronizationStrategy(SynchronizationStrategy.NONE)
			.build();
		this.scheduler = scheduler;
	}

	/**
	 * Marks the requests sent under a context as paced.
	 * @param context the context of an executor task's call
	 * @return the context, marked
	 */
	static Context paced(Context context) {
		return context.put(PACED, Boolean.TRUE);
	}

	static boolean isPaced(ContextView context) {
		return context.hasKey(PACED);
	}

	/**
	 * Waits for the next write's turn: at once when a token exists and no write waits,
	 * else once the writes before it have gone and a token exists. A write that stops
	 * waiting (its attempt timed out or was disposed) takes no token.
	 * @return completes when the request may be written
	 */
	Mono<Void> turn() {
		synchronized (this.waiting) {
			if (this.waiting.isEmpty() && this.bucket.tryConsume(1)) {
				return Mono.empty();
			}
		}
		return Mono.create((sink) -> {
			synchronized (this.waiting) {
				this.waiting.add(sink);
				scheduleRelease();
			}
			sink.onCancel(() -> {
				synchronized (this.waiting) {
					this.waiting.remove(sink);
				}
			});
		});
	}

	/**
	 * Lets waiting writes through, in order, as long as there are tokens; then looks
	 * again when the next one exists.
	 */
	private void release() {
		List<MonoSink<Void>> released = new ArrayList<>();
		synchronized (this.waiting) {
			this.releaseScheduled = false;
			while (!this.waiting.isEmpty() && this.bucket.tryConsume(1)) {
				released.add(this.waiting.poll());
			}
			scheduleRelease();
		}
		released.forEach(MonoSink::success);
	}

	private void scheduleRelease() {
		if (this.releaseScheduled || this.waiting.isEmpty()) {
			return;
		}
		long waitNanos = Math.max(1, this.bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill());
		this.scheduler.schedule(this::release, waitNanos, TimeUnit.NANOSECONDS);
		this.releaseScheduled = true;
	}

	/**
	 * How many writes wait for their turn.
	 * @return the writes waiting
	 */
	int waiting() {
		synchronized (this.waiting) {
			return this.waiting.size();
		}
	}

	BucketSettings shape() {
		return this.shape;
	}

}
