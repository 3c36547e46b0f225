package io.lionfuncs.network;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * A point-in-time view of an {@link Executor}, for endpoints, meters and health.
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
	 * A bucket's level and shape.
	 *
	 * @param capacity the burst size
	 * @param available tokens available now, negative while in debt
	 * @param rate tokens added per period
	 * @param period the refill period
	 */
	public record BucketStats(long capacity, long available, double rate, Duration period) {
	}

}
