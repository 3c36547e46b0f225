package io.lionfuncs.network.limit.redis;

import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

import io.lionfuncs.network.limit.BucketSettings;
import io.lionfuncs.network.limit.LocalTokenBucket;
import io.lionfuncs.network.limit.redis.WaitingReservations.Reservation;
import org.jspecify.annotations.Nullable;

/**
 * Where a {@link RedisTokenBucket} failing open makes reservations while Redis is
 * unavailable: a local bucket holding this replica's share of the budget, created empty
 * at the start of each outage, so that replicas failing over together release no burst.
 */
final class FallbackBucket {

	private final String key;

	private final int expectedReplicas;

	private final BucketSettings settings;

	private final AtomicReference<@Nullable LocalTokenBucket> bucket = new AtomicReference<>();

	private final LongAdder reservations = new LongAdder();

	FallbackBucket(String key, BucketSettings shared, RedisBucketOptions options) {
		this.key = key;
		this.expectedReplicas = options.expectedReplicas();
		this.settings = options.fallbackOf(shared);
	}

	BucketSettings settings() {
		return this.settings;
	}

	/**
	 * Reservations made here since creation.
	 */
	long reservations() {
		return this.reservations.sum();
	}

	/**
	 * Makes a reservation here, completing its stage.
	 */
	void reserve(Reservation reservation) {
		this.reservations.increment();
		LocalTokenBucket local = current();
		if (reservation.tokens() > local.settings().capacity()) {
			reservation.result()
				.completeExceptionally(new IllegalArgumentException("Request needs " + reservation.tokens()
						+ " tokens but while Redis is unavailable bucket '" + this.key
						+ "' falls back to a local bucket holding at most " + local.settings().capacity()
						+ " (its capacity / " + this.expectedReplicas + " expected replicas)"));
			return;
		}
		reservation.result().complete(local.reserve(reservation.tokens()));
	}

	void forceConsume(long tokens) {
		current().forceConsume(tokens);
	}

	long availableTokens() {
		return current().availableTokens();
	}

	/**
	 * Redis is back: the next outage starts a fresh, empty bucket.
	 */
	void reset() {
		this.bucket.set(null);
	}

	private LocalTokenBucket current() {
		for (;;) {
			LocalTokenBucket existing = this.bucket.get();
			if (existing != null) {
				return existing;
			}
			LocalTokenBucket created = new LocalTokenBucket(this.settings);
			created.forceConsume(this.settings.capacity());
			if (this.bucket.compareAndSet(null, created)) {
				return created;
			}
		}
	}

}
