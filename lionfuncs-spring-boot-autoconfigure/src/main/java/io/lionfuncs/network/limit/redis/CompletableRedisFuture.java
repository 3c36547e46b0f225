package io.lionfuncs.network.limit.redis;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.lettuce.core.RedisFuture;
import org.jspecify.annotations.Nullable;

/**
 * A {@link RedisFuture} completed by this library rather than by Lettuce: an answer from
 * {@link StateCachingRedisApi}'s cache, or a transformed reply.
 *
 * @param <V> the value type
 */
final class CompletableRedisFuture<V> extends CompletableFuture<V> implements RedisFuture<V> {

	static <V> CompletableRedisFuture<V> completed(@Nullable V value) {
		CompletableRedisFuture<V> future = new CompletableRedisFuture<>();
		future.complete(value);
		return future;
	}

	static <V> CompletableRedisFuture<V> failed(Throwable error) {
		CompletableRedisFuture<V> future = new CompletableRedisFuture<>();
		future.completeExceptionally(error);
		return future;
	}

	@Override
	public @Nullable String getError() {
		if (!isCompletedExceptionally()) {
			return null;
		}
		try {
			join();
			return null;
		}
		catch (CompletionException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			return String.valueOf(cause.getMessage());
		}
		catch (RuntimeException ex) {
			return String.valueOf(ex.getMessage());
		}
	}

	@Override
	public boolean await(long timeout, TimeUnit unit) throws InterruptedException {
		try {
			get(timeout, unit);
			return true;
		}
		catch (ExecutionException ex) {
			return true;
		}
		catch (TimeoutException ex) {
			return false;
		}
	}

	@Override
	public <U> CompletableFuture<U> newIncompleteFuture() {
		return new CompletableFuture<>();
	}

}
