package io.lionfuncs.reliability;

import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;

import reactor.netty.resources.ConnectionPoolMetrics;
import reactor.netty.resources.ConnectionProvider;

/**
 * Reads a Reactor Netty connection pool's own gauges (acquired, idle, allocated,
 * pending) through the pool's metrics hook, without a meter registry. Install it with
 * {@code ConnectionProvider.Builder#metrics(true, () -> probe)}.
 */
final class PoolProbe implements ConnectionProvider.MeterRegistrar {

	private final Map<String, ConnectionPoolMetrics> pools = new ConcurrentHashMap<>();

	@Override
	public void registerMetrics(String poolName, String id, SocketAddress remoteAddress,
			ConnectionPoolMetrics metrics) {
		this.pools.put(poolName + "/" + id + "/" + remoteAddress, metrics);
	}

	@Override
	public void deRegisterMetrics(String poolName, String id, SocketAddress remoteAddress) {
		// keep the last view: a disposed pool reads as empty
	}

	/** Connections handed out and not given back. */
	int acquired() {
		return sum(ConnectionPoolMetrics::acquiredSize);
	}

	/** Connections open, in use or idle. */
	int allocated() {
		return sum(ConnectionPoolMetrics::allocatedSize);
	}

	/** Acquisitions waiting for a connection. */
	int pending() {
		return sum(ConnectionPoolMetrics::pendingAcquireSize);
	}

	int pools() {
		return this.pools.size();
	}

	private int sum(ToIntFunction<ConnectionPoolMetrics> gauge) {
		return this.pools.values().stream().mapToInt(gauge).sum();
	}

}
