package io.lionfuncs.network.limit.redis;

import java.util.function.Supplier;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;

/**
 * Opens a connection to Redis for a {@link RedisBucketStore}: string keys, byte-array
 * values. Called off the event loops, so it may block while connecting.
 */
@FunctionalInterface
public interface RedisConnector {

	/**
	 * The codec of the connections: UTF-8 keys, raw values.
	 */
	RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

	/**
	 * Opens a connection.
	 * @return a standalone or cluster connection
	 * @throws RuntimeException if Redis cannot be reached
	 */
	StatefulConnection<String, byte[]> connect();

	/**
	 * A connector opening a connection from a Lettuce client created with its Redis URI
	 * (standalone, Sentinel or cluster). The supplier is asked at every connection, so a
	 * client that is replaced (such as a restarted connection factory's) is followed.
	 * @param client supplies the client
	 * @return the connector
	 */
	static RedisConnector of(Supplier<? extends AbstractRedisClient> client) {
		return () -> {
			AbstractRedisClient current = client.get();
			if (current instanceof RedisClient standalone) {
				return standalone.connect(CODEC);
			}
			if (current instanceof RedisClusterClient cluster) {
				return cluster.connect(CODEC);
			}
			throw new IllegalStateException("Unsupported Redis client " + current.getClass().getName());
		};
	}

}
