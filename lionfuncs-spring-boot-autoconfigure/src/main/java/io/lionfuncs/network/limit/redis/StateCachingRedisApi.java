package io.lionfuncs.network.limit.redis;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

import io.github.bucket4j.redis.consts.LuaScripts;
import io.github.bucket4j.redis.lettuce.RedisApi;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import org.jspecify.annotations.Nullable;

/**
 * The Redis access of Bucket4j's compare-and-swap Lettuce integration, with one round
 * trip per operation in the common case instead of two.
 * <p>
 * Bucket4j reads a bucket's state ({@code GET}), applies the command, and writes the new
 * state only if the stored one is unchanged (a compare-and-swap script). This class
 * remembers, per key, the state of the last reply and answers the read from it; the swap
 * script is replaced by one that returns the stored state when the swap fails, so the
 * retry that follows needs no read either. The swap itself keeps every operation atomic:
 * a state remembered wrongly (another replica wrote since, the key expired, Redis
 * restarted) only costs a failed swap and a retry, never a wrong result. Scripts it does
 * not know are passed through and forget what was remembered for their key.
 */
final class StateCachingRedisApi implements RedisApi<Object> {

	private static final List<Swap> SWAPS = List.of(
			new Swap(LuaScripts.SCRIPT_COMPARE_AND_SWAP_PX, 1,
					"local current = redis.call('get', KEYS[1]); if current == ARGV[1] then "
							+ "redis.call('psetex', KEYS[1], ARGV[3], ARGV[2]); return {1}; end; return {0, current};"),
			new Swap(LuaScripts.SCRIPT_COMPARE_AND_SWAP, 1,
					"local current = redis.call('get', KEYS[1]); if current == ARGV[1] then "
							+ "redis.call('set', KEYS[1], ARGV[2]); return {1}; end; return {0, current};"),
			new Swap(LuaScripts.SCRIPT_SET_NX_PX, 0,
					"if redis.call('set', KEYS[1], ARGV[1], 'nx', 'px', ARGV[2]) then return {1}; end; "
							+ "return {0, redis.call('get', KEYS[1])};"),
			new Swap(LuaScripts.SCRIPT_SET_NX, 0, "if redis.call('set', KEYS[1], ARGV[1], 'nx') then return {1}; end; "
					+ "return {0, redis.call('get', KEYS[1])};"));

	private final Supplier<RedisClusterAsyncCommands<String, byte[]>> commands;

	private final Supplier<Duration> timeout;

	private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();

	/**
	 * Creates an API.
	 * @param commands the current connection's commands; throws when not connected
	 * @param timeout how long an operation may take before it is cancelled
	 */
	StateCachingRedisApi(Supplier<RedisClusterAsyncCommands<String, byte[]>> commands, Supplier<Duration> timeout) {
		this.commands = commands;
		this.timeout = timeout;
	}

	@Override
	public RedisFuture<byte[]> get(Object redisKey) {
		String key = (String) redisKey;
		State known = this.states.get(key);
		if (known != null) {
			return CompletableRedisFuture.completed(known.value());
		}
		return send(key, (redis) -> redis.get(key), (value) -> {
			remember(key, value);
			return value;
		});
	}

	@Override
	@SuppressWarnings("unchecked")
	public <V> RedisFuture<V> eval(String script, ScriptOutputType type, Object[] redisKeys, byte[][] params) {
		// Bucket4j passes an Object[]: Lettuce wants the key type.
		String[] keys = new String[redisKeys.length];
		for (int i = 0; i < keys.length; i++) {
			keys[i] = (String) redisKeys[i];
		}
		String key = keys[0];
		Swap swap = (type == ScriptOutputType.BOOLEAN && keys.length == 1) ? Swap.of(script) : null;
		if (swap == null) {
			forget(key);
			return send(key, (redis) -> redis.<V>eval(script, type, keys, params), (reply) -> {
				forget(key);
				return reply;
			});
		}
		byte[] written = params[swap.writtenIndex()];
		RedisFuture<Boolean> swapped = send(key,
				(redis) -> redis.<List<Object>>eval(swap.reporting(), ScriptOutputType.MULTI, keys, params),
				(reply) -> {
					boolean done = ((Number) reply.get(0)).longValue() == 1L;
					remember(key, done ? written : ((reply.size() > 1) ? (byte[]) reply.get(1) : null));
					return done;
				});
		return (RedisFuture<V>) swapped;
	}

	@Override
	public RedisFuture<?> delete(Object redisKey) {
		String key = (String) redisKey;
		forget(key);
		return send(key, (redis) -> redis.del(key), (reply) -> {
			forget(key);
			return reply;
		});
	}

	/**
	 * Forgets the state remembered for a key, so that its next read asks Redis.
	 * @param key the key
	 */
	void forget(String key) {
		this.states.remove(key);
	}

	/**
	 * Forgets every remembered state, after a reconnection.
	 */
	void forgetAll() {
		this.states.clear();
	}

	private void remember(String key, byte @Nullable [] value) {
		this.states.put(key, new State(value));
	}

	/**
	 * Sends a command and maps its reply in the order replies arrive (Lettuce completes
	 * a connection's commands in order on its event loop), so that what is remembered is
	 * the latest state Redis reported. A command that takes longer than the timeout is
	 * cancelled, so that it is not replayed after a reconnection.
	 */
	private <T, R> RedisFuture<R> send(String key,
			Function<RedisClusterAsyncCommands<String, byte[]>, RedisFuture<T>> command, Function<T, R> onReply) {
		RedisFuture<T> sent;
		try {
			sent = command.apply(this.commands.get());
		}
		catch (RuntimeException ex) {
			return CompletableRedisFuture.failed(ex);
		}
		CompletableRedisFuture<R> result = new CompletableRedisFuture<>();
		sent.whenComplete((reply, ex) -> {
			if (ex != null) {
				forget(key);
				result.completeExceptionally(ex);
				return;
			}
			try {
				result.complete(onReply.apply(reply));
			}
			catch (RuntimeException mappingFailure) {
				forget(key);
				result.completeExceptionally(mappingFailure);
			}
		});
		result.orTimeout(this.timeout.get().toNanos(), TimeUnit.NANOSECONDS).whenComplete((reply, ex) -> {
			if (ex instanceof TimeoutException) {
				sent.cancel(true);
				forget(key);
			}
		});
		return result;
	}

	private record State(byte @Nullable [] value) {
	}

	/**
	 * One of Bucket4j's swap scripts and its replacement that reports the stored state
	 * on failure.
	 */
	private record Swap(String original, int writtenIndex, String reporting) {

		static @Nullable Swap of(String script) {
			for (Swap swap : SWAPS) {
				if (Objects.equals(swap.original(), script)) {
					return swap;
				}
			}
			return null;
		}

	}

}
