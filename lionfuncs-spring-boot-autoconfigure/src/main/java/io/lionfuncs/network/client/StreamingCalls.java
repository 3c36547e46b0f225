package io.lionfuncs.network.client;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.Lease;
import io.lionfuncs.network.Redactor;
import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.ClassUtils;

/**
 * The streamed requests of an {@link AsyncApiClient}: each is encoded like any request
 * ({@link RequestEncoder}), its attempts go through the same {@link ResiliencePipeline}
 * up to the first byte ({@link StreamingExchange}), and the rest is one
 * {@link StreamRun}: events, idle timeout, usage and, through an executor, the lease that
 * holds the call's slot until the stream ends.
 */
final class StreamingCalls {

	private static final boolean JACKSON_PRESENT = ClassUtils.isPresent("tools.jackson.databind.JsonNode",
			StreamingCalls.class.getClassLoader());

	/** All events, {@code [DONE]} included. */
	static final View<ServerSentEvent> EVENTS = (events, target) -> events;

	/** The data of each event as JSON, up to OpenAI's {@code [DONE]}. */
	static final View<JsonNode> JSON = StreamingCalls::json;

	private final String clientName;

	private final RequestEncoder encoder;

	private final ClientTransport transport;

	private final ResiliencePipeline resilience;

	private final ErrorMapper errors;

	private final Redactor redactor;

	private final Duration timeout;

	private final StreamSettings settings;

	private final StreamOptions options;

	private final StreamingExchange exchange;

	private final ExecutorCalls executorCalls;

	private final BooleanSupplier closed;

	StreamingCalls(DefaultAsyncApiClientBuilder settings, RequestEncoder encoder, ClientTransport transport,
			ResiliencePipeline resilience, ErrorMapper errors, ExecutorCalls executorCalls, BooleanSupplier closed) {
		this.clientName = settings.name;
		this.encoder = encoder;
		this.transport = transport;
		this.resilience = resilience;
		this.errors = errors;
		this.redactor = settings.redactor;
		this.timeout = settings.timeout;
		this.settings = settings.streamSettings;
		this.options = new StreamOptions(settings.name);
		this.exchange = new StreamingExchange(errors);
		this.executorCalls = executorCalls;
		this.closed = closed;
	}

	StreamSettings settings() {
		return this.settings;
	}

	/**
	 * A stream without an executor.
	 */
	<T> Flux<T> stream(ApiRequest request, View<T> view) {
		Objects.requireNonNull(request, "request must not be null");
		return open(request, null, view);
	}

	/**
	 * A stream through an executor: a lease for the request, granted in queue order, and
	 * the stream made under it once read.
	 */
	Mono<ApiStream> stream(Executor executor, ApiRequest request, long numApiTokensNeeded) {
		Objects.requireNonNull(executor, "executor must not be null");
		Objects.requireNonNull(request, "request must not be null");
		return Mono.defer(() -> executor
			.lease(this.executorCalls.streamLease(request).numApiTokensNeeded(numApiTokensNeeded).build())
			.map((lease) -> new ApiStream(lease, this.clientName, new ApiStream.Opener() {

				@Override
				public <T> Flux<T> open(View<T> view) {
					return StreamingCalls.this.open(request, lease, view);
				}

			})));
	}

	private <T> Flux<T> open(ApiRequest request, @Nullable Lease lease, View<T> view) {
		return Flux.defer(() -> {
			Duration attemptTimeout = (request.timeout() != null) ? request.timeout() : this.timeout;
			ExchangeDetails described = ExchangeDetails.request(request.method().name(),
					this.encoder.describe(request.uriTemplate()));
			StreamRun run = new StreamRun(lease, described, this.errors, this.settings.idleTimeout(), this.redactor);
			Flux<T> stream;
			try {
				if (this.closed.getAsBoolean()) {
					throw new IllegalStateException("AsyncApiClient '" + this.clientName + "' is closed");
				}
				if (lease != null && lease.isEnded()) {
					throw new CancellationException(described.method() + " " + described.uriTemplate()
							+ " was not sent: its lease ended first (" + lease.event().getStatus() + ")");
				}
				ApiRequest sent = this.settings.includeUsage() ? this.options.includeUsage(request) : request;
				RequestEncoder.Encoded encoded = this.encoder.encode(this.transport.webClient(), sent);
				Mono<ApiResponse<Flux<byte[]>>> attempt = this.exchange.attempt(encoded.spec(), sent.method(),
						encoded.target(), run::handedOver);
				stream = view.apply(this.resilience.protect(attempt, encoded.target(), attemptTimeout)
					.flatMapMany(run::events), encoded.target());
			}
			catch (RuntimeException ex) {
				stream = Flux.error(ex);
			}
			return run.observe(stream);
		});
	}

	private static Flux<JsonNode> json(Flux<ServerSentEvent> events, ExchangeDetails target) {
		if (!JACKSON_PRESENT) {
			return Flux.error(new IllegalStateException("Reading a stream as JSON needs Jackson (tools.jackson.core:"
					+ "jackson-databind) on the class path; read its events instead"));
		}
		boolean[] done = new boolean[1];
		// Filtered rather than taken: the end of the body follows, and reading it keeps the
		// connection for the next request.
		return events.filter((event) -> !(done[0] |= event.isDone()) && !event.data().isBlank())
			.handle((event, sink) -> {
				try {
					sink.next(JsonMapper.shared().readTree(event.data()));
				}
				catch (JacksonException ex) {
					sink.error(new ApiClientException(target.method() + " " + target.uriTemplate()
							+ " sent an event whose data is not JSON", target, null));
				}
			});
	}

	/**
	 * What a stream's caller reads of its events.
	 *
	 * @param <T> the element type
	 */
	@FunctionalInterface
	interface View<T> extends BiFunction<Flux<ServerSentEvent>, ExchangeDetails, Flux<T>> {

	}

}
