package io.lionfuncs.network.connection;

import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

/**
 * Something that happened to one pooled HTTP connection of an API client. The vocabulary
 * is hypercorn's, which runs its keep-alive timers on the same three events:
 * {@link RawData} (bytes went over the connection), {@link Updated} (the connection
 * became busy or idle) and {@link Closed} (it closed, and why).
 * <p>
 * For one request on a fresh connection a listener sees {@code Updated(idle=false)},
 * then {@code RawData} written and read, then {@code Updated(idle=true)} when the
 * connection returns to the pool; a reused connection repeats the sequence, and its
 * last event is {@code Closed}.
 */
public sealed interface ConnectionEvent
		permits ConnectionEvent.RawData, ConnectionEvent.Updated, ConnectionEvent.Closed {

	/**
	 * The name of the client whose pool holds the connection.
	 * @return the client's name
	 */
	String clientName();

	/**
	 * The connection's id: the short id of its Netty channel, as Reactor Netty's logs
	 * show it.
	 * @return the id
	 */
	String connectionId();

	/**
	 * When the event happened.
	 * @return the time
	 */
	Instant timestamp();

	/**
	 * Bytes went over the connection: read from the server or written to it. Counts only,
	 * unless the tracker was asked to {@linkplain ConnectionTracker.Builder#captureData
	 * capture the data}.
	 *
	 * @param clientName the client's name
	 * @param connectionId the connection's id
	 * @param timestamp when the bytes were read or handed to the transport
	 * @param direction read or written
	 * @param bytes how many bytes, on the wire (TLS records included)
	 * @param remoteAddress the server's address
	 * @param data a read-only copy of the bytes when capturing is enabled, else
	 * {@code null}; raw bytes hold credentials and bodies, so it never appears in
	 * {@link #toString()}
	 */
	record RawData(String clientName, String connectionId, Instant timestamp, Direction direction, long bytes,
			@Nullable SocketAddress remoteAddress, @Nullable ByteBuffer data) implements ConnectionEvent {

		public RawData {
			Objects.requireNonNull(clientName, "clientName must not be null");
			Objects.requireNonNull(connectionId, "connectionId must not be null");
			Objects.requireNonNull(timestamp, "timestamp must not be null");
			Objects.requireNonNull(direction, "direction must not be null");
			data = (data != null) ? data.asReadOnlyBuffer() : null;
		}

		/**
		 * The captured bytes, as a buffer of its own for each call so that readers do not
		 * move each other's position.
		 * @return the bytes, or {@code null} when not captured
		 */
		@Override
		public @Nullable ByteBuffer data() {
			return (this.data != null) ? this.data.duplicate() : null;
		}

		@Override
		public String toString() {
			return "RawData[client=" + this.clientName + ", connection=" + this.connectionId + ", " + this.direction
					+ " " + this.bytes + " bytes, remote=" + this.remoteAddress + "]";
		}

		/**
		 * Which way the bytes went.
		 */
		public enum Direction {

			/** Received from the server. */
			READ,

			/** Sent to the server. */
			WRITTEN

		}

	}

	/**
	 * The connection became busy (acquired from the pool for an exchange, or opened for
	 * one) or idle (released to the pool, ready for the next request).
	 *
	 * @param clientName the client's name
	 * @param connectionId the connection's id
	 * @param timestamp when the state changed
	 * @param idle whether the connection is now idle in the pool
	 */
	record Updated(String clientName, String connectionId, Instant timestamp, boolean idle) implements ConnectionEvent {

		public Updated {
			Objects.requireNonNull(clientName, "clientName must not be null");
			Objects.requireNonNull(connectionId, "connectionId must not be null");
			Objects.requireNonNull(timestamp, "timestamp must not be null");
		}

	}

	/**
	 * The connection closed. Its last event.
	 *
	 * @param clientName the client's name
	 * @param connectionId the connection's id
	 * @param timestamp when it closed
	 * @param reason why it closed
	 * @param lifetime how long it was open
	 * @param requestsServed how many responses arrived on it
	 * @param remoteAddress the server's address
	 */
	record Closed(String clientName, String connectionId, Instant timestamp, Reason reason, Duration lifetime,
			long requestsServed, @Nullable SocketAddress remoteAddress) implements ConnectionEvent {

		public Closed {
			Objects.requireNonNull(clientName, "clientName must not be null");
			Objects.requireNonNull(connectionId, "connectionId must not be null");
			Objects.requireNonNull(timestamp, "timestamp must not be null");
			Objects.requireNonNull(reason, "reason must not be null");
			Objects.requireNonNull(lifetime, "lifetime must not be null");
		}

		/**
		 * Why a connection closed.
		 */
		public enum Reason {

			/**
			 * The pool closed it because it stayed idle longer than its max idle time (or
			 * reached its max life time).
			 */
			IDLE_EVICTED("idle-evicted"),

			/**
			 * The server closed it, or asked for it to be closed ({@code Connection: close}),
			 * typically when its keep-alive timeout expired; or the pool closed it idle just
			 * before that timeout (announced in a {@code Keep-Alive} header or seen
			 * applied), so as never to send a request on a connection the server closes.
			 */
			SERVER_CLOSED("server-closed"),

			/**
			 * An I/O error (such as a reset), or the client gave up on an exchange in
			 * progress (timeout, cancellation).
			 */
			ERROR("error"),

			/**
			 * The client closed and disposed its pool: idle connections close at once,
			 * busy ones once their exchange ends.
			 */
			POOL_DISPOSED("pool-disposed");

			private final String value;

			Reason(String value) {
				this.value = value;
			}

			/**
			 * The reason as a meter tag or JSON key: {@code idle-evicted},
			 * {@code server-closed}, {@code error} or {@code pool-disposed}.
			 * @return the value
			 */
			public String value() {
				return this.value;
			}

		}

	}

}
