package io.lionfuncs.event;

import java.util.concurrent.atomic.LongAdder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one handler did, counted and logged: a failure of published events is logged
 * once when the handler starts failing and once when it takes events again, not for
 * every attempt in between.
 */
final class HandlerCounters {

	private static final Logger logger = LoggerFactory.getLogger(EventManager.class);

	private final String name;

	private final LongAdder sent = new LongAdder();

	private final LongAdder failed = new LongAdder();

	private final LongAdder rejected = new LongAdder();

	private final LongAdder lost = new LongAdder();

	private volatile boolean failing;

	HandlerCounters(String name) {
		this.name = name;
	}

	/** Counts a call made by {@link EventManager#sendEvent}: nothing is retried or kept. */
	void sentNow(Outcome outcome, Event event) {
		if (outcome.isSent()) {
			this.sent.increment();
			return;
		}
		this.failed.increment();
		if (outcome.kind() == Outcome.Kind.REJECTED) {
			logger.warn("Event handler '{}' refused {}: {}", this.name, event, outcome.reason());
		}
		else {
			logger.warn("Event handler '{}' did not take {}: {}", this.name, event, outcome.reason());
		}
		debugError(outcome);
	}

	/** Counts a delivery of a published event. */
	void delivered(Outcome outcome, Event event) {
		switch (outcome.kind()) {
			case SENT -> {
				this.sent.increment();
				if (this.failing) {
					this.failing = false;
					logger.info("Event handler '{}' takes events again", this.name);
				}
			}
			case FAILED -> {
				this.failed.increment();
				if (!this.failing) {
					this.failing = true;
					logger.warn("Event handler '{}' did not take {} ({}); it stays in the spool and will be re-sent",
							this.name, event, outcome.reason());
				}
				else {
					logger.debug("Event handler '{}' still does not take events ({})", this.name, outcome.reason());
				}
			}
			case REJECTED -> {
				this.failed.increment();
				this.rejected.increment();
			}
		}
		debugError(outcome);
	}

	/** Counts a record of the log that could not be read, kept in the dead-letter folder. */
	void unreadable(long count) {
		this.rejected.add(count);
	}

	void lost() {
		this.lost.increment();
	}

	long sent() {
		return this.sent.sum();
	}

	long failed() {
		return this.failed.sum();
	}

	long rejected() {
		return this.rejected.sum();
	}

	long lostCount() {
		return this.lost.sum();
	}

	private void debugError(Outcome outcome) {
		if (outcome.error() != null) {
			logger.debug("Event handler '{}' failed", this.name, outcome.error());
		}
	}

}
