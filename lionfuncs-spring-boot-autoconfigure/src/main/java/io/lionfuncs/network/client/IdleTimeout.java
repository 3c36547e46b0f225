package io.lionfuncs.network.client;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Fails a stream that stays silent longer than its idle timeout, as Netty's idle handler
 * does: each chunk only notes the time, and one timer, armed at the start, checks when
 * it fires whether the stream was idle that long, and arms itself again for the rest if
 * it was not. A stream of many chunks thus costs one timer per idle period, not one per
 * chunk as {@link Flux#timeout(Duration)} would. Times come from the scheduler, so that
 * virtual time drives it in tests.
 */
final class IdleTimeout implements Runnable {

	private final Scheduler scheduler;

	private final long idleNanos;

	private final Sinks.Empty<byte[]> expiry = Sinks.empty();

	private volatile long lastActivity;

	private volatile boolean stopped;

	private @Nullable Disposable timer;

	private IdleTimeout(Scheduler scheduler, Duration idleTimeout) {
		this.scheduler = scheduler;
		this.idleNanos = idleTimeout.toNanos();
	}

	/**
	 * A body that fails with a {@link TimeoutException} once silent for longer than the
	 * idle timeout.
	 * @param body the body
	 * @param idleTimeout the longest silence, from the subscription on
	 * @return the bounded body
	 */
	static Flux<byte[]> bound(Flux<byte[]> body, Duration idleTimeout) {
		return Flux.defer(() -> {
			IdleTimeout watch = new IdleTimeout(Schedulers.parallel(), idleTimeout);
			watch.start();
			return Flux.merge(body.doOnNext((chunk) -> watch.touch()).doFinally((signal) -> watch.stop()),
					watch.expiry.asMono().flux().doOnCancel(watch::stop));
		});
	}

	private void start() {
		this.lastActivity = this.scheduler.now(TimeUnit.NANOSECONDS);
		arm(this.idleNanos);
	}

	private void touch() {
		this.lastActivity = this.scheduler.now(TimeUnit.NANOSECONDS);
	}

	private synchronized void arm(long delayNanos) {
		if (!this.stopped) {
			this.timer = this.scheduler.schedule(this, delayNanos, TimeUnit.NANOSECONDS);
		}
	}

	@Override
	public void run() {
		if (this.stopped) {
			return;
		}
		long idleFor = this.scheduler.now(TimeUnit.NANOSECONDS) - this.lastActivity;
		if (idleFor >= this.idleNanos) {
			this.expiry.tryEmitError(new TimeoutException("idle for " + Duration.ofNanos(idleFor)));
		}
		else {
			arm(this.idleNanos - idleFor);
		}
	}

	private void stop() {
		Disposable current;
		synchronized (this) {
			this.stopped = true;
			current = this.timer;
			this.timer = null;
		}
		if (current != null) {
			current.dispose();
		}
		this.expiry.tryEmitEmpty();
	}

}
