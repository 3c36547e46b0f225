package io.lionfuncs.network.intercept.spring;

import java.io.IOException;
import java.net.URI;

import io.lionfuncs.network.ResponseObserver;
import io.lionfuncs.network.intercept.CallGovernor;
import io.lionfuncs.network.intercept.GovernedExchange;
import io.lionfuncs.network.intercept.InterceptRoute;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.reactive.function.client.ExchangeFunction;
import org.springframework.web.reactive.function.client.ExchangeStrategies;
import org.springframework.web.reactive.function.client.WebClientRequestException;

/**
 * Governs the requests of a {@code WebClient} to the origins of configured clients,
 * without blocking: each waits for a lease of its client's executor, then leaves; the
 * lease is held until the response body completes, fails or is cancelled, and the usage
 * is read from the body as it passes. The request body is encoded ahead (with the given
 * codecs) for the API-token estimate and sent as encoded. A request that gets no lease
 * fails with a {@link WebClientRequestException} whose cause says why.
 * <p>
 * A request made inside a call an executor already runs (the Reactor context offers its
 * {@link ResponseObserver}) is not governed again.
 */
public final class GoverningExchangeFilterFunction implements ExchangeFilterFunction {

	static final String CLIENT = "WebClient";

	private final CallGovernor governor;

	private final RequestBodies bodies;

	/**
	 * Creates the filter.
	 * @param governor the governor
	 * @param strategies the codecs that encode request bodies ahead, those of the
	 * WebClients the filter is added to
	 */
	public GoverningExchangeFilterFunction(CallGovernor governor, ExchangeStrategies strategies) {
		this.governor = governor;
		this.bodies = new RequestBodies(strategies);
	}

	@Override
	public Mono<ClientResponse> filter(ClientRequest request, ExchangeFunction next) {
		URI uri = request.url();
		InterceptRoute route = this.governor.route(uri);
		if (route == null) {
			return next.exchange(request);
		}
		return Mono.deferContextual((context) -> {
			if (ResponseObserver.from(context) != null) {
				return next.exchange(request);
			}
			return this.bodies.encode(request).flatMap((encoded) -> this.governor
				.lease(route, request.method().name(), uri, SpringHeaders.single(request.headers()), encoded.bytes(),
						CLIENT)
				.onErrorMap(IOException.class,
						(ex) -> new WebClientRequestException(ex, request.method(), uri, request.headers()))
				.flatMap((exchange) -> exchange(encoded.request(), next, exchange)));
		});
	}

	private static Mono<ClientResponse> exchange(ClientRequest request, ExchangeFunction next,
			GovernedExchange exchange) {
		return next.exchange(request)
			.doOnCancel(exchange::cancelled)
			.doOnError(exchange::failed)
			.map((response) -> {
				exchange.response(response.statusCode().value(), SpringHeaders.single(response.headers().asHttpHeaders()));
				return response.mutate().body((body) -> tapped(body, exchange)).build();
			});
	}

	private static Flux<DataBuffer> tapped(Flux<DataBuffer> body, GovernedExchange exchange) {
		return body.doOnNext((buffer) -> {
			try (DataBuffer.ByteBufferIterator buffers = buffer.readableByteBuffers()) {
				while (buffers.hasNext()) {
					exchange.body(buffers.next());
				}
			}
		}).doOnComplete(exchange::bodyEnded).doOnError(exchange::failed).doOnCancel(exchange::bodyClosed);
	}

	@Override
	public String toString() {
		return "GoverningExchangeFilterFunction[" + this.governor + "]";
	}

}
