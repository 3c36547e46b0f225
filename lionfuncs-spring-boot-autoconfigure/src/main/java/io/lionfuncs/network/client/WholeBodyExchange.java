package io.lionfuncs.network.client;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.lionfuncs.network.Redactor;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * One attempt of a request whose response is read whole: an error status becomes its
 * {@link ApiClientException} (with a bounded excerpt of the body), a success its
 * {@link ApiResponse} with the body read by a {@link ResponseBodies.BodyReader}. The
 * attempt completes once the body is read, so a timeout around it covers the body too.
 */
final class WholeBodyExchange {

	private final ErrorMapper errors;

	private final Redactor redactor;

	WholeBodyExchange(ErrorMapper errors, Redactor redactor) {
		this.errors = errors;
		this.redactor = redactor;
	}

	/**
	 * The attempt: subscribing sends the request.
	 * @param <T> the body type
	 * @param spec the prepared request
	 * @param method the request's method
	 * @param reader reads a successful response's body
	 * @param target the request, for exceptions
	 * @param attemptTimeout the attempt's timeout, named when a body read fails by it
	 * @return the response
	 */
	<T> Mono<ApiResponse<T>> attempt(WebClient.RequestHeadersSpec<?> spec, HttpMethod method,
			ResponseBodies.BodyReader<T> reader, ExchangeDetails target, Duration attemptTimeout) {
		return spec.exchangeToMono((response) -> handle(response, method, reader, target, attemptTimeout));
	}

	private <T> Mono<ApiResponse<T>> handle(ClientResponse response, HttpMethod method,
			ResponseBodies.BodyReader<T> reader, ExchangeDetails target, Duration attemptTimeout) {
		int status = response.statusCode().value();
		HttpHeaders headers = response.headers().asHttpHeaders();
		if (status >= 400) {
			return ResponseBodies.excerpt(response)
				.flatMap((excerpt) -> Mono.error(this.errors.forStatus(target, status, headers, excerpt)));
		}
		if (ResponseBodies.hasNoBody(method, status)) {
			return response.releaseBody().then(Mono.fromSupplier(() -> new ApiResponse<>(status, headers, null)));
		}
		return reader.read(response)
			.map((body) -> new ApiResponse<>(status, headers, body))
			.switchIfEmpty(Mono.fromSupplier(() -> new ApiResponse<>(status, headers, null)))
			// The response's details are redacted only for a body that fails to read.
			.onErrorMap((ex) -> this.errors.forFailure(ex, new ExchangeDetails(target.method(), target.uriTemplate(),
					status, this.redactor.headers(toMap(headers)), null, null), attemptTimeout));
	}

	private static Map<String, List<String>> toMap(HttpHeaders headers) {
		Map<String, List<String>> map = new LinkedHashMap<>();
		headers.forEach(map::put);
		return map;
	}

}
