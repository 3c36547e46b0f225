package io.lionfuncs.network;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Scheduler;

/**
 * The dispatcher loops of an executor, each pinned to one worker, and the signal that
 * makes one of them look at the queue. A signal to a loop that is running costs a read;
 * an idle loop is woken only when no running one will look again.
 */
final class DispatchLanes {

	private static final Logger logger = LoggerFactory.getLogger(DispatchLanes.class);

	private static final VarHandle IN_CALL;

	static {
		try {
			IN_CALL = MethodHandles.lookup().findVarHandle(Lane.class, "inCall", boolean.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	/** Most tasks a dispatcher takes from the queue at once. */
	private static final int MAX_BATCH = 16;

	private final String name;

	private volatile Lane[] lanes = new Lane[0];

	// The lane signalled last; written and read racily, as a hint only.
	private @Nullable Lane hint;

	DispatchLanes(String name) {
		this.name = name;
	}

	/**
	 * Creates the loops on the scheduler's workers.
	 * @param pass what one loop does on each pass
	 */
	void start(Scheduler scheduler, int count, int concurrencyLimit, Pass pass) {
		Lane[] created = new Lane[count];
		// A lane takes at most its share of the concurrency limit at once.
		int batchSize = Math.max(1, Math.min(MAX_BATCH, concurrencyLimit / count));
		for (int i = count - 1; i >= 0; i--) {
			created[i] = new Lane(scheduler.createWorker(), (i + 1 < count) ? created[i + 1] : null, batchSize, pass);
		}
		this.lanes = created;
		this.hint = null;
	}

	void dispose() {
		for (Lane lane : this.lanes) {
			lane.worker.dispose();
		}
	}

	/**
	 * Makes sure a dispatcher loop looks at the queue after this call. A loop that is
	 * running, and not inside a call's start, looks again before it goes idle, so it
	 * takes the signal without a wake-up; otherwise an idle loop is woken, so a slow
	 * call start does not hold back the queue. A loop that finds a backlog wakes the next
	 * one ({@link Lane#wakeNextIfIdle()}), so busy periods spread over every loop while
	 * quiet ones cost no thread hand-offs.
	 */
	void signal() {
		Lane hinted = this.hint;
		if (hinted != null && hinted.isBusy() && !hinted.isInCall()) {
			// Most signals find the lane signalled last still running: one lane read.
			hinted.signal();
			return;
		}
		Lane[] current = this.lanes;
		Thread thread = Thread.currentThread();
		Lane idle = null;
		Lane running = null;
		for (Lane lane : current) {
			if (lane.runner == thread) {
				// Signalled from inside a loop's own pass (a call that completed at once, or
				// that submitted more): the loop looks again when the call returns.
				lane.signal();
				return;
			}
			if (lane.isBusy()) {
				if (running == null && !lane.isInCall()) {
					running = lane;
				}
			}
			else if (idle == null) {
				idle = lane;
			}
		}
		if (running != null) {
			this.hint = running;
			running.signal();
			return;
		}
		if (idle != null) {
			this.hint = idle;
			idle.signal();
			return;
		}
		// Every loop is inside a call: whichever returns first makes another pass.
		for (Lane lane : current) {
			lane.signal();
		}
	}

	/**
	 * What a loop does on each pass.
	 */
	@FunctionalInterface
	interface Pass {

		void run(Lane lane);

	}

	/**
	 * One dispatcher loop, pinned to one worker thread. A signal marks the loop dirty and
	 * schedules it only when it is idle; a running loop makes another pass when it finds
	 * itself dirty, so a signal is never lost and signals to a busy loop cost a read.
	 */
	final class Lane implements Runnable {

		final Scheduler.Worker worker;

		private final @Nullable Lane next;

		private final Pass pass;

		private final AtomicBoolean busy = new AtomicBoolean();

		private volatile boolean dirty;

		// The thread running this loop's pass, if one runs.
		volatile @Nullable Thread runner;

		// Whether the loop's thread runs a caller's code (a call's start, or what runs when
		// a call completes at once). A hint for signal(), so written and read opaquely.
		private boolean inCall;

		// Whether the loop is starting the calls of a batch it took, after which it takes
		// again; used by this loop's thread only.
		boolean startingBatch;

		// The tasks taken by one pass, with their reservations; used by this loop only.
		final ExecutorTask[] batch;

		final long[] delays;

		final @Nullable CompletionStage<Long>[] pendingDelays;

		@SuppressWarnings("unchecked")
		Lane(Scheduler.Worker worker, @Nullable Lane next, int batchSize, Pass pass) {
			this.worker = worker;
			this.next = next;
			this.pass = pass;
			this.batch = new ExecutorTask[batchSize];
			this.delays = new long[batchSize];
			this.pendingDelays = new CompletionStage[batchSize];
		}

		/**
		 * Whether the loop is scheduled or running: it will look at the queue again.
		 */
		boolean isBusy() {
			return this.busy.get();
		}

		boolean isInCall() {
			return (boolean) IN_CALL.getOpaque(this);
		}

		void enterCall() {
			IN_CALL.setOpaque(this, true);
		}

		void exitCall() {
			IN_CALL.setOpaque(this, false);
		}

		/**
		 * Asks the next loop for help with a backlog, unless it is busy already (then
		 * it asks its own next one when it finds the backlog).
		 */
		void wakeNextIfIdle() {
			Lane helper = this.next;
			if (helper != null && !helper.isBusy()) {
				helper.signal();
			}
		}

		/**
		 * Makes sure a pass over the queue starts after this call.
		 */
		void signal() {
			if (this.dirty) {
				// Set since the current pass began: the loop makes another pass.
				return;
			}
			this.dirty = true;
			if (!this.busy.get() && this.busy.compareAndSet(false, true)) {
				try {
					this.worker.schedule(this);
				}
				catch (RuntimeException ex) {
					this.busy.set(false);
					logger.debug("Dispatcher of executor '{}' is no longer running", DispatchLanes.this.name, ex);
				}
			}
		}

		/**
		 * Runs work on this loop's worker rather than on the thread that completed an
		 * asynchronous reservation (a Redis client's event loop, which must never run
		 * calls, listeners or anything else that might block).
		 */
		void run(Runnable work) {
			try {
				this.worker.schedule(work);
			}
			catch (RuntimeException ex) {
				// The worker is gone only once the executor stopped: finish the bookkeeping here.
				work.run();
			}
		}

		@Override
		public void run() {
			this.runner = Thread.currentThread();
			try {
				for (;;) {
					this.dirty = false;
					try {
						this.pass.run(this);
					}
					catch (RuntimeException ex) {
						logger.error("Dispatcher of executor '{}' failed", DispatchLanes.this.name, ex);
					}
					if (this.dirty) {
						continue;
					}
					this.busy.set(false);
					// A signal that saw the loop busy set the flag before this loop went idle.
					if (!this.dirty || !this.busy.compareAndSet(false, true)) {
						return;
					}
				}
			}
			finally {
				this.runner = null;
			}
		}

	}

}
