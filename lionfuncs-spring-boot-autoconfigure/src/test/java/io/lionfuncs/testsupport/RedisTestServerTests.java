package io.lionfuncs.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link RedisTestServer}.
 */
@ExtendWith(OutputCaptureExtension.class)
class RedisTestServerTests {

	@TempDir
	Path home;

	@Test
	void dockerIsAskedForOnlyWhenSomethingPointsAtADaemon() throws IOException {
		Path socket = this.home.resolve("docker.sock");
		Path properties = this.home.resolve(".testcontainers.properties");
		assertThat(RedisTestServer.dockerMayBeConfigured(Map.of(), List.of(socket), properties)).isFalse();
		assertThat(RedisTestServer.dockerMayBeConfigured(Map.of("DOCKER_HOST", "tcp://docker:2375"), List.of(socket),
				properties)).isTrue();

		Files.writeString(properties, "ryuk.disabled=true\n");
		assertThat(RedisTestServer.dockerMayBeConfigured(Map.of(), List.of(socket), properties)).isFalse();
		Files.writeString(properties, "docker.host=unix:///tmp/elsewhere.sock\n");
		assertThat(RedisTestServer.dockerMayBeConfigured(Map.of(), List.of(socket), properties)).isTrue();

		Files.delete(properties);
		Files.createFile(socket);
		assertThat(RedisTestServer.dockerMayBeConfigured(Map.of(), List.of(socket), properties)).isTrue();
	}

	@Test
	void startingLogsNoErrorAboutAMissingDockerEnvironment(CapturedOutput output) {
		try (RedisTestServer redis = RedisTestServer.start()) {
			assertThat(redis.ping()).isTrue();
		}
		assertThat(output.getAll()).doesNotContain("Could not find a valid Docker environment");
	}

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
