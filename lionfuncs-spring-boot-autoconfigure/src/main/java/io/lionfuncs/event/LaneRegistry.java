package io.lionfuncs.event;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link EventManager}'s handler lanes and their lifecycle with the spool's: a lane
 * added while the spool is open opens its log at once; the first event published
 * before the start opens the spool; closing writes what is queued, lets every lane
 * send until the deadline, and closes the logs.
 */
final class LaneRegistry {

	private static final Logger logger = LoggerFactory.getLogger(EventManager.class);

	private final String managerName;

	private final EventSpool spool;

	private final int capacity;

	private final Duration retryDelay;

	private final Duration maxRetryDelay;

	private final Duration shutdownTimeout;

	private final Object monitor = new Object();

	private volatile Map<String, HandlerLane> lanes = Map.of();

	private volatile State state = State.NEW;

	LaneRegistry(String managerName, EventSpool spool, int capacity, Duration retryDelay, Duration maxRetryDelay,
			Duration shutdownTimeout) {
		this.managerName = managerName;
		this.spool = spool;
		this.capacity = capacity;
		this.retryDelay = retryDelay;
		this.maxRetryDelay = maxRetryDelay;
		this.shutdownTimeout = shutdownTimeout;
	}

	static String threadNamePrefix(String managerName) {
		return "lionfuncs-events-" + managerName + "-";
	}

	/** The lanes by handler name, in the order they were added. */
	Map<String, HandlerLane> lanes() {
		return this.lanes;
	}

	State state() {
		return this.state;
	}

	/** Adds a lane for a handler, or gives an existing lane of that name the handler. */
	void add(String name, EventHandler handler) {
		synchronized (this.monitor) {
			HandlerLane existing = this.lanes.get(name);
			if (existing != null) {
				logger.info("Replacing event handler '{}'", name);
				existing.setHandler(handler);
				return;
			}
			HandlerLane lane = new HandlerLane(name, handler, this.spool, this.capacity, this.retryDelay,
					this.maxRetryDelay);
			if (this.spool.isOpen() && this.state != State.CLOSED) {
				activate(lane);
			}
			Map<String, HandlerLane> updated = new LinkedHashMap<>(this.lanes);
			updated.put(name, lane);
			this.lanes = Collections.unmodifiableMap(updated);
			logger.debug("Added event handler '{}'", name);
			if (this.state == State.RUNNING) {
				lane.start(threadNamePrefix(this.managerName));
			}
			else if (this.state == State.CLOSED) {
				// nothing will deliver: published events are kept one file each
				lane.stop();
			}
		}
	}

	/** Removes a lane: it sends until the shutdown timeout, then its log is closed. */
	boolean remove(String name) {
		HandlerLane lane;
		synchronized (this.monitor) {
			lane = this.lanes.get(name);
			if (lane == null) {
				return false;
			}
			Map<String, HandlerLane> updated = new LinkedHashMap<>(this.lanes);
			updated.remove(name);
			this.lanes = Collections.unmodifiableMap(updated);
		}
		lane.beginClose(System.nanoTime() + this.shutdownTimeout.toNanos());
		awaitClosed(lane);
		if (lane.log() != null) {
			try {
				this.spool.writer().detach(lane).get(this.shutdownTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			catch (ExecutionException | TimeoutException ex) {
				logger.warn("The log of event handler '{}' was not closed in time: {}", name, ex.toString());
			}
		}
		return true;
	}

	/** Hands a read-only copy of an event to every lane, through the spool. */
	void publish(Event copy) {
		Map<String, HandlerLane> current = this.lanes;
		if (current.isEmpty()) {
			return;
		}
		if (this.state == State.NEW && !this.spool.isOpen()) {
			synchronized (this.monitor) {
				try {
					if (this.state == State.NEW) {
						open();
					}
				}
				catch (RuntimeException ex) {
					logger.error("Cannot open the event spool of EventManager '{}' before its start: {}",
							this.managerName, ex.getMessage());
				}
			}
		}
		this.spool.publish(copy, current.values());
	}

	void start() {
		synchronized (this.monitor) {
			if (this.state == State.RUNNING) {
				return;
			}
			if (this.state != State.NEW) {
				throw new IllegalStateException(
						"EventManager '" + this.managerName + "' was closed and cannot be restarted");
			}
			open();
			for (HandlerLane lane : this.lanes.values()) {
				lane.start(threadNamePrefix(this.managerName));
			}
			this.state = State.RUNNING;
			logger.debug("EventManager '{}' started, spooling to {}", this.managerName, this.spool.getRoot());
		}
	}

	private void open() {
		if (!this.spool.isOpen()) {
			this.spool.open();
		}
		this.lanes.values().forEach(this::activate);
	}

	private void activate(HandlerLane lane) {
		if (lane.log() == null) {
			lane.activate();
			this.spool.writer().attach(lane);
		}
	}

	void close() {
		Map<String, HandlerLane> closing;
		synchronized (this.monitor) {
			if (this.state == State.CLOSED) {
				return;
			}
			this.state = State.CLOSED;
			closing = this.lanes;
		}
		this.spool.writer().stopIntake();
		long deadline = System.nanoTime() + this.shutdownTimeout.toNanos();
		closing.values().forEach((lane) -> lane.beginClose(deadline));
		closing.values().forEach(this::awaitClosed);
		this.spool.close();
		logger.debug("EventManager '{}' closed", this.managerName);
	}

	private void awaitClosed(HandlerLane lane) {
		try {
			lane.awaitClosed();
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			logger.warn("Interrupted while closing event handler '{}'", lane.getName());
		}
	}

	enum State {

		NEW, RUNNING, CLOSED

	}

}
