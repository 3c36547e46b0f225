package io.lionfuncs.network.connection;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

import io.lionfuncs.network.connection.ConnectionEvent.Closed;

/**
 * A client's connections at one moment, as counted from its {@link ConnectionEvent}s,
 * plus its pool's waiting acquires.
 *
 * @param clientName the client's name
 * @param active connections busy with an exchange
 * @param idle connections open and idle in the pool
 * @param closed connections closed so far, by reason (every reason present)
 * @param bytesRead bytes read from servers so far
 * @param bytesWritten bytes written to servers so far
 * @param pendingAcquires requests waiting for a connection because the pool is at its
 * maximum (0 when the client was given a pool of someone else's)
 */
public record ConnectionStats(String clientName, int active, int idle, Map<Closed.Reason, Long> closed,
		long bytesRead, long bytesWritten, int pendingAcquires) {

	public ConnectionStats {
		EnumMap<Closed.Reason, Long> all = new EnumMap<>(Closed.Reason.class);
		for (Closed.Reason reason : Closed.Reason.values()) {
			all.put(reason, closed.getOrDefault(reason, 0L));
		}
		closed = Collections.unmodifiableMap(all);
	}

	/**
	 * Connections closed so far, whatever the reason.
	 * @return the count
	 */
	public long closedTotal() {
		return this.closed.values().stream().mapToLong(Long::longValue).sum();
	}

	/**
	 * Connections open now.
	 * @return active plus idle
	 */
	public int open() {
		return this.active + this.idle;
	}

}
