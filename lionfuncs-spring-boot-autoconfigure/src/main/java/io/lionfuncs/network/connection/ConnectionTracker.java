package io.lionfuncs.network.connection;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.lionfuncs.network.connection.ConnectionEvent.Closed;
import io.lionfuncs.network.connection.ConnectionEvent.RawData;
import io.lionfuncs.network.connection.ConnectionEvent.Updated;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.netty.Connection;
import reactor.netty.ConnectionObserver;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.HttpClientResponse;
import reactor.netty.http.client.HttpClientState;
import reactor.netty.resources.ConnectionPoolMetrics;
import reactor.netty.resources.ConnectionProvider;

/**
 * Follows every connection of one client's Reactor Netty pool and reports it as
 * {@link ConnectionEvent}s: {@link Updated} when the pool hands it to a request
 * ({@code idle=false}) or takes it back ({@code idle=true}), {@link RawData} for the
 * bytes it carries, and {@link Closed} with the reason, lifetime and responses served.
 * It counts what it reports ({@link #stats()}), and the pool's waiting acquires.
 * <p>
 * Attach it to the client's {@link HttpClient} ({@link #instrument(HttpClient)}) and,
 * for the waiting acquires, to the builder of its pool
 * ({@link #instrument(ConnectionProvider.Builder)}); an
 * {@link io.lionfuncs.network.client.AsyncApiClient} does both when given one. Nothing
 * is attached to a client without a tracker, so tracking costs nothing when it is off.
 *
 * <pre class="code">
 * ConnectionTracker tracker = ConnectionTracker.builder("openai")
 *     .listener((event) -&gt; log.debug("{}", event))
 *     .build();
 * AsyncApiClient client = AsyncApiClient.builder().name("openai").connectionTracker(tracker)...build();
 * </pre>
 * <p>
 * Listeners run on the connection's I/O thread and must not block.
 */
public final class ConnectionTracker {

	/** The name of the handler the tracker adds first to each connection's pipeline. */
	public static final String HANDLER_NAME = "lionfuncs.ConnectionTracker";

	private static final Logger logger = LoggerFactory.getLogger(ConnectionTracker.class);

	private static final AttributeKey<TrackedConnection> CONNECTION = AttributeKey.valueOf(ConnectionTracker.class,
			"connection");

	private static final AttributeKey<Boolean> SERVER_KEEP_ALIVE = AttributeKey.valueOf(ConnectionTracker.class,
			"serverKeepAlive");

	private final String clientName;

	private final boolean captureData;

	private final Clock clock;

	private final List<ConnectionEventListener> listeners = new CopyOnWriteArrayList<>();

	private final AtomicInteger active = new AtomicInteger();

	private final AtomicInteger idle = new AtomicInteger();

	private final Map<Closed.Reason, LongAdder> closed = new EnumMap<>(Closed.Reason.class);

	private final LongAdder bytesRead = new LongAdder();

	private final LongAdder bytesWritten = new LongAdder();

	private final Map<String, ConnectionPoolMetrics> pools = new ConcurrentHashMap<>();

	private volatile boolean poolDisposing;

	private ConnectionTracker(Builder builder) {
		this.clientName = builder.clientName;
		this.captureData = builder.captureData;
		this.clock = builder.clock;
		this.listeners.addAll(builder.listeners);
		for (Closed.Reason reason : Closed.Reason.values()) {
			this.closed.put(reason, new LongAdder());
		}
	}

	/**
	 * Starts building a tracker.
	 * @param clientName the name of the client whose connections it follows, carried by
	 * every event
	 * @return a builder
	 */
	public static Builder builder(String clientName) {
		return new Builder(clientName);
	}

	public String getClientName() {
		return this.clientName;
	}

	/**
	 * Whether {@link RawData} events carry a copy of the bytes.
	 * @return whether data is captured
	 */
	public boolean isCapturingData() {
		return this.captureData;
	}

	/**
	 * Adds a listener, told of every later event.
	 * @param listener the listener
	 */
	public void addListener(ConnectionEventListener listener) {
		this.listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
	}

