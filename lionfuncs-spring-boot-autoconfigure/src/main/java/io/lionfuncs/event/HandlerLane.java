package io.lionfuncs.event;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One handler's ordered delivery lane: a bounded in-memory queue drained by the lane's
 * own thread, backed by the handler's folder in the {@link EventSpool}.
 * <p>
 * Every event gets a per-lane sequence number when it is offered. While the handler
 * takes events, the lane delivers them from memory in that order. An event the handler
 * fails to take, or that finds the queue full, is written to the spool; from then on the
 * lane is <em>backlogged</em>: it moves whatever arrives to the spool too and re-sends
 * the spooled events oldest first, with exponential backoff after a failure, until the
 * spool is empty. So a handler sees its events in publication order, except that an
 * event it failed to take may reach it again (at-least-once). A slow or failing handler
 * never delays another handler: each lane has its own thread.
 * <p>
 * The spooled entries are indexed in memory, at most {@link #INDEX_LIMIT} of the oldest
 * at a time; the rest stay on disk until the index runs dry and the folder is scanned
 * again. Memory therefore stays bounded however long a handler is down.
 */
final class HandlerLane {

	static final int INDEX_LIMIT = 10_000;

	private static final Logger logger = LoggerFactory.getLogger(EventManager.class);

	private static final long INTERRUPT_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

	private final String name;

	private volatile EventHandler handler;

	private final EventSpool spool;

	private final int capacity;

	private final long initialBackoffNanos;

	private final long maxBackoffNanos;

	private final LongAdder sent = new LongAdder();

	private final LongAdder failed = new LongAdder();

	private final LongAdder rejected = new LongAdder();

	private final LongAdder lost = new LongAdder();

	private final AtomicLong spooled = new AtomicLong();

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition changed = this.lock.newCondition();

	// The fields below are guarded by the lock.

	private final ArrayDeque<Delivery> queue = new ArrayDeque<>();

	private final SpoolIndex index = new SpoolIndex(INDEX_LIMIT);

	/** Sequence numbers of overflowing events being written by publishing threads. */
	private final TreeSet<Long> pendingWrites = new TreeSet<>();

	private long nextSeq;

	private boolean activated;

	private boolean closing;

	private long deadlineNanos;

	private boolean stopped;

	private long nextAttemptNanos;

	private long backoffNanos;

	private @Nullable Delivery inFlight;

	private @Nullable Thread thread;

	// Confined to the lane thread.

	private boolean failing;

	HandlerLane(String name, EventHandler handler, EventSpool spool, int capacity, Duration initialBackoff,
			Duration maxBackoff) {
		this.name = name;
		this.handler = handler;
		this.spool = spool;
		this.capacity = capacity;
		this.initialBackoffNanos = initialBackoff.toNanos();
		this.maxBackoffNanos = Math.max(maxBackoff.toNanos(), this.initialBackoffNanos);
		this.backoffNanos = this.initialBackoffNanos;
		this.nextAttemptNanos = System.nanoTime();
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
		int queued;
		this.lock.lock();
		try {
			queued = this.queue.size();
		}
		finally {
			this.lock.unlock();
		}
		return new HandlerStats(this.sent.sum(), this.failed.sum(), this.rejected.sum(), queued, this.spooled.get());
	}

	long lost() {
		return this.lost.sum();
	}

	// ---------------------------------------------------------------- lifecycle

	/**
	 * Opens the spool and indexes this handler's spooled events, once.
	 * @throws IllegalStateException if the spool cannot be used
	 */
	void activate() {
		this.lock.lock();
		try {
			if (this.activated) {
				return;
			}
			this.spool.open();
			EventSpool.Scan scan;
			try {
				scan = this.spool.scan(this.name, INDEX_LIMIT, true);
			}
			catch (IOException ex) {
				throw new IllegalStateException("Cannot read spool directory '" + this.spool.directory(this.name)
						+ "': " + ex, ex);
			}
			this.nextSeq = Math.max(this.nextSeq, scan.maxSeq() + 1);
			this.index.load(scan);
			this.spooled.addAndGet(scan.count());
			this.activated = true;
			if (scan.count() > 0) {
				logger.info("{} spooled event(s) for event handler '{}' will be re-sent", scan.count(), this.name);
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Starts the lane's thread, which first re-sends what is spooled. */
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

	/** Asks the lane to deliver what it holds until the deadline, then spool the rest. */
	void beginClose(long deadlineNanos) {
		this.lock.lock();
		try {
			if (!this.closing) {
				this.closing = true;
				this.deadlineNanos = deadlineNanos;
			}
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Waits for the lane to finish after {@link #beginClose}. Past the deadline, a
	 * handler call still running is interrupted, and if it does not return within a
	 * grace period the lane is abandoned: its in-flight and queued events are spooled by
	 * the calling thread.
	 * @return whether the lane finished by itself
	 */
	boolean awaitClosed() throws InterruptedException {
		Thread running;
		this.lock.lock();
		try {
			running = this.thread;
		}
		finally {
			this.lock.unlock();
		}
		if (running == null) {
			abandon();
			return true;
		}
		long interruptedAt = 0;
		Delivery interruptedDelivery = null;
		boolean interrupted = false;
		while (running.isAlive()) {
			long remaining = this.deadlineNanos - System.nanoTime();
			if (remaining > 0) {
				running.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining)));
				continue;
			}
			Delivery current = currentDelivery();
			if (current == null) {
				// spooling what is left: let it finish
				running.join(50);
				continue;
			}
			if (!interrupted || current != interruptedDelivery) {
				running.interrupt();
				interrupted = true;
				interruptedDelivery = current;
				interruptedAt = System.nanoTime();
			}
			else if (System.nanoTime() - interruptedAt > INTERRUPT_GRACE_NANOS) {
				logger.warn("Event handler '{}' did not return within the shutdown timeout; its remaining events "
						+ "are spooled and will be re-sent at the next start", this.name);
				abandon();
				return false;
			}
			running.join(50);
		}
		return true;
	}

	private @Nullable Delivery currentDelivery() {
		this.lock.lock();
		try {
			return this.inFlight;
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Stops a lane that never started, so that offered events go to the spool. */
	void stop() {
		abandon();
	}

	/** Stops the lane for good and spools whatever it still holds in memory. */
	private void abandon() {
		List<Delivery> remaining = new ArrayList<>();
		this.lock.lock();
		try {
			this.stopped = true;
			if (this.inFlight != null && this.inFlight.live()) {
				remaining.add(this.inFlight);
			}
			this.inFlight = null;
			remaining.addAll(this.queue);
			this.queue.clear();
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
		remaining.sort((a, b) -> Long.compare(a.seq(), b.seq()));
		remaining.forEach(this::spoolQuietly);
	}

	// ---------------------------------------------------------------- offering

	/**
	 * Hands an event to the lane without blocking on the handler. When the queue is
	 * full, or the lane has stopped, the event is written to the spool on the calling
	 * thread.
	 */
	void offer(Event event) {
		long seq;
		this.lock.lock();
		try {
			if (!this.activated) {
				tryActivate();
			}
			seq = this.nextSeq++;
			if (!this.stopped && this.queue.size() < this.capacity) {
				this.queue.addLast(new Delivery(seq, event, true));
				this.changed.signal();
				return;
			}
			this.pendingWrites.add(seq);
		}
		finally {
			this.lock.unlock();
		}
		try {
			spoolQuietly(new Delivery(seq, event, true));
		}
		finally {
			this.lock.lock();
			try {
				this.pendingWrites.remove(seq);
				this.changed.signal();
			}
			finally {
				this.lock.unlock();
			}
		}
	}

	private void tryActivate() {
		try {
			activate();
		}
		catch (RuntimeException ex) {
			logger.error("Cannot open the event spool for handler '{}': {}", this.name, ex.getMessage());
		}
	}

	/** Asks a backlogged lane to re-send now rather than after its backoff. */
	void retryNow() {
		this.lock.lock();
		try {
			this.nextAttemptNanos = System.nanoTime();
			this.backoffNanos = this.initialBackoffNanos;
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	// ---------------------------------------------------------------- synchronous delivery

	/** Calls the handler on the caller's thread and counts the outcome. */
	boolean deliverNow(Event event) {
		Outcome outcome = attempt(this.handler, event);
		switch (outcome.kind()) {
			case SENT -> this.sent.increment();
			case FAILED -> {
				this.failed.increment();
				logger.warn("Event handler '{}' did not take {}: {}", this.name, event, outcome.reason());
			}
			case REJECTED -> {
				this.failed.increment();
				logger.warn("Event handler '{}' refused {}: {}", this.name, event, outcome.reason());
			}
		}
		if (outcome.error() != null) {
			logger.debug("Event handler '{}' failed", this.name, outcome.error());
		}
		return outcome.kind() == Outcome.Kind.SENT;
	}

	// ---------------------------------------------------------------- the lane thread

	private void run() {
		try {
			while (step()) {
				// one delivery, replay or spooling per step
			}
		}
		catch (RuntimeException | Error ex) {
			logger.error("Event lane of handler '{}' stopped unexpectedly; its queued events are spooled", this.name,
					ex);
			abandon();
			throw ex;
		}
	}

	/**
	 * Delivers, re-sends or spools once; waits while there is nothing to do.
	 * @return whether the lane goes on
	 */
	private boolean step() {
		List<Delivery> toSpool = null;
		Delivery live = null;
		Map.Entry<Long, Path> replay = null;
		boolean rescan = false;
		this.lock.lock();
		try {
			while (true) {
				if (this.stopped) {
					return false;
				}
				long now = System.nanoTime();
				boolean pastDeadline = this.closing && now - this.deadlineNanos >= 0;
				if (this.index.hasBacklog()) {
					// backlogged: keep the order by sending newer events through the spool
					if (!this.queue.isEmpty()) {
						toSpool = drainQueue();
						break;
					}
					if (this.closing) {
						this.stopped = true;
						return false;
					}
					Map.Entry<Long, Path> oldest = this.index.oldest();
					if (oldest != null && !isNext(oldest.getKey())) {
						// an older event is still being written to the spool
						this.changed.await();
						continue;
					}
					long wait = this.nextAttemptNanos - now;
					if (wait <= 0) {
						if (oldest == null) {
							rescan = true;
							this.index.beginScan();
						}
						else {
							replay = oldest;
							this.inFlight = new Delivery(replay.getKey(), null, false);
						}
						break;
					}
					this.changed.awaitNanos(wait);
					continue;
				}
				if (!this.queue.isEmpty()) {
					if (pastDeadline) {
						toSpool = drainQueue();
						break;
					}
					if (isNext(this.queue.peekFirst().seq())) {
						live = this.queue.pollFirst();
						this.inFlight = live;
						break;
					}
				}
				else if (this.closing) {
					this.stopped = true;
					return false;
				}
				// nothing to send yet, or an older overflowing event is still being written
				this.changed.await();
			}
		}
		catch (InterruptedException ex) {
			// interrupted by close() past its deadline: the next step spools what is left
			return true;
		}
		finally {
			this.lock.unlock();
		}
		// clear an interrupt from close(): it would close the spool's file channels
		Thread.interrupted();
		if (toSpool != null) {
			toSpool.forEach(this::spoolQuietly);
		}
		else if (live != null) {
			deliverLive(live);
		}
		else if (rescan) {
			rescan();
		}
		else if (replay != null) {
			replay(replay.getKey(), replay.getValue());
		}
		return true;
	}

	/** Whether no older event is still being written to the spool by a publisher. */
	private boolean isNext(long seq) {
		return this.pendingWrites.isEmpty() || seq < this.pendingWrites.first();
	}

	private List<Delivery> drainQueue() {
		List<Delivery> drained = new ArrayList<>(this.queue);
		this.queue.clear();
		return drained;
	}

	private void deliverLive(Delivery delivery) {
		Event event = delivery.event();
		Outcome outcome = attempt(this.handler, event);
		Thread.interrupted();
		if (!settle()) {
			return;
		}
		switch (outcome.kind()) {
			case SENT -> {
				this.sent.increment();
				recovered();
			}
			case FAILED -> {
				this.failed.increment();
				failedAttempt(event, outcome);
				spoolQuietly(delivery);
				backOff();
			}
			case REJECTED -> {
				this.failed.increment();
				this.rejected.increment();
				try {
					Path file = this.spool.writeDeadLetter(this.name, delivery.seq(), event);
					logger.warn("Event handler '{}' refused {} for good ({}); kept in {}", this.name, event,
							outcome.reason(), file);
				}
				catch (RuntimeException ex) {
					this.lost.increment();
					logger.error("Event handler '{}' refused {} for good ({}) and it could not be kept: {}",
							this.name, event, outcome.reason(), ex.getMessage());
				}
			}
		}
	}

	private void replay(long seq, Path file) {
		Event event;
		try {
			event = this.spool.read(file);
		}
		catch (InvalidEventFileException ex) {
			settle();
			if (!Files.exists(file)) {
				removeFromIndex(seq);
				this.spooled.decrementAndGet();
				return;
			}
			if (ex.getCause() instanceof IOException) {
				// the file is there but could not be read this time: try again later
				logger.warn("Cannot read spooled event file {}: {}", file, ex.getMessage());
				backOff();
				return;
			}
			logger.error("Spooled event file for handler '{}' cannot be read, moving it to {}: {}", this.name,
					EventSpool.DEAD_LETTER, ex.getMessage());
			removeFromIndex(seq);
			this.spooled.decrementAndGet();
			this.rejected.increment();
			moveToDeadLetter(file);
			return;
		}
		Outcome outcome = attempt(this.handler, event);
		Thread.interrupted();
		if (!settle()) {
			return;
		}
		switch (outcome.kind()) {
			case SENT -> {
				this.sent.increment();
				removeFromIndex(seq);
				this.spooled.decrementAndGet();
				try {
					this.spool.delete(file);
				}
				catch (IOException ex) {
					logger.warn("Cannot delete spooled event file {} after delivery; it will be re-sent at the "
							+ "next start: {}", file, ex.getMessage());
				}
				recovered();
			}
			case FAILED -> {
				this.failed.increment();
				failedAttempt(event, outcome);
				backOff();
			}
			case REJECTED -> {
				this.failed.increment();
				this.rejected.increment();
				removeFromIndex(seq);
				this.spooled.decrementAndGet();
				logger.warn("Event handler '{}' refused {} for good ({}); moving it to {}", this.name, event,
						outcome.reason(), EventSpool.DEAD_LETTER);
				moveToDeadLetter(file);
			}
		}
	}

	private void moveToDeadLetter(Path file) {
		try {
			this.spool.moveToDeadLetter(file);
		}
		catch (IOException ex) {
			logger.error("Cannot move {} to {}: {}", file, EventSpool.DEAD_LETTER, ex.getMessage());
		}
	}

	/**
	 * Ends the in-flight delivery.
	 * @return {@code false} when close() has abandoned the lane meanwhile (it then
	 * spooled the delivery itself)
	 */
	private boolean settle() {
		this.lock.lock();
		try {
			this.inFlight = null;
			return !this.stopped;
		}
		finally {
			this.lock.unlock();
		}
	}

	private void failedAttempt(Event event, Outcome outcome) {
		if (!this.failing) {
			this.failing = true;
			logger.warn("Event handler '{}' did not take {} ({}); it is spooled and will be re-sent", this.name, event,
					outcome.reason());
		}
		else {
			logger.debug("Event handler '{}' still does not take events ({})", this.name, outcome.reason());
		}
		if (outcome.error() != null) {
			logger.debug("Event handler '{}' failed", this.name, outcome.error());
		}
	}

	private void recovered() {
		this.lock.lock();
		try {
			this.backoffNanos = this.initialBackoffNanos;
		}
		finally {
			this.lock.unlock();
		}
		if (this.failing) {
			this.failing = false;
			logger.info("Event handler '{}' takes events again", this.name);
		}
	}

	private void backOff() {
		this.lock.lock();
		try {
			this.nextAttemptNanos = System.nanoTime() + this.backoffNanos;
			this.backoffNanos = Math.min(this.maxBackoffNanos, this.backoffNanos * 2);
		}
		finally {
			this.lock.unlock();
		}
	}

	private void rescan() {
		EventSpool.Scan scan = null;
		try {
			scan = this.spool.scan(this.name, INDEX_LIMIT, false);
		}
		catch (IOException ex) {
			logger.error("Cannot read spool directory '{}': {}", this.spool.directory(this.name), ex.getMessage());
		}
		this.lock.lock();
		try {
			this.index.completeScan(scan);
			if (scan == null) {
				backOff();
			}
		}
		finally {
			this.lock.unlock();
		}
	}

	// ---------------------------------------------------------------- spooling

	private void spoolQuietly(Delivery delivery) {
		Event event = delivery.event();
		if (event == null) {
			return;
		}
		Path file;
		try {
			file = this.spool.write(this.name, delivery.seq(), event);
		}
		catch (RuntimeException ex) {
			this.lost.increment();
			logger.error("Event {} for handler '{}' could not be spooled and is lost: {}", event, this.name,
					ex.getMessage());
			return;
		}
		this.spooled.incrementAndGet();
		this.lock.lock();
		try {
			this.index.add(delivery.seq(), file);
			this.changed.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	private void removeFromIndex(long seq) {
		this.lock.lock();
		try {
			this.index.remove(seq);
		}
		finally {
			this.lock.unlock();
		}
	}

	// ---------------------------------------------------------------- attempts

	private static Outcome attempt(EventHandler handler, Event event) {
		try {
			return handler.sendEvent(event) ? Outcome.SENT : new Outcome(Outcome.Kind.FAILED, "returned false", null);
		}
		catch (UndeliverableEventException ex) {
			return new Outcome(Outcome.Kind.REJECTED, String.valueOf(ex.getMessage()), ex);
		}
		catch (EventDeliveryException ex) {
			return new Outcome(Outcome.Kind.FAILED, String.valueOf(ex.getMessage()), ex);
		}
		catch (VirtualMachineError ex) {
			if (ex instanceof StackOverflowError) {
				return new Outcome(Outcome.Kind.FAILED, ex.toString(), ex);
			}
			throw ex;
		}
		catch (Throwable ex) {
			return new Outcome(Outcome.Kind.FAILED, ex.toString(), ex);
		}
	}

	/**
	 * An event in the lane.
	 * @param seq its sequence number in the lane
	 * @param event the event, {@code null} for a replay (read from its file)
	 * @param live whether it is in memory only
	 */
	record Delivery(long seq, @Nullable Event event, boolean live) {
	}

	/** What one call of a handler gave. */
	record Outcome(Kind kind, String reason, @Nullable Throwable error) {

		static final Outcome SENT = new Outcome(Kind.SENT, "sent", null);

		enum Kind {

			SENT, FAILED, REJECTED

		}

	}

}
