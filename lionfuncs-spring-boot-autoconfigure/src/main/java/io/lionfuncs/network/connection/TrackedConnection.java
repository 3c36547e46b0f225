package io.lionfuncs.network.connection;

import java.net.SocketAddress;
import java.time.Duration;

import io.lionfuncs.network.connection.ConnectionEvent.Closed;
import io.lionfuncs.network.connection.ConnectionEvent.RawData;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import org.jspecify.annotations.Nullable;

/**
 * One connection of a {@link ConnectionTracker}: the first handler of its channel's
 * pipeline, so that it sees the bytes as they go over the wire, every close the client
 * asks for, and the I/O errors of the transport; and the connection's state (busy, idle,
 * closed), which the tracker's connection observer moves on acquire and release.
 * <p>
 * A close that passes through this handler while the channel is open was asked for by
 * the client (the pool evicting or disposing, Reactor Netty ending an exchange); a close
 * that does not was the server's (end of stream) or the transport's (I/O error). Events
 * are published under this object's lock, so each connection's events stay in order
 * even when the pool releases it on another thread.
 */
final class TrackedConnection extends ChannelDuplexHandler {

	private enum State {

		OPENING, BUSY, IDLE, CLOSED

	}

	private final ConnectionTracker tracker;

	private volatile @Nullable String id;

	private volatile @Nullable SocketAddress remoteAddress;

	private volatile long openedAt;

	private State state = State.OPENING;

	/**
	 * Releases still to come for exchanges that ended before the connection was acquired
	 * again: under contention the pool can hand a released connection to a waiting
	 * request before Reactor Netty reports the release.
	 */
	private int lateReleases;

	private long requestsServed;

	private boolean serverAskedToClose;

	private boolean closedByClient;

	private boolean failed;

	TrackedConnection(ConnectionTracker tracker) {
		this.tracker = tracker;
	}

	String id() {
		String id = this.id;
		return (id != null) ? id : "unknown";
	}

	@Nullable SocketAddress remoteAddress() {
		return this.remoteAddress;
	}

	// ---------------------------------------------------------------- channel

	@Override
	public void channelActive(ChannelHandlerContext ctx) throws Exception {
		Channel channel = ctx.channel();
		this.id = channel.id().asShortText();
		this.remoteAddress = channel.remoteAddress();
		this.openedAt = System.nanoTime();
		synchronized (this) {
			if (this.state == State.OPENING) {
				// A pool opens a connection for the request that is waiting for it.
				this.state = State.BUSY;
				this.tracker.opened(this);
			}
		}
		super.channelActive(ctx);
	}

	@Override
	public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
		if (msg instanceof ByteBuf buffer) {
			transferred(RawData.Direction.READ, buffer.readableBytes(), buffer);
		}
		super.channelRead(ctx, msg);
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
		if (msg instanceof ByteBuf buffer) {
			transferred(RawData.Direction.WRITTEN, buffer.readableBytes(), buffer);
		}
		else if (msg instanceof ByteBufHolder holder) {
			transferred(RawData.Direction.WRITTEN, holder.content().readableBytes(), holder.content());
		}
		else if (msg instanceof FileRegion region) {
			transferred(RawData.Direction.WRITTEN, region.count() - region.transferred(), null);
		}
		super.write(ctx, msg, promise);
	}

	@Override
	public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
		if (ctx.channel().isActive()) {
			synchronized (this) {
				this.closedByClient = true;
			}
		}
		super.close(ctx, promise);
	}

	@Override
	public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
		synchronized (this) {
			this.failed = true;
		}
		super.exceptionCaught(ctx, cause);
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) throws Exception {
		closed(ConnectionTracker.isClosingForServerKeepAlive(ctx.channel()));
		super.channelInactive(ctx);
	}

	private void transferred(RawData.Direction direction, long bytes, @Nullable ByteBuf content) {
		if (bytes <= 0) {
			return;
		}
		synchronized (this) {
			if (this.state != State.OPENING && this.state != State.CLOSED) {
				this.tracker.transferred(this, direction, bytes, content);
			}
		}
	}

	// ---------------------------------------------------------------- pool

	/**
	 * The pool handed the (idle) connection to a request.
	 */
	synchronized void acquired() {
		if (this.state == State.IDLE) {
			this.state = State.BUSY;
			this.tracker.becameBusy(this);
		}
		else if (this.state == State.BUSY) {
			// Re-acquired before the previous release was reported: it was idle in between.
			this.lateReleases++;
			this.tracker.becameIdle(this);
			this.tracker.becameBusy(this);
		}
	}

	/**
	 * A response arrived on the connection.
	 * @param keepAlive whether the server lets the connection be reused
	 */
	synchronized void responseReceived(boolean keepAlive) {
		this.requestsServed++;
		if (!keepAlive) {
			this.serverAskedToClose = true;
		}
	}

	/**
	 * The exchange ended and the connection went back to the pool.
	 */
	synchronized void released() {
		if (this.lateReleases > 0) {
			this.lateReleases--;
			return;
		}
		if (this.state == State.BUSY) {
			this.state = State.IDLE;
			this.tracker.becameIdle(this);
		}
	}

	private synchronized void closed(boolean forServerKeepAlive) {
		if (this.state == State.OPENING || this.state == State.CLOSED) {
			return;
		}
		boolean wasIdle = this.state == State.IDLE;
		this.state = State.CLOSED;
		Duration lifetime = Duration.ofNanos(Math.max(0, System.nanoTime() - this.openedAt));
		this.tracker.closed(this, wasIdle, reason(wasIdle, forServerKeepAlive), lifetime, this.requestsServed);
	}

	private Closed.Reason reason(boolean wasIdle, boolean forServerKeepAlive) {
		if (this.failed) {
			return Closed.Reason.ERROR;
		}
		if (!this.closedByClient) {
			return Closed.Reason.SERVER_CLOSED;
		}
		if (this.tracker.isPoolDisposing()) {
			return Closed.Reason.POOL_DISPOSED;
		}
		if (this.serverAskedToClose || (wasIdle && forServerKeepAlive)) {
			return Closed.Reason.SERVER_CLOSED;
		}
		return wasIdle ? Closed.Reason.IDLE_EVICTED : Closed.Reason.ERROR;
	}

}
