package io.lionfuncs.network.limit.redis;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.scheduler.Schedulers;

/**
 * The one connection of a {@link RedisBucketStore}: opened (again) when needed, reported
 * when it drops, and closed once. A connection closed on purpose, by the store or by the
 * client it came from shutting down (its application stopping), is no outage: it is let
 * go quietly, and opened afresh if it is used again.
 */
final class StoreConnection {

	private static final Logger logger = LoggerFactory.getLogger(RedisBucketStore.class);

	private final RedisConnector connector;

	private final Runnable onOpened;

	private final Consumer<Throwable> onLost;

	private final Object monitor = new Object();

	private volatile @Nullable StatefulConnection<String, byte[]> current;

	private volatile boolean closed;

	/**
	 * Creates a connection, not opened yet.
	 * @param connector opens it
	 * @param onOpened called when a connection was opened
	 * @param onLost called with the failure when an open connection dropped
	 */
	StoreConnection(RedisConnector connector, Runnable onOpened, Consumer<Throwable> onLost) {
		this.connector = connector;
		this.onOpened = onOpened;
		this.onLost = onLost;
	}

	/**
	 * The commands of the open connection, without connecting.
	 * @return the commands
	 * @throws RedisUnavailableException when not connected
	 */
	RedisClusterAsyncCommands<String, byte[]> commands() {
		StatefulConnection<String, byte[]> connection = this.current;
		if (connection == null) {
			throw new RedisUnavailableException("Not connected to Redis", null);
		}
		return commandsOf(connection);
	}

	/**
	 * The commands of the connection, opening it first when it is not open (Lettuce
	 * would keep reconnecting with a growing back-off; a fresh connection answers as soon
	 * as Redis does). May block while connecting.
	 * @return the commands
	 */
	RedisClusterAsyncCommands<String, byte[]> open() {
		synchronized (this.monitor) {
			if (this.closed) {
				throw new IllegalStateException("Redis bucket store is closed");
			}
			StatefulConnection<String, byte[]> connection = this.current;
			if (connection != null && connection.isOpen()) {
				return commandsOf(connection);
			}
			if (connection != null) {
				this.current = null;
				closeQuietly(connection);
			}
			StatefulConnection<String, byte[]> opened = this.connector.connect();
			opened.addListener(new DisconnectListener(opened));
			this.onOpened.run();
			this.current = opened;
			return commandsOf(opened);
		}
	}

	/**
	 * Closes the connection, for good, waiting up to the given time for it to close (not
	 * on a non-blocking thread), so that a client shut down right after finds it closed.
	 * @param timeout how long to wait
	 */
	void close(Duration timeout) {
		StatefulConnection<String, byte[]> connection;
		synchronized (this.monitor) {
			this.closed = true;
			connection = this.current;
			this.current = null;
		}
		if (connection == null) {
			return;
		}
		CompletableFuture<Void> closing = closeQuietly(connection);
		if (Schedulers.isInNonBlockingThread()) {
			return;
		}
		try {
			closing.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
			logger.debug("Connection to Redis for shared rate limits did not close cleanly", ex);
		}
	}

	private static RedisClusterAsyncCommands<String, byte[]> commandsOf(StatefulConnection<String, byte[]> connection) {
		if (connection instanceof StatefulRedisConnection<String, byte[]> standalone) {
			return standalone.async();
		}
		if (connection instanceof StatefulRedisClusterConnection<String, byte[]> cluster) {
			return cluster.async();
		}
		throw new IllegalStateException("Unsupported Redis connection " + connection.getClass().getName());
	}

	/**
	 * Closes a connection unless it is closed already (its client shut down): Lettuce
	 * warns about closing it twice.
	 */
	private static CompletableFuture<Void> closeQuietly(StatefulConnection<String, byte[]> connection) {
		if (connection instanceof RedisChannelHandler<?, ?> handler && handler.isClosed()) {
			return CompletableFuture.completedFuture(null);
		}
		return connection.closeAsync();
	}

	/**
	 * Reports the connection lost as soon as it drops, instead of at the next timed-out
	 * operation, unless it was closed on purpose.
	 */
	private final class DisconnectListener implements RedisConnectionStateListener {

		private final StatefulConnection<String, byte[]> owner;

		DisconnectListener(StatefulConnection<String, byte[]> owner) {
			this.owner = owner;
		}

		@Override
		public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
			if (StoreConnection.this.current != this.owner) {
				return;
			}
			if (connection.isClosed() || StoreConnection.this.closed) {
				logger.debug("Connection to Redis for shared rate limits closed by its client");
				synchronized (StoreConnection.this.monitor) {
					if (StoreConnection.this.current == this.owner) {
						StoreConnection.this.current = null;
					}
				}
				return;
			}
			StoreConnection.this.onLost.accept(new RedisUnavailableException("Connection to Redis lost", null));
		}

	}

}
