package io.lionfuncs.network.intercept;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.Lease;
import io.lionfuncs.network.Redactor;
import io.lionfuncs.network.TaskRejectedException;
import io.lionfuncs.network.TaskRequest;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Governs the requests other HTTP clients make: finds the route of a request, estimates
 * its API tokens and takes a lease of the route's executor for it, on the calling thread
 * ({@link #acquire}) or without blocking ({@link #lease}). A request that gets no lease
 * (a full queue, a stopped executor, more API tokens than the bucket holds, no lease
 * within the maximum wait) fails with an {@link IOException} that says why, the
 * executor's {@link TaskRejectedException} as its cause; a timeout is an
 * {@link InterruptedIOException}.
 * <p>
 * A request sent while the same thread already holds a lease for the call around it (a
 * client inside another governed client) is not governed twice: see {@link #enter()}.
 */
public final class CallGovernor {

	private static final Logger logger = LoggerFactory.getLogger(CallGovernor.class);

	/** How long a blocking wait may exceed the maximum wait when the executor's timer lags. */
	private static final Duration GRACE = Duration.ofSeconds(30);

	/** How often a blocking wait checks whether its client cancelled the call. */
	private static final long CANCEL_CHECK_MILLIS = 50;

	private static final ThreadLocal<Integer> DEPTH = new ThreadLocal<>();

	private static final Scope NO_SCOPE = () -> {
	};

	private final InterceptRoutes routes;

	private final ApiTokenEstimator estimator;

	private final Duration maxWait;

	private CallGovernor(InterceptRoutes routes, ApiTokenEstimator estimator, Duration maxWait) {
		this.routes = Objects.requireNonNull(routes, "routes must not be null");
		this.estimator = Objects.requireNonNull(estimator, "estimator must not be null");
		Objects.requireNonNull(maxWait, "maxWait must not be null");
		if (maxWait.isNegative() || maxWait.isZero()) {
			throw new IllegalArgumentException("maxWait must be greater than 0 but was " + maxWait);
		}
		this.maxWait = maxWait;
	}

	/**
	 * A governor.
	 * @param routes which requests go to which executor
	 * @param estimator the API tokens to reserve for a request
	 * @param maxWait the longest a request waits for its lease: in the queue, for a slot
	 * and for the tokens
	 * @return the governor
	 */
	public static CallGovernor of(InterceptRoutes routes, ApiTokenEstimator estimator, Duration maxWait) {
		return new CallGovernor(routes, estimator, maxWait);
	}

	public InterceptRoutes routes() {
		return this.routes;
	}

	public ApiTokenEstimator estimator() {
		return this.estimator;
	}

	public Duration maxWait() {
		return this.maxWait;
	}

	/**
	 * The route governing a request, unless this thread is already inside a governed call.
	 * @param uri the request's URI
	 * @return the route, or {@code null} when the request goes out untouched
	 */
	public @Nullable InterceptRoute route(URI uri) {
		if (this.routes.isEmpty() || isInsideGovernedCall()) {
			return null;
		}
		return this.routes.find(uri);
	}

	/**
	 * Whether this thread is making a governed call (between {@link #enter()} and the
	 * scope's close).
	 * @return whether a request sent now is already governed
	 */
	public static boolean isInsideGovernedCall() {
		Integer depth = DEPTH.get();
		return depth != null && depth > 0;
	}

	/**
	 * Marks this thread as making a governed call, until the scope is closed: requests it
	 * sends meanwhile (a client inside the governed one) are not governed again.
	 * @return the scope to close once the call returns
	 */
	public static Scope enter() {
		Integer depth = DEPTH.get();
		DEPTH.set((depth != null) ? depth + 1 : 1);
		return CallGovernor::exit;
	}

	/**
	 * A scope that marks nothing, for a call that is not governed.
	 * @return a scope whose close does nothing
	 */
	public static Scope none() {
		return NO_SCOPE;
	}

	private static void exit() {
		Integer depth = DEPTH.get();
		if (depth == null || depth <= 1) {
			DEPTH.remove();
		}
		else {
			DEPTH.set(depth - 1);
		}
	}

	/**
	 * Takes a lease for a request, waiting for it on this thread at most the maximum
	 * wait.
	 * @param route the request's route
	 * @param method the HTTP method
	 * @param uri the request's URI
	 * @param headers the request's headers, for the record (redacted there)
	 * @param body the request body for the estimate, or {@code null}
	 * @param client what kind of client made the request, for the record
	 * @param callCancelled tells whether the client cancelled the call meanwhile, or
	 * {@code null}
	 * @return the exchange holding the lease
	 * @throws IOException when no lease was granted: {@link InterruptedIOException} after
	 * the maximum wait or an interrupt
	 */
	public GovernedExchange acquire(InterceptRoute route, String method, URI uri, Map<String, ?> headers,
			byte @Nullable [] body, String client, @Nullable BooleanSupplier callCancelled) throws IOException {
		if (Schedulers.isInNonBlockingThread()) {
			throw new IOException(describe(method, uri) + " was not sent: waiting for a lease of executor '"
					+ route.name() + "' would block non-blocking thread " + Thread.currentThread().getName()
					+ "; call this client from a blocking thread, or use a non-blocking client");
		}
		TaskRequest request = request(route, method, uri, headers, body, client);
		Executor executor = route.executor();
		CompletableFuture<Lease> granted;
		try {
			granted = executor.leaseAsync(request, this.maxWait);
		}
		catch (TaskRejectedException ex) {
			throw refused(ex, route, method, uri);
		}
		long deadline = System.nanoTime() + this.maxWait.plus(GRACE).toNanos();
		while (true) {
			try {
				long slice = (callCancelled != null) ? CANCEL_CHECK_MILLIS
						: TimeUnit.NANOSECONDS.toMillis(Math.max(1, deadline - System.nanoTime()));
				return new GovernedExchange(granted.get(slice, TimeUnit.MILLISECONDS), route);
			}
			catch (TimeoutException ex) {
				if (callCancelled != null && callCancelled.getAsBoolean()) {
					abandon(granted);
					throw new IOException(describe(method, uri) + " was cancelled while it waited for a lease of "
							+ "executor '" + route.name() + "'");
				}
				if (System.nanoTime() - deadline >= 0) {
					abandon(granted);
					throw timedOut(route, method, uri, null);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				abandon(granted);
				InterruptedIOException interrupted = new InterruptedIOException(describe(method, uri)
						+ " was not sent: interrupted while waiting for a lease of executor '" + route.name() + "'");
				interrupted.initCause(ex);
				throw interrupted;
			}
			catch (ExecutionException | CancellationException ex) {
				throw refused(ex, route, method, uri);
			}
		}
	}

	/**
	 * Takes a lease for a request when subscribed, waiting at most the maximum wait
	 * without blocking. Cancelling the subscription before the grant cancels the request.
	 * @param route the request's route
	 * @param method the HTTP method
	 * @param uri the request's URI
	 * @param headers the request's headers, for the record (redacted there)
	 * @param body the request body for the estimate, or {@code null}
	 * @param client what kind of client made the request, for the record
	 * @return a mono of the exchange holding the lease, failing with an
	 * {@link IOException} when no lease was granted
	 */
	public Mono<GovernedExchange> lease(InterceptRoute route, String method, URI uri, Map<String, ?> headers,
			byte @Nullable [] body, String client) {
		return Mono.defer(() -> route.executor().lease(request(route, method, uri, headers, body, client), this.maxWait))
			.map((lease) -> new GovernedExchange(lease, route))
			.onErrorMap(TaskRejectedException.class, (ex) -> refused(ex, route, method, uri));
	}

	private TaskRequest request(InterceptRoute route, String method, URI uri, Map<String, ?> headers,
			byte @Nullable [] body, String client) {
		long apiTokens;
		try {
			apiTokens = Math.max(0, this.estimator.estimate(method, uri, body));
		}
		catch (RuntimeException ex) {
			logger.warn("API-token estimator {} failed for a request of client '{}'; reserving none", this.estimator,
					route.name(), ex);
			apiTokens = 0;
		}
		Map<String, Object> metadata = new LinkedHashMap<>();
		metadata.put("client", route.name());
		metadata.put("intercepted", client);
		return TaskRequest.lease()
			.endpointUrl(uri.toString())
			.method(method)
			.headers(headers)
			.numApiTokensNeeded(apiTokens)
			.metadata(metadata)
			.build();
	}

	private static void abandon(CompletableFuture<Lease> granted) {
		if (!granted.cancel(false)) {
			// Granted meanwhile: nobody will use it.
			granted.thenAccept(Lease::close);
		}
	}

	private IOException refused(Throwable failure, InterceptRoute route, String method, URI uri) {
		Throwable cause = failure;
		while ((cause instanceof ExecutionException || cause instanceof CompletionException)
				&& cause.getCause() != null) {
			cause = cause.getCause();
		}
		if (cause instanceof TaskRejectedException rejected) {
			if (rejected.getReason() == TaskRejectedException.Reason.TIMED_OUT) {
				return timedOut(route, method, uri, rejected);
			}
			return new IOException(describe(method, uri) + " was not sent: executor '" + route.name()
					+ "' granted no lease (" + rejected.getReason() + "): " + rejected.getMessage(), rejected);
		}
		return new IOException(describe(method, uri) + " was not sent: executor '" + route.name()
				+ "' granted no lease: " + cause, cause);
	}

	private InterruptedIOException timedOut(InterceptRoute route, String method, URI uri,
			@Nullable TaskRejectedException cause) {
		InterruptedIOException timeout = new InterruptedIOException(describe(method, uri)
				+ " was not sent: no lease of executor '" + route.name() + "' within " + this.maxWait
				+ " (lionfuncs.intercept.max-wait: the wait in the queue, for a concurrency slot and for tokens)");
		if (cause != null) {
			timeout.initCause(cause);
		}
		return timeout;
	}

	private static String describe(String method, URI uri) {
		return method + " " + Redactor.defaults().url(uri.toString());
	}

	@Override
	public String toString() {
		return "CallGovernor[" + this.routes + ", maxWait " + this.maxWait + "]";
	}

	/**
	 * The span of a governed call on its thread.
	 */
	@FunctionalInterface
	public interface Scope extends AutoCloseable {

		@Override
		void close();

	}

}
