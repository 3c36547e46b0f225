package io.lionfuncs.event;

import java.io.ByteArrayOutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends published events to the handlers' logs before {@code publish} returns, and
 * forces the logs to disk in groups on a thread of its own.
 * <p>
 * A publisher queues its event (it gets its sequence number in each lane at once, so
 * that the lanes keep publication order) and then writes the queue, unless another
 * thread is writing it already: that thread writes the event with the rest, and looks
 * at the queue again once it let go (flat combining). Each event is encoded once and
 * written with one write per log for all that queued meanwhile. A killed process
 * therefore loses no event whose {@code publish} returned: it is in the operating
 * system's hands. The writer's thread forces every log written to since it last did,
 * one force for the whole group, so that a crash of the machine loses at most what was
 * published in the last few milliseconds; it also checkpoints and compacts the logs as
 * the lanes report events taken.
 * <p>
 * The queue is bounded: when the disk falls far behind, publishers wait for it rather
 * than let the queue grow.
 */
final class SpoolWriter {

	private static final Logger logger = LoggerFactory.getLogger(EventManager.class);

	static final int MAX_QUEUED = 10_000;

	private static final int MAX_GROUP = 2_000;

	private static final long HOUSEKEEPING_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

	private final String threadName;

	private final Function<Event, byte[]> encoder;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition work = this.lock.newCondition();

	/** Held while a group is written, so that groups reach the logs in queue order. */
	private final ReentrantLock appendLock = new ReentrantLock();

	private final List<HandlerLane> attached = new CopyOnWriteArrayList<>();

	// Guarded by the lock.

	private final ArrayDeque<Entry> queue = new ArrayDeque<>();

	private boolean accepting = true;

	private boolean flushRequested;

	private boolean closed;

	private @Nullable Thread thread;

	// Guarded by the append lock.

	private boolean appendedSinceHousekeeping;

	SpoolWriter(String threadName, Function<Event, byte[]> encoder) {
		this.threadName = threadName;
		this.encoder = encoder;
	}

	void start() {
		this.lock.lock();
		try {
			if (this.thread != null || this.closed) {
				return;
			}
			Thread started = new Thread(this::run, this.threadName);
			started.setDaemon(true);
			this.thread = started;
			started.start();
		}
		finally {
			this.lock.unlock();
		}
	}

	/** Makes the writer force and compact a lane's log; the lane's log is open. */
	void attach(HandlerLane lane) {
		this.attached.add(lane);
	}

	/**
	 * Closes a lane's log once everything queued before is written.
	 * @return completes when the log is closed
	 */
	CompletableFuture<Void> detach(HandlerLane lane) {
		CompletableFuture<Void> done = new CompletableFuture<>();
		this.lock.lock();
		try {
			this.queue.add(new Detach(lane, done));
		}
		finally {
			this.lock.unlock();
		}
		writeQueued(true);
		return done;
	}

	/**
	 * Takes an event for some lanes: written to their logs before this returns, or, once
	 * the writer stopped taking events, kept in a file of its own by each lane.
	 */
	void submit(Event event, Collection<HandlerLane> lanes) {
		HandlerLane[] targets = lanes.toArray(new HandlerLane[0]);
		long[] seqs = new long[targets.length];
		boolean late;
		boolean full = false;
		this.lock.lock();
		try {
			late = !this.accepting;
			if (!late) {
				for (int i = 0; i < targets.length; i++) {
					seqs[i] = targets[i].accept(event);
				}
				this.queue.add(new Append(event, targets, seqs));
				full = this.queue.size() > MAX_QUEUED;
			}
		}
		finally {
			this.lock.unlock();
		}
		if (late) {
			for (HandlerLane lane : targets) {
				lane.keepLate(lane.accept(event), event);
			}
		}
		else {
			writeQueued(full);
		}
	}

	/**
	 * Writes the queue unless another thread is writing it.
	 * @param wait whether to wait for that thread rather than leave the queue to it
	 */
	private void writeQueued(boolean wait) {
		while (true) {
			if (wait) {
				this.appendLock.lock();
			}
			else if (!this.appendLock.tryLock()) {
				// the holder looks at the queue again once it let go
				return;
			}
			try {
				while (writeGroup()) {
					// one group after the other, in queue order
				}
			}
			finally {
				this.appendLock.unlock();
			}
			if (!hasQueued()) {
				return;
			}
		}
	}

