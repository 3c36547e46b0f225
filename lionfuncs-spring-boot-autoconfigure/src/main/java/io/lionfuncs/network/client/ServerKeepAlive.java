package io.lionfuncs.network.client;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.lionfuncs.network.connection.ConnectionTracker;
import io.netty.channel.Channel;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.Connection;
import reactor.netty.resources.ConnectionProvider;

/**
 * What a client has learned of each server's keep-alive timeout, and the pool's eviction
 * rule that keeps connections idle for less: a request is never sent on a connection the
 * server is about to close.
 * <p>
 * A server's keep-alive shows in a {@code Keep-Alive: timeout=N} response header, and in
 * the idle time after which the server has been seen to close a pooled connection. The
 * shortest seen is kept, and a connection is used only while its idle time stays below it
 * by a safety margin (a quarter of it, at least {@link #MIN_MARGIN}), and below the
 * client's own max idle time.
 */
final class ServerKeepAlive {

	/** The least a connection's idle time stays below a server's keep-alive timeout. */
	static final Duration MIN_MARGIN = Duration.ofMillis(100);

	/** A close this soon after a connection went idle says nothing of a keep-alive timer. */
	static final Duration MIN_OBSERVED_IDLE = Duration.ofMillis(100);

	private static final int MAX_SERVERS = 256;

	private static final Pattern TIMEOUT = Pattern.compile("(?i)(?:^|[,;\\s])timeout\\s*=\\s*\"?(\\d{1,9})");

	private static final Logger logger = LoggerFactory.getLogger(ServerKeepAlive.class);

	private final String clientName;

	private final long maxIdleNanos;

	private final Map<SocketAddress, Long> keepAliveNanos = new ConcurrentHashMap<>();

	/**
	 * Creates an empty record.
	 * @param clientName the client's name, for logs
	 * @param maxIdleTime the client's own limit, or {@code null} for none
	 */
	ServerKeepAlive(String clientName, @Nullable Duration maxIdleTime) {
		this.clientName = clientName;
		this.maxIdleNanos = (maxIdleTime != null) ? maxIdleTime.toNanos() : Long.MAX_VALUE;
	}

	/**
	 * A response's {@code Keep-Alive} header.
	 * @param server the server's address
	 * @param keepAliveHeader the header's value, or {@code null} when absent
	 */
	void announced(@Nullable SocketAddress server, @Nullable String keepAliveHeader) {
		Duration timeout = timeout(keepAliveHeader);
		if (server != null && timeout != null) {
			learn(server, timeout, "announces");
		}
	}

	/**
	 * The server closed a connection that had been idle that long.
	 * @param server the server's address
	 * @param idle how long the connection had been idle
	 */
	void closedWhenIdle(@Nullable SocketAddress server, Duration idle) {
		if (server != null && idle.compareTo(MIN_OBSERVED_IDLE) >= 0) {
			learn(server, idle, "closed a connection idle for");
		}
	}

	/**
	 * How long a connection to a server may stay idle and still be used.
	 * @param server the server's address
	 * @return the limit in nanoseconds; {@link Long#MAX_VALUE} for none
	 */
	long idleLimitNanos(@Nullable SocketAddress server) {
		return Math.min(this.maxIdleNanos, serverLimitNanos(server));
	}

	/**
	 * The pool's eviction rule: a connection closed or not reusable, or idle for as long
	 * as the client's max idle time or the server's limit, is closed.
	 * @param connection the pooled connection
	 * @param metadata its use
	 * @return whether to close it
	 */
	boolean evict(Connection connection, ConnectionProvider.ConnectionMetadata metadata) {
		Channel channel = connection.channel();
		if (!channel.isActive() || !connection.isPersistent()) {
			return true;
		}
		long idleNanos = Duration.ofMillis(metadata.idleTime()).toNanos();
		if (idleNanos >= this.maxIdleNanos) {
			return true;
		}
		if (idleNanos >= serverLimitNanos(channel.remoteAddress())) {
			ConnectionTracker.closingForServerKeepAlive(channel);
			return true;
		}
		return false;
	}

	private long serverLimitNanos(@Nullable SocketAddress server) {
		Long keepAlive = (server != null) ? this.keepAliveNanos.get(server) : null;
		if (keepAlive == null) {
			return Long.MAX_VALUE;
		}
		long margin = Math.max(keepAlive / 4, MIN_MARGIN.toNanos());
		return Math.max(0, keepAlive - margin);
	}

	private void learn(SocketAddress server, Duration keepAlive, String seen) {
		long nanos = keepAlive.toNanos();
		Long previous = this.keepAliveNanos.get(server);
		if (previous != null && previous <= nanos) {
			return;
		}
		if (previous == null && this.keepAliveNanos.size() >= MAX_SERVERS) {
			return;
		}
		this.keepAliveNanos.merge(server, nanos, Math::min);
		if (logger.isDebugEnabled()) {
			logger.debug("Client '{}': server {} {} {}; its connections are used while idle less than {} ms",
					this.clientName, server, seen, keepAlive, idleLimitNanos(server) / 1_000_000);
		}
	}

	/**
	 * The {@code timeout} parameter of a {@code Keep-Alive} header, in seconds (RFC 2068
	 * section 19.7.1.1).
	 * @param keepAliveHeader the header's value
	 * @return the timeout, or {@code null} when none is given
	 */
	static @Nullable Duration timeout(@Nullable String keepAliveHeader) {
		if (keepAliveHeader == null) {
			return null;
		}
		Matcher matcher = TIMEOUT.matcher(keepAliveHeader);
		return matcher.find() ? Duration.ofSeconds(Long.parseLong(matcher.group(1))) : null;
	}

}
