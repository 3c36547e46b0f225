package io.lionfuncs.network.client;

import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * The body of a streamed response, handed over at its first chunk: a {@link Mono} that
 * subscribes to the body, asks for one chunk, and emits once it has arrived a
 * {@link Flux} that replays that chunk and goes on with the rest, demand passed through.
 * Whatever wraps the mono (a timeout, a circuit breaker, a retry) thus ends at the first
 * byte, and never sees the stream itself. A body that ends before any byte gives an empty
 * flux; one that fails before fails the mono.
 * <p>
 * Cancelling the mono before the handover, or the flux at any time, cancels the body,
 * which closes its connection unless the response was complete. The flux can be
 * subscribed once. {@link #dispose()} cancels the body unless the flux was subscribed, for
 * a handover nobody took up (a timeout that raced the first chunk).
 */
final class FirstChunk implements CoreSubscriber<byte[]>, Disposable {

	private static final int WAITING = 0;

	private static final int HANDED_OVER = 1;

	private static final int SUBSCRIBED = 2;

	private static final int DISPOSED = 3;

	private final MonoSink<Flux<byte[]>> sink;

	private volatile @Nullable Subscription upstream;

	private volatile @Nullable CoreSubscriber<? super byte[]> rest;

	// Guarded by this.
	private int state = WAITING;

	private @Nullable Throwable pendingError;

	private boolean pendingCompletion;

	private FirstChunk(MonoSink<Flux<byte[]>> sink) {
		this.sink = sink;
	}

	/**
	 * Hands a body over at its first chunk.
	 * @param body the body, subscribed when the mono is
	 * @param created told of each handover made, so that one left behind can be disposed
	 * @return the mono of the body from its first chunk on
	 */
	static Mono<Flux<byte[]>> of(Flux<byte[]> body, Consumer<Disposable> created) {
		return Mono.create((sink) -> {
			FirstChunk handover = new FirstChunk(sink);
			created.accept(handover);
			sink.onCancel(handover);
			body.subscribe(handover);
		});
	}

	@Override
	public Context currentContext() {
		return Context.of(this.sink.contextView());
	}

	@Override
	public void onSubscribe(Subscription subscription) {
		this.upstream = subscription;
		boolean disposed;
		synchronized (this) {
			disposed = this.state == DISPOSED;
		}
		if (disposed) {
			subscription.cancel();
		}
		else {
			subscription.request(1);
		}
	}

	@Override
	public void onNext(byte[] chunk) {
		CoreSubscriber<? super byte[]> subscriber = this.rest;
		if (subscriber != null) {
			subscriber.onNext(chunk);
			return;
		}
		synchronized (this) {
			if (this.state != WAITING) {
				return;
			}
			this.state = HANDED_OVER;
		}
		this.sink.success(Flux.concat(Mono.just(chunk), Flux.<byte[]>from(this::attach)).doOnCancel(this::cancelUpstream));
	}

	@Override
	public void onError(Throwable error) {
		end(error);
	}

	@Override
	public void onComplete() {
		end(null);
	}

	/**
	 * Ends the body with an error, or completes it when {@code error} is {@code null}:
	 * the mono when no chunk came, the flux's subscriber once there is one.
	 */
	private void end(@Nullable Throwable error) {
		CoreSubscriber<? super byte[]> subscriber;
		synchronized (this) {
			switch (this.state) {
				case WAITING -> {
					this.state = DISPOSED;
					subscriber = null;
				}
				case HANDED_OVER -> {
					if (error != null) {
						this.pendingError = error;
					}
					else {
						this.pendingCompletion = true;
					}
					return;
				}
				case SUBSCRIBED -> subscriber = this.rest;
				default -> {
					return;
				}
			}
		}
		if (subscriber != null) {
			if (error != null) {
				subscriber.onError(error);
			}
			else {
				subscriber.onComplete();
			}
		}
		else if (error != null) {
			this.sink.error(error);
		}
		else {
			this.sink.success(Flux.empty());
		}
	}

	/**
	 * The rest of the body, after the first chunk.
	 */
	private void attach(org.reactivestreams.Subscriber<? super byte[]> subscriber) {
		CoreSubscriber<? super byte[]> actual = Operators.toCoreSubscriber(subscriber);
		synchronized (this) {
			if (this.state != HANDED_OVER) {
				Operators.error(actual, new IllegalStateException("The body of a stream can be read once"));
				return;
			}
			this.rest = actual;
			this.state = SUBSCRIBED;
			// Signals of the body wait for this block: nothing reaches the subscriber before
			// its subscription, and a body that ended meanwhile ends it after.
			actual.onSubscribe(new Subscription() {

				@Override
				public void request(long n) {
					Subscription current = FirstChunk.this.upstream;
					if (current != null) {
						current.request(n);
					}
				}

				@Override
				public void cancel() {
					cancelUpstream();
				}

			});
			if (this.pendingError != null) {
				actual.onError(this.pendingError);
			}
			else if (this.pendingCompletion) {
				actual.onComplete();
			}
		}
	}

	private void cancelUpstream() {
		Subscription current = this.upstream;
		if (current != null) {
			current.cancel();
		}
	}

	/**
	 * Cancels the body unless its flux was subscribed.
	 */
	@Override
	public void dispose() {
		synchronized (this) {
			if (this.state == SUBSCRIBED || this.state == DISPOSED) {
				return;
			}
			this.state = DISPOSED;
		}
		cancelUpstream();
	}

	@Override
	public boolean isDisposed() {
		synchronized (this) {
			return this.state == DISPOSED;
		}
	}

}
