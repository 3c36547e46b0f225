package io.lionfuncs.network.connection;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import io.lionfuncs.network.connection.ConnectionEvent.Closed;
import io.lionfuncs.network.connection.ConnectionEvent.RawData;
import io.lionfuncs.network.connection.ConnectionEvent.Updated;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import reactor.netty.Connection;
import reactor.netty.ConnectionObserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

/**
 * Tests for {@link ConnectionTracker} and its per-connection handler on an
 * {@link EmbeddedChannel}: the busy and idle states the pool's observer drives, the bytes
 * counted, and why a connection closed.
 */
class ConnectionTrackerTests {

	private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

	private final ConnectionEventRecorder recorder = new ConnectionEventRecorder();

	private final ConnectionTracker tracker = ConnectionTracker.builder("api")
		.listener(this.recorder)
		.clock(Clock.fixed(NOW, ZoneOffset.UTC))
		.build();

	@Test
	void anExchangeIsBusyThenRawDataThenIdle() {
		EmbeddedChannel channel = open(this.tracker);
		channel.writeOutbound(Unpooled.copiedBuffer("GET / HTTP/1.1\r\n\r\n", StandardCharsets.US_ASCII));
		channel.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 204 No Content\r\n\r\n", StandardCharsets.US_ASCII));
		state(channel, ConnectionObserver.State.RELEASED);

		String id = channel.id().asShortText();
		assertThat(this.recorder.events()).containsExactly(new Updated("api", id, NOW, false),
				new RawData("api", id, NOW, RawData.Direction.WRITTEN, 18, channel.remoteAddress(), null),
				new RawData("api", id, NOW, RawData.Direction.READ, 27, channel.remoteAddress(), null),
				new Updated("api", id, NOW, true));
		assertThat(this.tracker.stats())
			.isEqualTo(new ConnectionStats("api", 0, 1, java.util.Map.of(), 27, 18, 0));
		channel.finishAndReleaseAll();
	}

	@Test
	void theBytesPassOnUntouched() {
		EmbeddedChannel channel = open(this.tracker);
		channel.writeOutbound(Unpooled.copiedBuffer("out", StandardCharsets.US_ASCII));
		channel.writeInbound(Unpooled.copiedBuffer("in", StandardCharsets.US_ASCII));

		assertThat(channel.<io.netty.buffer.ByteBuf>readOutbound().toString(StandardCharsets.US_ASCII)).isEqualTo("out");
		assertThat(channel.<io.netty.buffer.ByteBuf>readInbound().toString(StandardCharsets.US_ASCII)).isEqualTo("in");
		channel.finishAndReleaseAll();
	}

	@Test
	void closedByTheClientWhileIdleIsIdleEvicted() {
		EmbeddedChannel channel = open(this.tracker);
		state(channel, ConnectionObserver.State.RELEASED);

		channel.close();

		assertThat(lastClosed().reason()).isEqualTo(Closed.Reason.IDLE_EVICTED);
		assertThat(this.tracker.stats().open()).isZero();
		assertThat(this.tracker.stats().closed()).containsEntry(Closed.Reason.IDLE_EVICTED, 1L);
	}

	@Test
	void closedByTheServerIsServerClosed() {
		EmbeddedChannel channel = open(this.tracker);
		state(channel, ConnectionObserver.State.RELEASED);

		closedByPeer(channel);

		assertThat(lastClosed().reason()).isEqualTo(Closed.Reason.SERVER_CLOSED);
	}

	@Test
	void closedByTheClientInTheMiddleOfAnExchangeIsAnError() {
		EmbeddedChannel channel = open(this.tracker);

		channel.close();

		assertThat(lastClosed().reason()).isEqualTo(Closed.Reason.ERROR);
		assertThat(this.tracker.stats().active()).isZero();
	}

	@Test
	void closedByTheClientAfterTheServerSaidConnectionCloseIsServerClosed() {
		EmbeddedChannel channel = open(this.tracker);
		track(channel).responseReceived(false);

		channel.close();

		Closed closed = lastClosed();
		assertThat(closed.reason()).isEqualTo(Closed.Reason.SERVER_CLOSED);
		assertThat(closed.requestsServed()).isEqualTo(1);
	}

	@Test
	void anIoErrorIsAnError() {
		EmbeddedChannel channel = open(this.tracker);
		state(channel, ConnectionObserver.State.RELEASED);

		channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
		closedByPeer(channel);

		assertThat(lastClosed().reason()).isEqualTo(Closed.Reason.ERROR);
		assertThatIOException().isThrownBy(channel::checkException);
	}

	@Test
	void closedByTheClientWhileThePoolIsDisposedIsPoolDisposed() {
		EmbeddedChannel idle = open(this.tracker);
		state(idle, ConnectionObserver.State.RELEASED);
		EmbeddedChannel busy = open(this.tracker);
		this.tracker.poolDisposing();

		idle.close();
		state(busy, ConnectionObserver.State.RELEASED);
		busy.close();

		assertThat(this.recorder.closed()).extracting(Closed::reason)
			.containsExactly(Closed.Reason.POOL_DISPOSED, Closed.Reason.POOL_DISPOSED);
	}

