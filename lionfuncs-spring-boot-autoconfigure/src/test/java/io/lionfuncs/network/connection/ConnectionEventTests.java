package io.lionfuncs.network.connection;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;

import io.lionfuncs.network.connection.ConnectionEvent.Closed;
import io.lionfuncs.network.connection.ConnectionEvent.RawData;
import io.lionfuncs.network.connection.ConnectionEvent.Updated;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/**
 * Tests for the {@link ConnectionEvent} records.
 */
class ConnectionEventTests {

	private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

	private static final InetSocketAddress SERVER = InetSocketAddress.createUnresolved("api.example.com", 443);

	@Test
	void closeReasonsHaveTagValues() {
		assertThat(Closed.Reason.values()).extracting(Closed.Reason::value)
			.containsExactly("idle-evicted", "server-closed", "error", "pool-disposed");
	}

	@Test
	void rawDataKeepsAPrivateReadOnlyCopyOfTheBuffer() {
		ByteBuffer given = ByteBuffer.wrap("Authorization: Bearer s3cret".getBytes());
		RawData data = new RawData("api", "0a1b2c3d", NOW, RawData.Direction.WRITTEN, 28, SERVER, given);

		given.position(10);

		assertThat(data.data().remaining()).isEqualTo(28);
		assertThat(data.data().isReadOnly()).isTrue();
		assertThat(data).isEqualTo(new RawData("api", "0a1b2c3d", NOW, RawData.Direction.WRITTEN, 28, SERVER,
				ByteBuffer.wrap("Authorization: Bearer s3cret".getBytes())));
		assertThat(data.toString()).isEqualTo(
				"RawData[client=api, connection=0a1b2c3d, WRITTEN 28 bytes, remote=api.example.com/<unresolved>:443]");
	}

	@Test
	void eventsNameTheirClientAndConnection() {
		ConnectionEvent updated = new Updated("api", "0a1b2c3d", NOW, true);
		ConnectionEvent closed = new Closed("api", "0a1b2c3d", NOW, Closed.Reason.SERVER_CLOSED, Duration.ofSeconds(5),
				3, SERVER);

		assertThat(updated.clientName()).isEqualTo(closed.clientName()).isEqualTo("api");
		assertThat(updated.connectionId()).isEqualTo(closed.connectionId()).isEqualTo("0a1b2c3d");
		assertThat(closed).isInstanceOfSatisfying(Closed.class, (close) -> {
			assertThat(close.lifetime()).isEqualTo(Duration.ofSeconds(5));
			assertThat(close.requestsServed()).isEqualTo(3);
		});
	}

	@Test
	void requiredComponentsMustNotBeNull() {
		assertThatNullPointerException().isThrownBy(() -> new Updated(null, "id", NOW, true))
			.withMessage("clientName must not be null");
		assertThatNullPointerException()
			.isThrownBy(() -> new Closed("api", "id", NOW, null, Duration.ZERO, 0, null))
			.withMessage("reason must not be null");
		assertThatNullPointerException().isThrownBy(() -> new RawData("api", "id", NOW, null, 1, null, null))
			.withMessage("direction must not be null");
	}

}
