package io.lionfuncs.network.client;

import java.util.function.Consumer;

import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.BodyExtractors;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * One attempt of a request whose response is streamed, the counterpart of
 * {@link WholeBodyExchange}: an error status becomes its {@link ApiClientException} (with
 * a bounded excerpt of the body), a success its {@link ApiResponse} whose body is the
 * stream of its bytes. The attempt completes at the first byte of the body
 * ({@link FirstChunk}), so that a timeout around it covers the time to the first byte,
 * and a retry happens only before the stream has started.
 */
final class StreamingExchange {

	private final ErrorMapper errors;

	StreamingExchange(ErrorMapper errors) {
		this.errors = errors;
	}

	/**
	 * The attempt: subscribing sends the request.
	 * @param spec the prepared request
	 * @param method the request's method
	 * @param target the request, for exceptions
	 * @param handovers told of each handover of a body, to dispose one left behind
	 * @return the response, emitted at its body's first byte
	 */
	Mono<ApiResponse<Flux<byte[]>>> attempt(WebClient.RequestHeadersSpec<?> spec, HttpMethod method,
			ExchangeDetails target, Consumer<Disposable> handovers) {
		return Mono.defer(() -> {
			Head head = new Head();
			Flux<byte[]> body = spec.exchangeToFlux((response) -> read(response, method, target, head));
			return FirstChunk.of(body, handovers).map((rest) -> new ApiResponse<>(head.status, head.headers, rest));
		});
	}

	private Flux<byte[]> read(ClientResponse response, HttpMethod method, ExchangeDetails target, Head head) {
		int status = response.statusCode().value();
		HttpHeaders headers = response.headers().asHttpHeaders();
		if (status >= 400) {
			return ResponseBodies.excerpt(response)
				.flatMapMany((excerpt) -> Flux.error(this.errors.forStatus(target, status, headers, excerpt)));
		}
		head.status = status;
		head.headers = headers;
		if (ResponseBodies.hasNoBody(method, status)) {
			return response.releaseBody().thenMany(Flux.empty());
		}
		return response.body(BodyExtractors.toDataBuffers()).map(StreamingExchange::copy);
	}

	private static byte[] copy(DataBuffer buffer) {
		try {
			byte[] bytes = new byte[buffer.readableByteCount()];
			buffer.read(bytes);
			return bytes;
		}
		finally {
			DataBufferUtils.release(buffer);
		}
	}

	/**
	 * The status and headers of a response, known before its body.
	 */
	private static final class Head {

		volatile int status;

		volatile HttpHeaders headers = HttpHeaders.EMPTY;

	}

}
