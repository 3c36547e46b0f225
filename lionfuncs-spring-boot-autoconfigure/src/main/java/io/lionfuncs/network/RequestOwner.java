package io.lionfuncs.network;

import org.jspecify.annotations.Nullable;

/**
 * What a {@link NetworkRequestEvent} needs from whoever runs it: time, redaction,
 * listeners and cancellation. The executor is the usual owner; an event created on its
 * own has a standalone owner.
 */
interface RequestOwner {

	@Nullable String executorName();

	/**
	 * The current time, for timestamps.
	 * @return nanoseconds since the epoch, see {@link WallClock}
	 */
	long epochNanos();

	Redactor redactor();

	int maxLogEntries();

	boolean hasListeners();

	void statusChanged(NetworkRequestEvent event, RequestStatus previous, RequestStatus current);

	boolean cancel(NetworkRequestEvent event, String reason);

	boolean managesStatus();

	/**
	 * The owner of an event created outside an executor: its status is set by the
	 * caller.
	 */
	final class Standalone implements RequestOwner {

		static final Standalone INSTANCE = new Standalone();


		@Override
		public @Nullable String executorName() {
			return null;
		}

		@Override
		public long epochNanos() {
			return WallClock.system().epochNanos();
		}

		@Override
		public Redactor redactor() {
			return Redactor.defaults();
		}

		@Override
		public int maxLogEntries() {
			return NetworkRequestEvent.DEFAULT_MAX_LOG_ENTRIES;
		}

		@Override
		public boolean hasListeners() {
			return false;
		}

		@Override
		public void statusChanged(NetworkRequestEvent event, RequestStatus previous, RequestStatus current) {
		}

		@Override
		public boolean cancel(NetworkRequestEvent event, String reason) {
			RequestStatus previous = event.finishCancelled(reason);
			if (previous == null) {
				return false;
			}
			event.announceTerminal(previous);
			return true;
		}

		@Override
		public boolean managesStatus() {
			return false;
		}

	}

}
