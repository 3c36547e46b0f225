package com.example.summaries;

import java.util.List;
import java.util.Map;

import io.lionfuncs.autoconfigure.LionfuncsClients;
import io.lionfuncs.network.client.ApiClientException;
import io.lionfuncs.network.client.ApiRequest;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

@RestController
class SummaryController {

	private final LionfuncsClients clients;

	SummaryController(LionfuncsClients clients) {
		this.clients = clients;
	}

	@PostMapping("/summaries")
	Mono<Object> summarize(@RequestBody String text) {
		ApiRequest request = ApiRequest.post("/chat/completions")
			.json(Map.of("model", "small", "messages",
					List.of(Map.of("role", "user", "content", "Summarize: " + text))))
			.build();
		// Queued, limited by the requests and API-token buckets of the "llm" executor,
		// retried when safe and tracked. The body (JSON as a JsonNode), or the call's exception.
		return this.clients.request("llm", request, 1200);
	}

	// The call's own exception: RateLimitException, ServerException, ApiConnectionException...
	@ExceptionHandler(ApiClientException.class)
	ProblemDetail upstreamFailed(ApiClientException ex) {
		return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_GATEWAY, ex.getClass().getSimpleName());
	}

}
