package io.lionfuncs.network.client;

import java.net.URI;
import java.util.function.Function;

import reactor.core.publisher.Mono;
import reactor.netty.Connection;

import org.springframework.http.HttpMethod;
import org.springframework.http.client.reactive.ClientHttpConnector;
import org.springframework.http.client.reactive.ClientHttpRequest;
import org.springframework.http.client.reactive.ClientHttpResponse;

/**
 * A connector that writes paced requests ({@link WritePacer}) only at their turn. On a
 * connection of the client's own pool the request waits at the connection's
 * {@link WriteGate}, encoded, for nothing but the socket write to follow; on another
 * connector it waits in the request callback, which runs once the request has its
 * connection, just before anything of it is written. Requests that are not paced pass
 * straight through.
 */
final class PacedConnector implements ClientHttpConnector {

	private final ClientHttpConnector delegate;

	private final WritePacer pacer;

	PacedConnector(ClientHttpConnector delegate, WritePacer pacer) {
		this.delegate = delegate;
		this.pacer = pacer;
	}

	@Override
	public Mono<ClientHttpResponse> connect(HttpMethod method, URI uri,
			Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
		return Mono.deferContextual((context) -> this.delegate.connect(method, uri,
				WritePacer.isPaced(context) ? (request) -> writeAtTurn(request, requestCallback) : requestCallback));
	}

	private Mono<Void> writeAtTurn(ClientHttpRequest request,
			Function<? super ClientHttpRequest, Mono<Void>> requestCallback) {
		if (request.getNativeRequest() instanceof Connection connection && WriteGate.mark(connection.channel())) {
			// the connection's gate holds the encoded request until its turn
			return requestCallback.apply(request);
		}
		return this.pacer.turn().then(Mono.defer(() -> requestCallback.apply(request)));
	}

	@Override
	public String toString() {
		return "PacedConnector[" + this.delegate + ", " + this.pacer.shape() + "]";
	}

}
