package io.lionfuncs.autoconfigure.actuate.endpoint;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.ExecutorStats;
import io.lionfuncs.network.client.AsyncApiClient;
import io.lionfuncs.network.connection.ConnectionStats;
import io.lionfuncs.network.connection.ConnectionTracker;
import org.jspecify.annotations.Nullable;
import reactor.netty.resources.ConnectionProvider;

/**
 * The {@code connections} section of the {@code lionfuncs} endpoint: for each client,
 * its connections as counted from their events, and its pool's size and waiting
 * acquires beside its executor's queue depth and concurrency limit, so that a
 * concurrency limit above the pool size shows.
 *
 * @since 0.1.0
 */
public class ConnectionsEndpointContributor implements LionfuncsEndpointContributor {

	private final List<AsyncApiClient> clients;

	private final List<Executor> executors;

	public ConnectionsEndpointContributor(List<AsyncApiClient> clients, List<Executor> executors) {
		this.clients = clients;
		this.executors = executors;
	}

	@Override
	public String section() {
		return "connections";
	}

	@Override
	public Map<String, ClientConnectionsDescriptor> describe() {
		Map<String, Executor> executors = new LinkedHashMap<>();
		this.executors.forEach((executor) -> executors.putIfAbsent(executor.getName(), executor));
		Map<String, ClientConnectionsDescriptor> connections = new LinkedHashMap<>();
		for (AsyncApiClient client : this.clients) {
			connections.putIfAbsent(client.getName(),
					ClientConnectionsDescriptor.of(client, executors.get(client.getName())));
		}
		return connections;
	}

	/**
	 * One client's connections. The counts are {@code null} when its connection events
	 * are off; the pool's figures when it does not build its own pool.
	 *
	 * @param events whether the client's connection events are on
	 * @param active connections busy with an exchange
	 * @param idle connections idle in the pool
	 * @param closed connections closed so far
	 * @param closedByReason connections closed so far, by reason ({@code idle-evicted},
	 * {@code server-closed}, {@code error}, {@code pool-disposed})
	 * @param bytesRead bytes read from the server so far
	 * @param bytesWritten bytes written to the server so far
	 * @param maxConnections the pool's connections per host
	 * @param maxIdleTime how long a connection may stay idle, ISO-8601
	 * @param pendingAcquires requests waiting for a connection
	 * @param executorQueueDepth tasks waiting in the queue of the executor of the same
	 * name
	 * @param executorConcurrencyLimit calls that executor lets be in flight
	 */
	public record ClientConnectionsDescriptor(boolean events, @Nullable Integer active, @Nullable Integer idle,
			@Nullable Long closed, @Nullable Map<String, Long> closedByReason, @Nullable Long bytesRead,
			@Nullable Long bytesWritten, @Nullable Integer maxConnections, @Nullable String maxIdleTime,
			@Nullable Integer pendingAcquires, @Nullable Integer executorQueueDepth,
			@Nullable Integer executorConcurrencyLimit) {

		static ClientConnectionsDescriptor of(AsyncApiClient client, @Nullable Executor executor) {
			ConnectionProvider pool = client.getConnectionProvider();
			Integer maxConnections = (pool != null && pool.maxConnections() > 0) ? pool.maxConnections() : null;
			Duration maxIdleTime = client.getMaxIdleTime();
			ExecutorStats queue = (executor != null) ? executor.stats() : null;
			Integer queueDepth = (queue != null) ? queue.queueDepth() : null;
			Integer concurrencyLimit = (queue != null) ? queue.concurrencyLimit() : null;
			String idleTime = (maxIdleTime != null) ? maxIdleTime.toString() : null;
			ConnectionTracker tracker = client.getConnectionTracker();
			if (tracker == null) {
				return new ClientConnectionsDescriptor(false, null, null, null, null, null, null, maxConnections,
						idleTime, null, queueDepth, concurrencyLimit);
			}
			ConnectionStats stats = tracker.stats();
			Map<String, Long> closedByReason = new LinkedHashMap<>();
			stats.closed().forEach((reason, count) -> closedByReason.put(reason.value(), count));
			return new ClientConnectionsDescriptor(true, stats.active(), stats.idle(), stats.closedTotal(),
					closedByReason, stats.bytesRead(), stats.bytesWritten(), maxConnections, idleTime,
					stats.pendingAcquires(), queueDepth, concurrencyLimit);
		}

	}

}