	/**
	 * Removes a listener.
	 * @param listener the listener
	 */
	public void removeListener(ConnectionEventListener listener) {
		this.listeners.remove(listener);
	}

	/**
	 * What the events reported so far add up to, and the pool's waiting acquires now.
	 * @return the counts
	 */
	public ConnectionStats stats() {
		Map<Closed.Reason, Long> closedByReason = new EnumMap<>(Closed.Reason.class);
		this.closed.forEach((reason, count) -> closedByReason.put(reason, count.sum()));
		int pending = 0;
		for (ConnectionPoolMetrics pool : this.pools.values()) {
			pending += pool.pendingAcquireSize();
		}
		return new ConnectionStats(this.clientName, this.active.get(), this.idle.get(), closedByReason,
				this.bytesRead.sum(), this.bytesWritten.sum(), pending);
	}

	// ---------------------------------------------------------------- attaching

	/**
	 * Attaches the tracker to a Reactor Netty client: a handler first in the pipeline of
	 * each new connection, and an observer of the pool's acquires and releases.
	 * @param httpClient the client
	 * @return the client, instrumented
	 */
	public HttpClient instrument(HttpClient httpClient) {
		return httpClient.doOnChannelInit((observer, channel, remoteAddress) -> track(channel))
			.observe(this::onStateChange);
	}

	/**
	 * Lets the tracker read the pool's waiting acquires, through Reactor Netty's pool
	 * metrics hook (no Micrometer meters are registered by it).
	 * @param builder the builder of the pool
	 * @return the builder
	 */
	public ConnectionProvider.Builder instrument(ConnectionProvider.Builder builder) {
		PoolRegistrar registrar = new PoolRegistrar();
		return builder.metrics(true, () -> registrar);
	}

	/**
	 * Marks the pool as being disposed: from now on, a connection the client closes is
	 * reported as {@link Closed.Reason#POOL_DISPOSED}. Called by the owner of the pool just
	 * before it disposes it.
	 */
	public void poolDisposing() {
		this.poolDisposing = true;
	}

	/**
	 * Marks an idle connection that its client closes because the server's keep-alive
	 * timeout (announced in a {@code Keep-Alive} header, or seen applied) is about to
	 * expire. Its {@link Closed} event then gives {@link Closed.Reason#SERVER_CLOSED}, the
	 * reason it closes, rather than {@link Closed.Reason#IDLE_EVICTED}, which stays for
	 * the client's own max idle time.
	 * @param channel the connection's channel
	 */
	public static void closingForServerKeepAlive(Channel channel) {
		channel.attr(SERVER_KEEP_ALIVE).set(Boolean.TRUE);
	}

	static boolean isClosingForServerKeepAlive(Channel channel) {
		return Boolean.TRUE.equals(channel.attr(SERVER_KEEP_ALIVE).get());
	}

	boolean isPoolDisposing() {
		return this.poolDisposing;
	}

	TrackedConnection track(Channel channel) {
		TrackedConnection connection = new TrackedConnection(this);
		channel.attr(CONNECTION).set(connection);
		channel.pipeline().addFirst(HANDLER_NAME, connection);
		return connection;
	}

	void onStateChange(Connection connection, ConnectionObserver.State state) {
		TrackedConnection tracked = connection.channel().attr(CONNECTION).get();
		if (tracked == null) {
			return;
		}
		if (state == ConnectionObserver.State.ACQUIRED) {
			tracked.acquired();
		}
		else if (state == HttpClientState.RESPONSE_RECEIVED) {
			tracked.responseReceived(!(connection instanceof HttpClientResponse response) || response.isKeepAlive());
		}
		else if (state == ConnectionObserver.State.RELEASED) {
			tracked.released();
		}
	}

	// ---------------------------------------------------------------- events

	void opened(TrackedConnection connection) {
		this.active.incrementAndGet();
		publishUpdated(connection, false);
	}

	void becameBusy(TrackedConnection connection) {
		this.idle.decrementAndGet();
		this.active.incrementAndGet();
		publishUpdated(connection, false);
	}

	void becameIdle(TrackedConnection connection) {
		this.active.decrementAndGet();
		this.idle.incrementAndGet();
		publishUpdated(connection, true);
	}

