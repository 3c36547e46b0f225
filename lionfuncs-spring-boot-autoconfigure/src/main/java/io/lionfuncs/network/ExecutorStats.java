package io.lionfuncs.network;

import java.time.Duration;

import io.lionfuncs.network.limit.BucketView;
import io.lionfuncs.network.limit.SharedBucketState;
import org.jspecify.annotations.Nullable;

/**
 * A read-only, point-in-time view of an {@link Executor}, for endpoints, meters and
 * health: its queue, slots, buckets and counts.
 *
 * @param name the executor's name
 * @param running whether it accepts tasks
 * @param queueDepth tasks waiting in the queue
 * @param queueCapacity the queue's capacity
 * @param waitingSubmitters submissions waiting for room in a full queue
 * @param concurrencyLimit calls allowed in flight at once
 * @param concurrencyInUse slots held (waiting for tokens or calling)
 * @param workers dispatcher loops
 * @param requestsBucket the request bucket
 * @param apiTokensBucket the API-token bucket, {@code null} when disabled
 * @param processing requests holding a slot and waiting for their tokens
 * @param calling requests whose call is in flight
 * @param completed requests completed since start
 * @param failed requests failed since start
 * @param cancelled requests cancelled since start, rejections included
 * @param rejected submissions rejected since start
 * @param rateLimitWaits calls that had to wait for tokens
 * @param rateLimitWaitTime total time calls waited for tokens
 */
public record ExecutorStats(String name, boolean running, int queueDepth, int queueCapacity, int waitingSubmitters,
		int concurrencyLimit, int concurrencyInUse, int workers, BucketStats requestsBucket,
		@Nullable BucketStats apiTokensBucket, int processing, int calling, long completed, long failed,
		long cancelled, long rejected, long rateLimitWaits, Duration rateLimitWaitTime) {

	/**
	 * Room left in the queue.
	 * @return {@code queueCapacity - queueDepth}
	 */
	public int queueRemaining() {
		return Math.max(0, this.queueCapacity - this.queueDepth);
	}

	/**
	 * The concurrency slots.
	 * @return the limit, the slots held and the slots free
	 */
	public SlotStats slots() {
		return new SlotStats(this.concurrencyLimit, this.concurrencyInUse,
				Math.max(0, this.concurrencyLimit - this.concurrencyInUse));
	}

	/**
	 * The concurrency slots at one moment.
	 *
	 * @param limit calls allowed in flight at once
	 * @param inUse slots held: calls waiting for their tokens or calling
	 * @param available slots free
	 */
	public record SlotStats(int limit, int inUse, int available) {
	}

	/**
	 * A bucket's level, shape and store at one moment.
	 *
	 * @param capacity the burst size
	 * @param available tokens available now, negative while in debt (for a bucket in a
	 * remote store: the level it last saw)
	 * @param rate tokens added per period
	 * @param period the refill period
	 * @param store where the bucket lives: {@code local}, or a store shared by replicas
	 * such as {@code redis}
	 * @param shared the state of the shared store, {@code null} for a local bucket
	 */
	public record BucketStats(long capacity, long available, double rate, Duration period, String store,
			@Nullable SharedBucketState shared) {

		static BucketStats of(BucketView bucket) {
			return new BucketStats(bucket.settings().capacity(), bucket.availableTokens(), bucket.settings().rate(),
					bucket.settings().period(), bucket.storeType(), bucket.sharedState());
		}

	}

}
