package io.lionfuncs.network.client;

import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelPromise;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;

/**
 * Where a paced request ({@link WritePacer}) waits for its turn on a connection of the
 * client's own pool: at the head of the channel's pipeline, its bytes already encoded,
 * so that nothing but the socket write follows the turn. A request is marked for it
 * ({@link #mark}) just before it is written; its writes and flushes are then held until
 * the pacer lets it through, and pass through at once after. Unmarked writes (direct
 * requests, TLS handshakes) are never held. Held writes of a connection that closes are
 * released and failed.
 */
final class WriteGate extends ChannelDuplexHandler {

	static final String HANDLER_NAME = "lionfuncs.WriteGate";

	private static final AttributeKey<Boolean> MARKED = AttributeKey.valueOf(WriteGate.class, "marked");

	private final WritePacer pacer;

	// Used on the channel's event loop only.
	private final ArrayDeque<Held> held = new ArrayDeque<>();

	private boolean holding;

	private boolean flushHeld;

	private @Nullable Disposable turn;

	WriteGate(WritePacer pacer) {
		this.pacer = pacer;
	}

	/**
	 * Installs a gate on a new channel of the pool.
	 * @param channel the channel
	 * @param pacer the client's pacer
	 */
	static void install(Channel channel, WritePacer pacer) {
		channel.pipeline().addFirst(HANDLER_NAME, new WriteGate(pacer));
	}

	/**
	 * Holds the next request written on a channel until its turn.
	 * @param channel the request's channel
	 * @return {@code false} when the channel has no gate (the request must wait for its
	 * turn before it is written)
	 */
	static boolean mark(Channel channel) {
		if (channel.pipeline().get(HANDLER_NAME) == null) {
			return false;
		}
		channel.attr(MARKED).set(Boolean.TRUE);
		return true;
	}

	@Override
	public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
		if (!this.holding && ctx.channel().attr(MARKED).getAndSet(null) != null) {
			this.holding = true;
			this.turn = this.pacer.turn().subscribe(null, (ex) -> ctx.executor().execute(() -> open(ctx)),
					() -> ctx.executor().execute(() -> open(ctx)));
		}
		if (this.holding) {
			this.held.add(new Held(msg, promise));
		}
		else {
			ctx.write(msg, promise);
		}
	}

	@Override
	public void flush(ChannelHandlerContext ctx) {
		if (this.holding) {
			this.flushHeld = true;
		}
		else {
			ctx.flush();
		}
	}

	private void open(ChannelHandlerContext ctx) {
		if (!this.holding) {
			return;
		}
		this.holding = false;
		this.turn = null;
		for (Held write = this.held.poll(); write != null; write = this.held.poll()) {
			ctx.write(write.msg(), write.promise());
		}
		if (this.flushHeld) {
			this.flushHeld = false;
			ctx.flush();
		}
	}

	@Override
	public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
		discard();
		super.close(ctx, promise);
	}

	@Override
	public void channelInactive(ChannelHandlerContext ctx) throws Exception {
		discard();
		super.channelInactive(ctx);
	}

	@Override
	public void handlerRemoved(ChannelHandlerContext ctx) {
		discard();
	}

	/**
	 * Gives up the turn (a waiting request that stops waiting takes no token) and fails
	 * what was held.
	 */
	private void discard() {
		Disposable waiting = this.turn;
		if (waiting != null) {
			waiting.dispose();
			this.turn = null;
		}
		this.holding = false;
		this.flushHeld = false;
		for (Held write = this.held.poll(); write != null; write = this.held.poll()) {
			ReferenceCountUtil.release(write.msg());
			write.promise().tryFailure(new ClosedChannelException());
		}
	}

	private record Held(Object msg, ChannelPromise promise) {

	}

}
