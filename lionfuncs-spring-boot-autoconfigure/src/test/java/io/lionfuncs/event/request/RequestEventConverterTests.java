package io.lionfuncs.event.request;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import io.lionfuncs.event.Event;
import io.lionfuncs.event.EventHandler;
import io.lionfuncs.event.EventManager;
import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.Redactor;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.TaskRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tests for {@link RequestEventConverter} and {@link RequestEventPublisher}.
 */
class RequestEventConverterTests {

	@TempDir
	Path temp;

	private static NetworkRequestEvent completedRequest() {
		NetworkRequestEvent request = NetworkRequestEvent.standalone(TaskRequest
			.ofStage(() -> CompletableFuture.completedFuture(new CallResult(200, Map.of(), null)))
			.endpointUrl("https://api.example.com/v1/chat?model=small&api_key=sk-secret-1")
			.method("POST")
			.headers(Map.of("Authorization", "Bearer sk-secret-2", "Accept", "application/json"))
			.payload(Map.of("prompt", "my private prompt"))
			.numApiTokensNeeded(1200)
			.metadata(Map.of("tenant", "acme", "session_token", "sk-secret-3"))
			.build());
		request.updateStatus(RequestStatus.QUEUED);
		request.updateStatus(RequestStatus.PROCESSING);
		request.updateStatus(RequestStatus.CALLING);
		request.setResult(200, Map.of("Set-Cookie", "sid=sk-secret-4"), "{\"answer\":\"the private answer\"}");
		return request;
	}

	@Test
	void terminalChangeBecomesAClosedLionfuncsRequestEvent() {
		NetworkRequestEvent request = completedRequest();

		Event event = new RequestEventConverter().toEvent(request, RequestStatus.CALLING);

		assertThat(event.getName()).isEqualTo("lionfuncs.request");
		assertThat(event.getUid()).isEqualTo(request.getRequestId() + "-completed");
		assertThat(event.isClosed()).isTrue();
		assertThat(event.getBeginTime()).isEqualTo(request.getCreatedAt());
		assertThat(event.getEndTime()).isEqualTo(request.getCompletedAt());
		Map<String, Object> data = event.asMap();
		assertThat(data).containsEntry("request_id", request.getRequestId())
			.containsEntry("status", "COMPLETED")
			.containsEntry("previous_status", "CALLING")
			.containsEntry("method", "POST")
			.containsEntry("endpoint_url", "https://api.example.com/v1/chat?model=small&api_key=******")
			.containsEntry("status_code", 200)
			.containsEntry("api_tokens_needed", 1200)
			.containsEntry("metadata", Map.of("tenant", "acme", "session_token", Redactor.MASK))
			.containsKeys("created_at", "queued_at", "processing_started_at", "call_started_at", "completed_at",
					"queue_wait_ms", "call_duration_ms", "total_duration_ms")
			.doesNotContainKeys("executor", "error_type", "error_message", "response_body", "payload", "headers");
		assertThat(Instant.parse((String) data.get("completed_at"))).isEqualTo(request.getCompletedAt());
		assertThat(data.get("total_duration_ms")).isEqualTo(
				(int) Duration.between(request.getCreatedAt(), request.getCompletedAt()).toMillis());
	}

	@Test
	void noSecretPayloadOrBodyReachesTheDump() throws Exception {
		Event event = new RequestEventConverter().toEvent(completedRequest(), RequestStatus.CALLING);

		String dump = java.nio.file.Files.readString(event.dump(this.temp));

		assertThat(dump).doesNotContain("sk-secret", "private prompt", "private answer");
	}

	@Test
	void responseBodyOnlyWhenAskedForAndBounded() {
		RequestEventConverter converter = new RequestEventConverter().includeResponseBody(true).maxBodyLength(12);

		Event event = converter.toEvent(completedRequest(), RequestStatus.CALLING);

		assertThat(event.get("response_body")).isEqualTo("{\"answer\":\"t... (31 characters)");
	}

	@Test
	void failureCarriesErrorTypeAndMessage() {
		NetworkRequestEvent request = NetworkRequestEvent.standalone(
				TaskRequest.ofStage(() -> CompletableFuture.completedFuture(null)).endpointUrl("https://a/b").build());
		request.setError(new IllegalStateException("upstream said no"));

		Event event = new RequestEventConverter().toEvent(request.snapshot(), RequestStatus.PENDING);

		assertThat(event.asMap()).containsEntry("status", "FAILED")
			.containsEntry("error_type", "java.lang.IllegalStateException")
			.containsEntry("error_message", "upstream said no")
			.doesNotContainKey("status_code");
	}

	@Test
	void publisherPublishesOnlyTheChosenStatuses() {
		TakingHandler handler = new TakingHandler();
		EventManager manager = EventManager.builder().spoolDirectory(this.temp.resolve("spool")).build();
		manager.addHandler(handler);
		manager.start();
		try {
			RequestEventPublisher publisher = new RequestEventPublisher(manager,
					EnumSet.of(RequestStatus.COMPLETED, RequestStatus.FAILED));
			NetworkRequestEvent request = completedRequest();

			publisher.onStatusChange(request, RequestStatus.PROCESSING, RequestStatus.CALLING);
			publisher.onStatusChange(request, RequestStatus.CALLING, RequestStatus.COMPLETED);

			await().atMost(Duration.ofSeconds(20))
				.untilAsserted(() -> assertThat(handler.taken).containsExactly(request.getRequestId() + "-completed"));
		}
		finally {
			manager.close();
		}
	}

	/** A handler that keeps the uids it takes. */
	static final class TakingHandler implements EventHandler {

		final List<String> taken = new CopyOnWriteArrayList<>();

		@Override
		public String getName() {
			return "h";
		}

		@Override
		public boolean sendEvent(Event event) {
			return this.taken.add(event.getUid());
		}

	}

}
