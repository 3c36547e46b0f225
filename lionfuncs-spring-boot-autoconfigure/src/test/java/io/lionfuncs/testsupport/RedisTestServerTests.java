package io.lionfuncs.testsupport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link RedisTestServer}.
 */
class RedisTestServerTests {

	@Test
	void withoutDockerOrRedisServerStartFailsSayingHowToGetOne() {
		assertThatIllegalStateException().isThrownBy(() -> RedisTestServer.start(false, null))
			.withMessageContaining("start Docker")
			.withMessageContaining("apt-get install redis-server");
	}

	@Test
	void stoppedServerStopsAnsweringAndRestartsAtTheSameAddress() {
		try (RedisTestServer redis = RedisTestServer.start()) {
			int port = redis.port();
			assertThat(redis.ping()).isTrue();

			redis.stop();
			assertThat(redis.ping()).isFalse();

			redis.restart();
			assertThat(redis.port()).isEqualTo(port);
			assertThat(redis.ping()).isTrue();
		}
	}

}
