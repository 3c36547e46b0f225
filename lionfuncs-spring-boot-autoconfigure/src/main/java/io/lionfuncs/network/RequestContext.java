package io.lionfuncs.network;

import java.util.List;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the requests of one executor share: its name, clock, redaction, log bound and
 * status listeners. Requests created on their own share {@link #STANDALONE}.
 */
final class RequestContext {

	private static final Logger logger = LoggerFactory.getLogger(RequestContext.class);

	private static final RequestStatusListener[] NO_LISTENERS = {};

	/** The context of events created outside an executor: no name, no listeners. */
	static final RequestContext STANDALONE = new RequestContext(null, WallClock.system(), Redactor.defaults(),
			RequestLog.DEFAULT_MAX_ENTRIES, new ListenerList<>(NO_LISTENERS, List.of()));

	private final @Nullable String executorName;

	private final WallClock clock;

	private final Redactor redactor;

	private final int maxLogEntries;

	private final ListenerList<RequestStatusListener> listeners;

	// Racing threads may replace it with equal ones; any of them will do.
	private volatile @Nullable RedactedUrl lastUrl;

	RequestContext(@Nullable String executorName, WallClock clock, Redactor redactor, int maxLogEntries,
			ListenerList<RequestStatusListener> listeners) {
		this.executorName = executorName;
		this.clock = clock;
		this.redactor = redactor;
		this.maxLogEntries = maxLogEntries;
		this.listeners = listeners;
	}

	static ListenerList<RequestStatusListener> listeners(List<RequestStatusListener> initial) {
		return new ListenerList<>(NO_LISTENERS, initial);
	}

	@Nullable String executorName() {
		return this.executorName;
	}

	/**
	 * The current time, for timestamps.
	 * @return nanoseconds since the epoch, see {@link WallClock}
	 */
	long epochNanos() {
		return this.clock.epochNanos();
	}

	Redactor redactor() {
		return this.redactor;
	}

	/**
	 * The URL redacted, remembering the last one: requests mostly repeat a URL or URI
	 * template given as the same string.
	 */
	@Nullable String redactedUrl(@Nullable String url) {
		if (url == null) {
			return null;
		}
		RedactedUrl last = this.lastUrl;
		if (last != null && last.url == url) {
			return last.redacted;
		}
		String redacted = this.redactor.url(url);
		this.lastUrl = new RedactedUrl(url, redacted);
		return redacted;
	}

	int maxLogEntries() {
		return this.maxLogEntries;
	}

	boolean hasListeners() {
		return !this.listeners.isEmpty();
	}

	/**
	 * Tells every listener of a change; one that fails is logged and does not stop the
	 * others.
	 */
	void statusChanged(NetworkRequestEvent event, RequestStatus previous, RequestStatus current) {
		for (RequestStatusListener listener : this.listeners.current()) {
			try {
				listener.onStatusChange(event, previous, current);
			}
			catch (RuntimeException ex) {
				logger.warn("Status listener {} of executor '{}' failed for {} {} -> {}", listener,
						this.executorName, event.getRequestId(), previous, current, ex);
			}
		}
	}

	private record RedactedUrl(String url, @Nullable String redacted) {
	}

}
