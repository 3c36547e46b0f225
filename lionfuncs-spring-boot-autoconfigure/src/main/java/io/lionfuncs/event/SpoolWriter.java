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
 * Appends published events to the handlers' logs with a group commit: publishers only
 * queue an event (it gets its sequence number in each lane at once, so that the lanes
 * keep publication order), and one thread encodes it once, appends it to every
 * handler's log with one write per log for all that queued meanwhile, and forces each
 * log once for the whole group. Under load the groups grow, so the force is paid per
 * group, not per event; alone, an event is forced within a fraction of a millisecond.
 * <p>
 * The queue is bounded: a publisher that finds it full writes the queue itself, so
 * memory stays bounded when the disk is slower than the publishers. The same thread
 * checkpoints and compacts the logs as the lanes report events taken.
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

	/** Makes the writer compact a lane's log; the lane's log is open. */
	void attach(HandlerLane lane) {
		this.attached.add(lane);
	}

	/**
	 * Closes a lane's log once everything queued before is written.
	 * @return completes when the log is closed
	 */
	CompletableFuture<Void> detach(HandlerLane lane) {
		CompletableFuture<Void> done = new CompletableFuture<>();
		boolean queued;
		this.lock.lock();
		try {
			// no thread to take it from the queue: closed here
			queued = this.accepting && this.thread != null;
			if (queued) {
				this.queue.add(new Detach(lane, done));
				this.work.signal();
			}
		}
		finally {
			this.lock.unlock();
		}
		if (!queued) {
			writeQueued();
			this.appendLock.lock();
			try {
				closeLog(lane);
			}
			finally {
				this.appendLock.unlock();
			}
			done.complete(null);
		}
		return done;
	}

	/**
	 * Takes an event for some lanes: queued for the log, or, once the writer stopped
	 * taking events, kept in a file of its own by each lane.
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
				// no thread (not started, or it died): the publisher writes
				full = this.queue.size() > MAX_QUEUED || this.thread == null;
				this.work.signal();
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
		else if (full) {
			// the disk is slower than the publishers: write the queue here rather than grow it
			writeQueued();
		}
	}

	/**
	 * Stops taking events into the queue and writes what it holds; events submitted
	 * afterwards are kept in files of their own.
	 */
	void stopIntake() {
		this.lock.lock();
		try {
			this.accepting = false;
			this.work.signal();
		}
		finally {
			this.lock.unlock();
		}
		writeQueued();
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

	// ---------------------------------------------------------------- the writer thread

	private void run() {
		long nextHousekeeping = System.nanoTime() + HOUSEKEEPING_NANOS;
		try {
			while (true) {
				this.lock.lock();
				try {
					while (this.queue.isEmpty() && !this.closed) {
						long wait = nextHousekeeping - System.nanoTime();
						if (wait <= 0) {
							break;
						}
						this.work.awaitNanos(wait);
					}
					if (this.closed) {
						return;
					}
				}
				finally {
					this.lock.unlock();
				}
				writeGroup();
				if (System.nanoTime() - nextHousekeeping >= 0) {
					housekeeping();
					nextHousekeeping = System.nanoTime() + HOUSEKEEPING_NANOS;
				}
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (RuntimeException | Error ex) {
			logger.error("The event spool writer stopped unexpectedly; events are now spooled by their publishers",
					ex);
			this.lock.lock();
			try {
				this.thread = null;
			}
			finally {
				this.lock.unlock();
			}
			throw ex;
		}
	}

	/** Writes everything queued, on the calling thread. */
	private void writeQueued() {
		while (writeGroup()) {
			// one group after the other, in queue order
		}
	}

	/**
	 * Writes the next group of queued entries.
	 * @return whether there was one
	 */
	private boolean writeGroup() {
		this.appendLock.lock();
		try {
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
		finally {
			this.appendLock.unlock();
		}
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

	/** Appends the blocks, forces each log once, and tells the lanes. */
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
		for (HandlerLane lane : blocks.keySet()) {
			SpoolLog log = lane.log();
			if (log != null) {
				log.force();
			}
		}
		blocks.forEach((lane, block) -> lane.appended(block.processedThrough));
		blocks.clear();
		this.appendedSinceHousekeeping = true;
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