	void transferred(TrackedConnection connection, RawData.Direction direction, long bytes,
			@Nullable ByteBuf content) {
		((direction == RawData.Direction.READ) ? this.bytesRead : this.bytesWritten).add(bytes);
		if (this.listeners.isEmpty()) {
			return;
		}
		ByteBuffer data = (this.captureData && content != null) ? ByteBuffer.wrap(ByteBufUtil.getBytes(content))
				: null;
		publish(new RawData(this.clientName, connection.id(), now(), direction, bytes, connection.remoteAddress(),
				data));
	}

	void closed(TrackedConnection connection, boolean wasIdle, Closed.Reason reason, Duration lifetime,
			long requestsServed) {
		((wasIdle) ? this.idle : this.active).decrementAndGet();
		this.closed.get(reason).increment();
		if (this.listeners.isEmpty()) {
			return;
		}
		SocketAddress remoteAddress = connection.remoteAddress();
		publish(new Closed(this.clientName, connection.id(), now(), reason, lifetime, requestsServed, remoteAddress));
	}

	private void publishUpdated(TrackedConnection connection, boolean idle) {
		if (!this.listeners.isEmpty()) {
			publish(new Updated(this.clientName, connection.id(), now(), idle));
		}
	}

	private void publish(ConnectionEvent event) {
		for (ConnectionEventListener listener : this.listeners) {
			try {
				listener.onEvent(event);
			}
			catch (RuntimeException ex) {
				logger.warn("Connection event listener {} failed on {}", listener, event, ex);
			}
		}
	}

	private Instant now() {
		return this.clock.instant();
	}

	@Override
	public String toString() {
		return "ConnectionTracker[client=" + this.clientName + "]";
	}

	/**
	 * Keeps the metrics of each of the pool's per-address pools while it exists.
	 */
	private final class PoolRegistrar implements ConnectionProvider.MeterRegistrar {

		@Override
		public void registerMetrics(String poolName, String id, SocketAddress remoteAddress,
				ConnectionPoolMetrics metrics) {
			ConnectionTracker.this.pools.put(key(id, remoteAddress), metrics);
		}

		@Override
		public void deRegisterMetrics(String poolName, String id, SocketAddress remoteAddress) {
			ConnectionTracker.this.pools.remove(key(id, remoteAddress));
		}

		private static String key(String id, SocketAddress remoteAddress) {
			return id + "@" + remoteAddress;
		}

	}

	/**
	 * Builds a {@link ConnectionTracker}.
	 */
	public static final class Builder {

		private final String clientName;

		private boolean captureData;

		private Clock clock = Clock.systemUTC();

		private final List<ConnectionEventListener> listeners = new CopyOnWriteArrayList<>();

		private Builder(String clientName) {
			if (clientName == null || clientName.isBlank()) {
				throw new IllegalArgumentException("clientName must not be empty");
			}
			this.clientName = clientName;
		}

		/**
		 * Whether {@link RawData} events carry a copy of the bytes; off by default. The
		 * bytes are the raw exchange: credentials, payloads and bodies included. For
		 * debugging only.
		 * @param captureData whether to capture the data
		 * @return this builder
		 */
		public Builder captureData(boolean captureData) {
			this.captureData = captureData;
			return this;
		}

		/**
		 * Adds a listener.
		 * @param listener the listener
		 * @return this builder
		 */
		public Builder listener(ConnectionEventListener listener) {
			this.listeners.add(Objects.requireNonNull(listener, "listener must not be null"));
			return this;
		}

		/**
		 * Adds listeners.
		 * @param listeners the listeners
		 * @return this builder
		 */
		public Builder listeners(Iterable<? extends ConnectionEventListener> listeners) {
			listeners.forEach(this::listener);
			return this;
		}

		/**
		 * The clock that stamps the events.
		 * @param clock the clock
		 * @return this builder
		 */
		public Builder clock(Clock clock) {
			this.clock = Objects.requireNonNull(clock, "clock must not be null");
			return this;
		}

		/**
		 * Builds the tracker.
		 * @return the tracker
		 */
		public ConnectionTracker build() {
			return new ConnectionTracker(this);
		}

	}

}
