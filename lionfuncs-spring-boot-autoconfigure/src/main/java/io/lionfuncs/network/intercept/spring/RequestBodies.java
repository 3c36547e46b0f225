package io.lionfuncs.network.intercept.spring;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.AbstractClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.codec.HttpMessageWriter;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.reactive.function.BodyInserter;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ExchangeStrategies;

/**
 * Encodes a request body ahead of the exchange, so that its API tokens can be estimated
 * before the request leaves, and hands on a request that sends the encoded bytes (the
 * body's own inserter runs once). A body larger than the bound, or one that fails to
 * encode, is estimated without its bytes and sent by its own inserter.
 */
final class RequestBodies {

	private static final Logger logger = LoggerFactory.getLogger(RequestBodies.class);

	private static final int MAX_BYTES = 8 * 1024 * 1024;

	private static final BodyInserter<?, ?> EMPTY = BodyInserters.empty();

	private final BodyInserter.Context context;

	RequestBodies(ExchangeStrategies strategies) {
		this.context = new BodyInserter.Context() {

			@Override
			public List<HttpMessageWriter<?>> messageWriters() {
				return strategies.messageWriters();
			}

			@Override
			public Optional<ServerHttpRequest> serverRequest() {
				return Optional.empty();
			}

			@Override
			public Map<String, Object> hints() {
				return Map.of();
			}

		};
	}

	Mono<Encoded> encode(ClientRequest request) {
		BodyInserter<?, ? super ClientHttpRequest> inserter = request.body();
		if (inserter == EMPTY) {
			return Mono.just(new Encoded(request, null));
		}
		Capture capture = new Capture(request.method(), request.url());
		return inserter.insert(capture, this.context)
			.then(Mono.fromSupplier(() -> encoded(request, capture)))
			.onErrorResume((ex) -> {
				logger.debug("Body of {} {} not encoded ahead; estimated without it", request.method(),
						request.url(), ex);
				return Mono.just(new Encoded(request, null));
			});
	}

	private static Encoded encoded(ClientRequest request, Capture capture) {
		byte[] bytes = capture.bytes.get();
		if (bytes == null) {
			return new Encoded(request, null);
		}
		HttpHeaders written = capture.getHeaders();
		ClientRequest replay = ClientRequest.from(request).headers((headers) -> {
			for (String name : List.of(HttpHeaders.CONTENT_TYPE, HttpHeaders.CONTENT_ENCODING)) {
				String value = written.getFirst(name);
				if (value != null && !headers.containsHeader(name)) {
					headers.set(name, value);
				}
			}
			headers.setContentLength(bytes.length);
		})
			.body(BodyInserters.fromDataBuffers(Mono.fromSupplier(() -> DefaultDataBufferFactory.sharedInstance.wrap(bytes))))
			.build();
		return new Encoded(replay, bytes);
	}

	/**
	 * A request and the bytes of its body.
	 */
	record Encoded(ClientRequest request, byte @Nullable [] bytes) {

	}

	/**
	 * A request that keeps what is written to it.
	 */
	private static final class Capture extends AbstractClientHttpRequest {

		private final HttpMethod method;

		private final URI uri;

		final AtomicReference<byte @Nullable []> bytes = new AtomicReference<>();

		Capture(HttpMethod method, URI uri) {
			this.method = method;
			this.uri = uri;
		}

		@Override
		public HttpMethod getMethod() {
			return this.method;
		}

		@Override
		public URI getURI() {
			return this.uri;
		}

		@Override
		public DataBufferFactory bufferFactory() {
			return DefaultDataBufferFactory.sharedInstance;
		}

		@Override
		public <T> T getNativeRequest() {
			throw new UnsupportedOperationException("No native request: the body is only encoded ahead");
		}

		@Override
		public Mono<Void> writeWith(Publisher<? extends DataBuffer> body) {
			return doCommit(() -> DataBufferUtils.join(body, MAX_BYTES).doOnNext((joined) -> {
				byte[] content = new byte[joined.readableByteCount()];
				joined.read(content);
				DataBufferUtils.release(joined);
				this.bytes.set(content);
			}).then());
		}

		@Override
		public Mono<Void> writeAndFlushWith(Publisher<? extends Publisher<? extends DataBuffer>> body) {
			return writeWith(Flux.from(body).flatMapSequential((part) -> part));
		}

		@Override
		public Mono<Void> setComplete() {
			return doCommit(() -> Mono.fromRunnable(() -> this.bytes.set(new byte[0])));
		}

		@Override
		protected void applyHeaders() {
		}

		@Override
		protected void applyCookies() {
		}

	}

}
