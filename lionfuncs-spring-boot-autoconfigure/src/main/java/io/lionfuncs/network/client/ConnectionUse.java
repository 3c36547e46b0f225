package io.lionfuncs.network.client;

import java.net.SocketAddress;
import java.time.Duration;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.AttributeKey;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.ChannelPipelineConfigurer;
import reactor.netty.Connection;
import reactor.netty.ConnectionObserver;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientRequest;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.http.client.HttpClientState;

/**
 * How one pooled connection of a client's own connector has been used: when it opened,
 * when it last went back to the pool, whether a response asked to close it, and who
 * closed it.
 * From these the client learns a server's keep-alive ({@link ServerKeepAlive}: the
 * {@code Keep-Alive} header of each response, and the idle time after which the server
 * closed a connection), and tells a request sent on a connection that had been waiting
 * ({@link StaleConnectionRetry}).
 * <p>
 * A close that passes through this handler while the channel is open was asked for by
 * the client; one that does not was the server's or the transport's.
 */
final class ConnectionUse extends ChannelDuplexHandler {

	static final String HANDLER_NAME = "lionfuncs.ConnectionUse";

	private static final AttributeKey<ConnectionUse> KEY = AttributeKey.valueOf(ConnectionUse.class, "use");

	/**
	 * Installs the handler. Shared by every client, as is {@link #OBSERVER}, so that
	 * clients sharing a given pool keep sharing its connections (Reactor Netty pools a
	 * connection by the identity of these).
	 */
	private static final ChannelPipelineConfigurer INSTALL = (observer, channel, remoteAddress) -> {
		ConnectionUse use = new ConnectionUse();
		channel.attr(KEY).set(use);
		channel.pipeline().addFirst(HANDLER_NAME, use);
	};

	private static final ConnectionObserver OBSERVER = ConnectionUse::onStateChange;

	private volatile @Nullable ServerKeepAlive keepAlive;

	private volatile long openedAt = System.nanoTime();

	private volatile @Nullable SocketAddress server;

	private volatile long releasedAt;

	private volatile boolean busy = true;

	/** How long the connection had waited before its current exchange; 0 before any. */
	private volatile long waitedNanos;

	private volatile boolean responded;

	private volatile boolean serverAskedToClose;

	private volatile boolean closedByClient;

	private volatile boolean failed;

	private volatile Sinks.@Nullable Empty<Void> releaseWaiter;

	private ConnectionUse() {
	}

	/**
	 * Completes when a connection is back in its pool, or closed: Reactor Netty completes
	 * a response before it releases the response's connection.
	 * @param connection a connection of a client's own connector, or {@code null}
	 * @return completes at the connection's next release, at once if it is idle or is not
	 * followed
	 */
	static Mono<Void> released(@Nullable Connection connection) {
		ConnectionUse use = (connection != null) ? of(connection) : null;
		if (use == null) {
			return Mono.empty();
		}
		Sinks.Empty<Void> waiter = Sinks.empty();
		use.releaseWaiter = waiter;
		if (!use.busy || !connection.channel().isActive()) {
			waiter.tryEmitEmpty();
		}
		return waiter.asMono();
	}

	private void notifyReleased() {
		Sinks.Empty<Void> waiter = this.releaseWaiter;
		if (waiter != null) {
			this.releaseWaiter = null;
			waiter.tryEmitEmpty();
		}
	}

	/**
	 * Follows every connection of a Reactor Netty client.
	 * @param httpClient the client
	 * @param keepAlive what the client learns of its servers
	 * @return the client, instrumented
	 */
	static HttpClient instrument(HttpClient httpClient, ServerKeepAlive keepAlive) {
		return httpClient.doOnChannelInit(INSTALL).observe(OBSERVER).doOnConnected((connection) -> {
			ConnectionUse use = of(connection);
			if (use != null) {
				use.keepAlive = keepAlive;
			}
		})
			.doOnResponse((response, connection) -> keepAlive.announced(connection.channel().remoteAddress(),
					response.responseHeaders().get("Keep-Alive")))
			.doOnRequest(ConnectionUse::onRequest);
	}

	private static @Nullable ConnectionUse of(Connection connection) {
		return connection.channel().attr(KEY).get();
	}

	private static void onStateChange(Connection connection, ConnectionObserver.State state) {
		ConnectionUse use = of(connection);
		if (use == null) {
			return;
		}
		if (state == ConnectionObserver.State.ACQUIRED) {
			use.busy = true;
		}
		else if (state == ConnectionObserver.State.RELEASED) {
			use.releasedAt = System.nanoTime();
			use.busy = false;
			use.notifyReleased();
		}
		else if (state == HttpClientState.RESPONSE_RECEIVED && connection instanceof HttpClientResponse response) {
			use.responded = true;
			if (!response.isKeepAlive()) {
				use.serverAskedToClose = true;
			}
		}
	}

	/**
	 * Tells the exchange about to be sent how long its connection had waited.
	 */
	private static void onRequest(HttpClientRequest request, Connection connection) {
		ConnectionUse use = of(connection);
		if (use == null) {
			return;
		}
		long since = (use.releasedAt != 0) ? use.releasedAt : use.openedAt;
		use.waitedNanos = System.nanoTime() - since;
		use.responded = false;
		StaleConnectionRetry.Attempt attempt = StaleConnectionRetry.attempt(request.currentContextView());
		if (attempt != null) {
			attempt.sentOn(Duration.ofNanos(use.waitedNanos));
		}
	}

	@Override
	public void channelActive(ChannelHandlerContext ctx) throws Exception {
		this.openedAt = System.nanoTime();
		this.server = ctx.channel().remoteAddress();
		super.channelActive(ctx);
	}

	@Override
	public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
		if (ctx.channel().isActive()) {
			this.closedByClient = true;
		}
		super.close(ctx, promise);
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
		this.failed = true;
		super.exceptionCaught(ctx, cause);
	}

	/**
	 * Learns from a close of the server's: one of an idle connection, or one of a
	 * connection that had waited long before its request and got no response, the race of
	 * a request with the server's keep-alive timer (seen before the exchange fails, so
	 * that the exchange sent again already avoids connections as stale).
	 */
	@Override
	public void channelInactive(ChannelHandlerContext ctx) throws Exception {
		ServerKeepAlive keepAlive = this.keepAlive;
		if (keepAlive != null && !this.closedByClient && !this.serverAskedToClose) {
			long releasedAt = this.releasedAt;
			if (!this.busy && releasedAt != 0 && !this.failed) {
				keepAlive.closedWhenIdle(this.server, Duration.ofNanos(System.nanoTime() - releasedAt));
			}
			else if (this.busy && !this.responded && this.waitedNanos >= StaleConnectionRetry.STALE_AFTER.toNanos()) {
				keepAlive.closedWhenIdle(this.server, Duration.ofNanos(this.waitedNanos));
			}
		}
		notifyReleased();
		super.channelInactive(ctx);
	}

}
