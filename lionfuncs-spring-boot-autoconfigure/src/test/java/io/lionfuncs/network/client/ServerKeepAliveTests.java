package io.lionfuncs.network.client;

import java.net.InetSocketAddress;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ServerKeepAlive}: what it reads of a server's keep-alive and how long
 * it then lets a connection stay idle.
 */
class ServerKeepAliveTests {

	private static final InetSocketAddress SERVER = new InetSocketAddress("127.0.0.1", 8080);

	private static final InetSocketAddress OTHER = new InetSocketAddress("127.0.0.1", 8081);

	@Test
	void theTimeoutOfAKeepAliveHeaderIsRead() {
		assertThat(ServerKeepAlive.timeout("timeout=5, max=1000")).isEqualTo(Duration.ofSeconds(5));
		assertThat(ServerKeepAlive.timeout("max=100, Timeout = 2")).isEqualTo(Duration.ofSeconds(2));
		assertThat(ServerKeepAlive.timeout("timeout=\"15\"")).isEqualTo(Duration.ofSeconds(15));
		assertThat(ServerKeepAlive.timeout("max=100")).isNull();
		assertThat(ServerKeepAlive.timeout("mytimeout=5")).isNull();
		assertThat(ServerKeepAlive.timeout(null)).isNull();
	}

	@Test
	void aConnectionStaysIdleAQuarterLessThanTheServerAllowsAndNoLongerThanTheClientsMax() {
		ServerKeepAlive keepAlive = new ServerKeepAlive("test", Duration.ofSeconds(4));
		assertThat(keepAlive.idleLimitNanos(SERVER)).isEqualTo(Duration.ofSeconds(4).toNanos());

		keepAlive.announced(SERVER, "timeout=2");
		assertThat(keepAlive.idleLimitNanos(SERVER)).isEqualTo(Duration.ofMillis(1500).toNanos());
		keepAlive.announced(SERVER, "timeout=60");
		assertThat(keepAlive.idleLimitNanos(SERVER)).as("the shortest seen is kept")
			.isEqualTo(Duration.ofMillis(1500).toNanos());
		assertThat(keepAlive.idleLimitNanos(OTHER)).as("per server").isEqualTo(Duration.ofSeconds(4).toNanos());
	}

	@Test
	void aCloseAfterIdleTeachesTheServersKeepAliveWithAMarginOfAtLeastAHundredMilliseconds() {
		ServerKeepAlive keepAlive = new ServerKeepAlive("test", null);
		assertThat(keepAlive.idleLimitNanos(SERVER)).isEqualTo(Long.MAX_VALUE);

		keepAlive.closedWhenIdle(SERVER, Duration.ofMillis(50));
		assertThat(keepAlive.idleLimitNanos(SERVER)).as("too soon to be a keep-alive timer").isEqualTo(Long.MAX_VALUE);

		keepAlive.closedWhenIdle(SERVER, Duration.ofMillis(980));
		assertThat(keepAlive.idleLimitNanos(SERVER)).isEqualTo(Duration.ofMillis(735).toNanos());

		keepAlive.closedWhenIdle(SERVER, Duration.ofMillis(300));
		assertThat(keepAlive.idleLimitNanos(SERVER)).isEqualTo(Duration.ofMillis(200).toNanos());
	}

}