	@Test
	void aConnectionAcquiredAgainBeforeItsReleaseIsReportedWasIdleInBetween() {
		EmbeddedChannel channel = open(this.tracker);
		state(channel, ConnectionObserver.State.RELEASED);
		state(channel, ConnectionObserver.State.ACQUIRED);

		// The pool hands the connection to a waiting request before the release is reported.
		state(channel, ConnectionObserver.State.ACQUIRED);
		state(channel, ConnectionObserver.State.RELEASED);
		assertThat(this.tracker.stats().active()).isEqualTo(1);
		state(channel, ConnectionObserver.State.RELEASED);

		assertThat(this.recorder.updates(channel.id().asShortText())).containsExactly(false, true, false, true, false,
				true);
		assertThat(this.tracker.stats().active()).isZero();
		assertThat(this.tracker.stats().idle()).isEqualTo(1);
	}

	@Test
	void aConnectionClosesOnceAndReportsNothingAfterwards() {
		EmbeddedChannel channel = open(this.tracker);
		channel.close();
		int events = this.recorder.events().size();

		state(channel, ConnectionObserver.State.RELEASED);
		state(channel, ConnectionObserver.State.ACQUIRED);
		channel.close();

		assertThat(this.recorder.events()).hasSize(events);
		assertThat(this.recorder.closed()).hasSize(1);
	}

	@Test
	void aConnectionThatNeverOpenedReportsNothing() {
		EmbeddedChannel channel = new EmbeddedChannel(false, false);
		this.tracker.track(channel);

		state(channel, ConnectionObserver.State.ACQUIRED);
		state(channel, ConnectionObserver.State.RELEASED);

		assertThat(this.recorder.events()).isEmpty();
		assertThat(this.tracker.stats().open()).isZero();
	}

	@Test
	void dataIsCapturedWhenAskedForAndEachReaderGetsItsOwnBuffer() {
		ConnectionEventRecorder capturing = new ConnectionEventRecorder();
		ConnectionTracker tracker = ConnectionTracker.builder("api").listener(capturing).captureData(true).build();
		EmbeddedChannel channel = open(tracker);

		channel.writeOutbound(Unpooled.copiedBuffer("secret", StandardCharsets.US_ASCII));

		RawData data = capturing.ofType(RawData.class).get(0);
		ByteBuffer first = data.data();
		assertThat(StandardCharsets.US_ASCII.decode(first).toString()).isEqualTo("secret");
		assertThat(StandardCharsets.US_ASCII.decode(data.data()).toString()).isEqualTo("secret");
		assertThat(data.data().isReadOnly()).isTrue();
		assertThat(data.toString()).doesNotContain("secret").contains("WRITTEN 6 bytes");
		channel.finishAndReleaseAll();
	}

	@Test
	void withoutListenersTheCountsAreStillKept() {
		ConnectionTracker tracker = ConnectionTracker.builder("api").build();
		EmbeddedChannel channel = open(tracker);
		channel.writeOutbound(Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII));
		state(tracker, channel, ConnectionObserver.State.RELEASED);

		ConnectionStats stats = tracker.stats();
		assertThat(stats.idle()).isEqualTo(1);
		assertThat(stats.bytesWritten()).isEqualTo(3);
		channel.finishAndReleaseAll();
	}

	@Test
	void listenersCanBeAddedAndRemoved() {
		ConnectionTracker tracker = ConnectionTracker.builder("api").build();
		ConnectionEventRecorder late = new ConnectionEventRecorder();
		EmbeddedChannel channel = open(tracker);
		tracker.addListener(late);
		state(tracker, channel, ConnectionObserver.State.RELEASED);
		tracker.removeListener(late);
		channel.close();

		assertThat(late.events()).singleElement().isInstanceOf(Updated.class);
	}

	private static EmbeddedChannel open(ConnectionTracker tracker) {
		EmbeddedChannel channel = new EmbeddedChannel(false, false);
		tracker.track(channel);
		try {
			channel.register();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
		return channel;
	}

	private void state(EmbeddedChannel channel, ConnectionObserver.State state) {
		state(this.tracker, channel, state);
	}

	private static void state(ConnectionTracker tracker, EmbeddedChannel channel, ConnectionObserver.State state) {
		tracker.onStateChange(Connection.from(channel), state);
	}

	private static TrackedConnection track(EmbeddedChannel channel) {
		return (TrackedConnection) channel.pipeline().get(ConnectionTracker.HANDLER_NAME);
	}

	/**
	 * Closes the channel as the transport does at end of stream: without going through
	 * the pipeline.
	 */
	private static void closedByPeer(EmbeddedChannel channel) {
		channel.unsafe().close(channel.voidPromise());
		channel.runPendingTasks();
	}

	private Closed lastClosed() {
		assertThat(this.recorder.closed()).hasSize(1);
		return this.recorder.closed().get(0);
	}

}
