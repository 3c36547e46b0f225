package io.lionfuncs.network.limit.redis;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * The reservations of one {@link RedisTokenBucket} in the order they were made, and
 * those of them that wait for Redis: made while Redis was unavailable (or not yet
 * connected), or sent and failed. Reservations are sent to Redis in that order, the
 * waiting ones before any made after them, so that once Redis answers again they are
 * served first come, first served, as if Redis had never been away.
 * <p>
 * Sending happens under this object's monitor, so that the order of sending is the order
 * of making; what a sent operation's completion does must therefore be attached after
 * the monitor is released (a completion may call into the executor, which may reserve).
 */
final class WaitingReservations {

	private final AtomicLong sequence = new AtomicLong();

	private final PriorityQueue<Reservation> waiting = new PriorityQueue<>(
			Comparator.comparingLong(Reservation::sequence));

	/**
	 * A new reservation, after every one made before.
	 * @param tokens the tokens it takes
	 * @return the reservation
	 */
	Reservation next(long tokens) {
		return new Reservation(this.sequence.getAndIncrement(), tokens, new CompletableFuture<>());
	}

	/**
	 * Sends a reservation now when none waits before it and sending is possible;
	 * otherwise keeps it waiting.
	 * @param reservation the reservation
	 * @param canSend whether Redis can be used now
	 * @param send issues the reservation's operation
	 * @param <T> the operation
	 * @return the operation, or {@code null} when the reservation waits
	 */
	synchronized <T> @Nullable T sendInTurn(Reservation reservation, BooleanSupplier canSend,
			Function<Reservation, T> send) {
		if (this.waiting.isEmpty() && canSend.getAsBoolean()) {
			return send.apply(reservation);
		}
		this.waiting.add(reservation);
		return null;
	}

	/**
	 * Keeps a reservation waiting, in its place.
	 * @param reservation the reservation
	 */
	synchronized void add(Reservation reservation) {
		this.waiting.add(reservation);
	}

	/**
	 * Sends every waiting reservation, in order, when sending is possible.
	 * @param canSend whether Redis can be used now
	 * @param send issues a reservation's operation
	 * @param <T> the operation
	 * @return the reservations sent, with their operations, in order
	 */
	synchronized <T> List<Sent<T>> sendAll(BooleanSupplier canSend, Function<Reservation, T> send) {
		List<Sent<T>> sent = new ArrayList<>(this.waiting.size());
		if (!canSend.getAsBoolean()) {
			return sent;
		}
		for (Reservation next = this.waiting.poll(); next != null; next = this.waiting.poll()) {
			sent.add(new Sent<>(next, send.apply(next)));
		}
		return sent;
	}

	/**
	 * Stops every reservation waiting.
	 * @return them, in order
	 */
	synchronized List<Reservation> removeAll() {
		List<Reservation> removed = new ArrayList<>(this.waiting.size());
		for (Reservation next = this.waiting.poll(); next != null; next = this.waiting.poll()) {
			removed.add(next);
		}
		return removed;
	}

	/**
	 * Reservations waiting now.
	 * @return the count
	 */
	synchronized int size() {
		return this.waiting.size();
	}

	/**
	 * One reservation: its place in the order reservations were made, the tokens it
	 * takes, and the stage its caller awaits, completing with the nanoseconds until the
	 * tokens exist.
	 *
	 * @param sequence its place
	 * @param tokens the tokens
	 * @param result the caller's stage
	 */
	record Reservation(long sequence, long tokens, CompletableFuture<Long> result) {
	}

	/**
	 * A reservation sent to Redis, and the operation that sent it.
	 *
	 * @param reservation the reservation
	 * @param operation the operation
	 * @param <T> the operation
	 */
	record Sent<T>(Reservation reservation, T operation) {
	}

}
