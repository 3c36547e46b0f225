package io.lionfuncs.event;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import io.lionfuncs.event.LaneBacklog.Delivery;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One handler's delivery lane: its thread sends the handler the events its
 * {@link LaneBacklog} holds, from memory or read back from the handler's
 * {@link SpoolLog}, in sequence order, with up to {@link EventHandler#maxInFlight()} at
 * once; a failed event is tried again after the {@link Backoff}, an event the handler
 * refuses for good goes to its {@link DeadLetters dead-letter folder}. A slow or failing
 * handler never delays another: each lane has its own thread.
 */
final class HandlerLane {

	private static final Logger logger = LoggerFactory.getLogger(EventManager.class);

	private static final long INTERRUPT_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

	private static final long READ_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

	private final String name;

	private volatile EventHandler handler;

	private final EventSpool spool;

	private final HandlerCounters counters;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition changed = this.lock.newCondition();

	// Guarded by the lock.

	private final LaneBacklog backlog;

	private final Backoff backoff;

	private final ArrayDeque<Completion> completions = new ArrayDeque<>();

	private final Map<Long, CompletableFuture<Outcome>> inFlight = new HashMap<>();

	private boolean closing;

	private long deadlineNanos;

	private boolean stopped;

	private @Nullable Thread thread;

	/** Set once by activate(). */
	private volatile @Nullable LaneLog laneLog;

	HandlerLane(String name, EventHandler handler, EventSpool spool, int capacity, Duration initialBackoff,
			Duration maxBackoff) {
		this.name = name;
		this.handler = handler;
		this.spool = spool;
		this.counters = new HandlerCounters(name);
		this.backlog = new LaneBacklog(capacity);
		this.backoff = new Backoff(initialBackoff.toNanos(), maxBackoff.toNanos());
	}

	String getName() {
		return this.name;
	}

	EventHandler getHandler() {
		return this.handler;
	}

	void setHandler(EventHandler handler) {
		this.handler = handler;
	}

	HandlerStats stats() {
		return locked(() -> new HandlerStats(this.counters.sent(), this.counters.failed(), this.counters.rejected(),
				(int) this.backlog.queued(), this.backlog.spooled()));
	}

	long lost() {
		return locked(() -> this.counters.lostCount() + this.backlog.lost());
	}

	// ---------------------------------------------------------------- the spool side

	/**
	 * Opens the handler's log (replaying what an earlier run left, and moving in events
	 * spooled one file each), once.
	 * @throws IllegalStateException if the handler's spool directory cannot be used
	 */
	void activate() {
		this.lock.lock();
		try {
			if (this.laneLog != null) {
				return;
			}
			LaneLog opened = LaneLog.open(this.name, this.spool);
			this.backlog.recovered(opened.watermark(), opened.log().nextAppendSeq());
			this.counters.unreadable(opened.unreadable());
			this.laneLog = opened;
			long waiting = this.backlog.spooled();
			if (waiting > 0) {
				logger.info("{} spooled event(s) for event handler '{}' will be re-sent", waiting, this.name);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	@Nullable SpoolLog log() {
		LaneLog current = this.laneLog;
		return (current != null) ? current.log() : null;
	}

	/**
	 * Accepts a published event: gives it its sequence number (the spool writer appends
	 * it to the log) and keeps it in memory when there is room.
	 */
	long accept(Event event) {
		return locked(() -> {
			long seq = this.backlog.accept(event);
			this.changed.signal();
			return seq;
		});
	}

	/** Told by the spool writer once the log holds every event below {@code through}. */
	void appended(long through) {
		locked(() -> {
			this.backlog.appended(through);
			this.changed.signal();
		});
	}

	/** The lowest sequence number the handler has not taken. */
	long watermark() {
		return locked(this.backlog::watermark);
	}

	/** Keeps an event that reached the lane after its log closed, in a file of its own. */
	void keepLate(long seq, Event event) {
		try {
			LegacySpool.write(this.spool.directory(this.name), seq, event, this.spool.json());
		}
		catch (RuntimeException ex) {
			this.counters.lost();
			logger.error("Event {} for handler '{}' could not be spooled and is lost: {}", event, this.name,
					ex.getMessage());
		}
	}

	// ---------------------------------------------------------------- lifecycle

	/** Starts the lane's thread, which first re-sends what the log holds. */
	void start(String threadNamePrefix) {
		activate();
		this.lock.lock();
		try {
			if (this.thread != null || this.closing || this.stopped) {
				return;
			}
			Thread started = new Thread(this::run, threadNamePrefix + this.name);
			started.setDaemon(true);
			this.thread = started;
			started.start();
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Asks the lane to send what it holds until the deadline, then stop. */
	void beginClose(long deadlineNanos) {
		locked(() -> {
			if (!this.closing) {
				this.closing = true;
				this.deadlineNanos = deadlineNanos;
			}
			this.changed.signalAll();
		});
	}

	/**
	 * Waits for the lane to stop after {@link #beginClose}. Past the deadline, a handler
	 * call still running is interrupted, and if it does not return within a grace period
	 * the lane is abandoned; what it did not send stays in the log either way.
	 * @return whether the lane stopped by itself
	 */
	boolean awaitClosed() throws InterruptedException {
		Thread running = locked(() -> this.thread);
		if (running == null) {
			stop();
			return true;
		}
		long interruptedAt = 0;
		boolean interrupted = false;
		while (running.isAlive()) {
			long remaining = this.deadlineNanos - System.nanoTime();
			if (remaining > 0) {
				running.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
				continue;
			}
			if (locked(this.backlog::inFlightCount) == 0) {
				running.join(50);
				continue;
			}
			if (!interrupted) {
				running.interrupt();
				interrupted = true;
				interruptedAt = System.nanoTime();
			}
			else if (System.nanoTime() - interruptedAt > INTERRUPT_GRACE_NANOS) {
				logger.warn("Event handler '{}' did not return within the shutdown timeout; what it was not sent "
						+ "stays in the spool and is re-sent at the next start", this.name);
				stop();
				return false;
			}
			running.join(50);
		}
		return true;
	}

	/** Stops the lane for good; what it holds stays in the log. */
	void stop() {
		locked(() -> {
			this.stopped = true;
			this.backlog.stop();
			this.changed.signalAll();
		});
	}

	/** Asks a failing lane to try again now rather than after its backoff. */
	void retryNow() {
		locked(() -> {
			this.backoff.reset();
			this.changed.signalAll();
		});
	}

	// ---------------------------------------------------------------- synchronous delivery

	/** Calls the handler on the caller's thread and counts the outcome. */
	boolean deliverNow(Event event) {
		Outcome outcome = Outcome.of(this.handler, event);
		this.counters.sentNow(outcome, event);
		return outcome.isSent();
	}

	// ---------------------------------------------------------------- the lane's thread

	private void run() {
		try {
			while (step()) {
				// one settlement, delivery or read of the log per step
			}
		}
		catch (RuntimeException | Error ex) {
			logger.error("Event lane of handler '{}' stopped unexpectedly; its events stay in the spool", this.name,
					ex);
			stop();
			throw ex;
		}
		finally {
			LaneLog current = this.laneLog;
			if (current != null) {
				current.closeReading();
			}
		}
	}

	/**
	 * Settles finished deliveries, sends one event or reads the log once; waits while
	 * there is nothing to do.
	 * @return whether the lane goes on
	 */
	private boolean step() {
		List<Completion> done = null;
		Delivery toSend = null;
		long readFrom = -1;
		long appendedBefore = 0;
		this.lock.lock();
		try {
			while (true) {
				if (this.stopped) {
					return false;
				}
				if (!this.completions.isEmpty()) {
					done = new ArrayList<>(this.completions);
					this.completions.clear();
					break;
				}
				long now = System.nanoTime();
				int inFlightCount = this.backlog.inFlightCount();
				long untilDeadline = this.closing ? this.deadlineNanos - now : Long.MAX_VALUE;
				if (this.closing && inFlightCount == 0
						&& (untilDeadline <= 0 || this.backlog.hasRetries() || this.backlog.isCaughtUp())) {
					this.stopped = true;
					this.backlog.stop();
					return false;
				}
				if (untilDeadline <= 0) {
					// past the deadline: what is in flight is cut short, and stays in the log
					this.inFlight.values().forEach((future) -> future.cancel(true));
					this.changed.awaitNanos(TimeUnit.MILLISECONDS.toNanos(50));
					continue;
				}
				long wait = untilDeadline;
				if (inFlightCount < Math.max(1, this.handler.maxInFlight())) {
					if (this.backlog.hasRetries()) {
						if (inFlightCount == 0) {
							long backoff = this.backoff.remaining(now);
							if (backoff <= 0) {
								toSend = this.backlog.takeRetry();
								break;
							}
							wait = Math.min(wait, backoff);
						}
					}
					else {
						toSend = this.backlog.takeFromMemory();
						if (toSend != null) {
							break;
						}
						if (this.backlog.mustReadLog()) {
							readFrom = this.backlog.cursor();
							appendedBefore = this.backlog.appendedSeq();
							break;
						}
					}
				}
				if (wait == Long.MAX_VALUE) {
					this.changed.await();
				}
				else {
					this.changed.awaitNanos(wait);
				}
			}
		}
		catch (InterruptedException ex) {
			// interrupted by awaitClosed past the deadline: the next step stops
			return true;
		}
		finally {
			this.lock.unlock();
		}
		// clear an interrupt meant for a handler call that has returned
		Thread.interrupted();
		if (done != null) {
			done.forEach(this::settle);
		}
		else if (readFrom >= 0) {
			readLog(readFrom, appendedBefore);
		}
		else if (toSend != null) {
			send(toSend);
		}
		return true;
	}

	private void send(Delivery delivery) {
		CompletableFuture<Outcome> outcome = Outcome.ofAsync(this.handler, delivery.event()).toCompletableFuture();
		this.lock.lock();
		try {
			if (!outcome.isDone()) {
				this.inFlight.put(delivery.seq(), outcome);
			}
		}
		finally {
			this.lock.unlock();
		}
		outcome.whenComplete((result, ex) -> {
			Outcome settled = (result != null) ? result
					: new Outcome(Outcome.Kind.FAILED, "cut short by the shutdown", ex);
			this.lock.lock();
			try {
				this.inFlight.remove(delivery.seq());
				this.completions.add(new Completion(delivery, settled));
				this.changed.signal();
			}
			finally {
				this.lock.unlock();
			}
		});
	}

	/** What a delivery gave: the one place that decides what happens to the event next. */
	private void settle(Completion completion) {
		Delivery delivery = completion.delivery();
		Outcome outcome = completion.outcome();
		this.counters.delivered(outcome, delivery.event());
		if (outcome.kind() == Outcome.Kind.REJECTED
				&& !this.laneLog.keepRefused(delivery.seq(), delivery.event(), outcome.reason())) {
			this.counters.lost();
		}
		this.lock.lock();
		try {
			switch (outcome.kind()) {
				case SENT -> {
					this.backlog.taken(delivery.seq());
					if (delivery.retry()) {
						this.backoff.succeeded();
					}
				}
				case FAILED -> {
					this.backlog.failed(delivery.seq(), delivery.event());
					this.backoff.failed(System.nanoTime());
				}
				case REJECTED -> this.backlog.taken(delivery.seq());
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Reads the next event from the log, where memory did not have it. */
	private void readLog(long from, long appendedBefore) {
		LaneLog current = this.laneLog;
		LaneLog.Read read;
		try {
			read = current.read(from, this.counters);
		}
		catch (IOException ex) {
			logger.warn("Cannot read the spool of event handler '{}' now: {}", this.name, ex.toString());
			pause(READ_RETRY_NANOS);
			return;
		}
		Delivery delivery;
		boolean consumed;
		this.lock.lock();
		try {
			delivery = this.backlog.fromLog(from, appendedBefore, (read != null) ? read.seq() : -1,
					(read != null) ? read.event() : null);
			consumed = read != null && this.backlog.cursor() > read.seq();
		}
		finally {
			this.lock.unlock();
		}
		if (consumed) {
			current.consumed();
		}
		if (delivery != null) {
			send(delivery);
		}
	}

	private void pause(long nanos) {
		this.lock.lock();
		try {
			this.changed.awaitNanos(nanos);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		finally {
			this.lock.unlock();
		}
	}

	private <T> T locked(Supplier<T> action) {
		this.lock.lock();
		try {
			return action.get();
		}
		finally {
			this.lock.unlock();
		}
	}

	private void locked(Runnable action) {
		this.lock.lock();
		try {
			action.run();
		}
		finally {
			this.lock.unlock();
		}
	}

	@Override
	public String toString() {
		return "HandlerLane[" + this.name + "]";
	}

	private record Completion(Delivery delivery, Outcome outcome) {
	}

}