	private boolean hasQueued() {
		this.lock.lock();
		try {
			return !this.queue.isEmpty();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Stops taking events into the logs and writes what is queued; events submitted
	 * afterwards are kept in files of their own.
	 */
	void stopIntake() {
		this.lock.lock();
		try {
			this.accepting = false;
		}
		finally {
			this.lock.unlock();
		}
		writeQueued(true);
		forceAll();
	}

	/** Stops the thread and closes the logs of every attached lane. */
	void close() {
		stopIntake();
		Thread running;
		this.lock.lock();
		try {
			this.closed = true;
			running = this.thread;
			this.work.signal();
		}
		finally {
			this.lock.unlock();
		}
		if (running != null && running != Thread.currentThread()) {
			try {
				running.join(TimeUnit.SECONDS.toMillis(30));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		this.appendLock.lock();
		try {
			this.attached.forEach(this::closeLog);
			this.attached.clear();
		}
		finally {
			this.appendLock.unlock();
		}
	}

	private void closeLog(HandlerLane lane) {
		this.attached.remove(lane);
		SpoolLog log = lane.log();
		if (log != null) {
			log.close(lane.watermark());
		}
	}

	// ---------------------------------------------------------------- the writer's thread

	private void run() {
		warmUp();
		long nextHousekeeping = System.nanoTime() + HOUSEKEEPING_NANOS;
		try {
			while (true) {
				this.lock.lock();
				try {
					while (!this.flushRequested && !this.closed) {
						long wait = nextHousekeeping - System.nanoTime();
						if (wait <= 0) {
							break;
						}
						this.work.awaitNanos(wait);
					}
					if (this.closed) {
						return;
					}
					this.flushRequested = false;
				}
				finally {
					this.lock.unlock();
				}
				// the group commit: whatever was written since the last force
				forceAll();
				if (System.nanoTime() - nextHousekeeping >= 0) {
					// a fall-back: publishers write the queue themselves
					writeQueued(false);
					housekeeping();
					nextHousekeeping = System.nanoTime() + HOUSEKEEPING_NANOS;
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (RuntimeException | Error ex) {
			logger.error("The event spool writer stopped unexpectedly; the spool logs are no longer forced to disk",
					ex);
			throw ex;
		}
	}

	/**
	 * Encodes an event like those the executors publish, so that the first publisher
	 * does not pay for loading the encoder's classes.
	 */
	private void warmUp() {
		try {
			Event event = Event.builder("lionfuncs.warm-up")
				.put("text", "warm-up")
				.put("number", 1)
				.put("nested", Map.of("list", List.of(1.5, true)))
				.build();
			event.close();
			SpoolRecords.decode(withoutLineFeed(SpoolRecords.encode(0, this.encoder.apply(event))));
		}
		catch (RuntimeException ex) {
			logger.debug("Warming up the event spool encoder failed", ex);
		}
	}

	private static byte[] withoutLineFeed(byte[] line) {
		byte[] trimmed = new byte[line.length - 1];
		System.arraycopy(line, 0, trimmed, 0, trimmed.length);
		return trimmed;
	}

	private void forceAll() {
		for (HandlerLane lane : this.attached) {
			SpoolLog log = lane.log();
			if (log != null) {
				log.force();
			}
		}
	}

	/**
	 * Writes the next group of queued entries; the caller holds the append lock.
	 * @return whether there was one
	 */
	private boolean writeGroup() {
		List<Entry> group = new ArrayList<>();
		this.lock.lock();
		try {
			while (!this.queue.isEmpty() && group.size() < MAX_GROUP) {
				group.add(this.queue.poll());
			}
		}
		finally {
			this.lock.unlock();
		}
		if (group.isEmpty()) {
			return false;
		}
		write(group);
		return true;
	}

	private void write(List<Entry> group) {
		Map<HandlerLane, Block> blocks = new LinkedHashMap<>();
		for (Entry entry : group) {
			if (entry instanceof Detach detach) {
				commit(blocks);
				closeLog(detach.lane());
				detach.done().complete(null);
				continue;
			}
			Append append = (Append) entry;
			byte[] json = encode(append.event());
			for (int i = 0; i < append.lanes().length; i++) {
				HandlerLane lane = append.lanes()[i];
				long seq = append.seqs()[i];
				SpoolLog log = lane.log();
				if (log == null || log.isClosed()) {
					lane.keepLate(seq, append.event());
					continue;
				}
				Block block = blocks.computeIfAbsent(lane, (key) -> new Block());
				if (json != null) {
					block.add(SpoolRecords.encode(seq, json), seq);
				}
				block.processedThrough = seq + 1;
			}
		}
		commit(blocks);
	}

	private byte @Nullable [] encode(Event event) {
		try {
			return this.encoder.apply(event);
		}
		catch (RuntimeException ex) {
			logger.error("{} cannot be spooled ({}); it is sent from memory only", event, ex.getMessage());
			return null;
		}
	}

	/** Appends the blocks, tells the lanes, and asks for a force. */
	private void commit(Map<HandlerLane, Block> blocks) {
		if (blocks.isEmpty()) {
			return;
		}
		for (Map.Entry<HandlerLane, Block> entry : blocks.entrySet()) {
			Block block = entry.getValue();
			SpoolLog log = entry.getKey().log();
			if (block.bytes.size() > 0 && log != null) {
				log.append(block.bytes.toByteArray(), block.firstSeq, block.lastSeq);
			}
		}
		blocks.forEach((lane, block) -> lane.appended(block.processedThrough));
		blocks.clear();
		this.appendedSinceHousekeeping = true;
		this.lock.lock();
		try {
			this.flushRequested = true;
			this.work.signal();
		}
		finally {
			this.lock.unlock();
		}
	}

	private void housekeeping() {
		this.appendLock.lock();
		try {
			boolean idle = !this.appendedSinceHousekeeping;
			this.appendedSinceHousekeeping = false;
			for (HandlerLane lane : this.attached) {
				SpoolLog log = lane.log();
				if (log != null) {
					log.compact(lane.watermark(), idle);
				}
			}
		}
		finally {
			this.appendLock.unlock();
		}
	}

	private interface Entry {

	}

	private record Append(Event event, HandlerLane[] lanes, long[] seqs) implements Entry {
	}

	private record Detach(HandlerLane lane, CompletableFuture<Void> done) implements Entry {
	}

	/** One lane's records of a group. */
	private static final class Block {

		final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

		long firstSeq = -1;

		long lastSeq = -1;

		long processedThrough;

		void add(byte[] line, long seq) {
			if (this.firstSeq < 0) {
				this.firstSeq = seq;
			}
			this.lastSeq = seq;
			this.bytes.writeBytes(line);
		}

	}

}
