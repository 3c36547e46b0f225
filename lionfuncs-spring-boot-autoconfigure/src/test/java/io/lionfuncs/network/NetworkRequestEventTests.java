package io.lionfuncs.network;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for a {@link NetworkRequestEvent} whose status the caller manages.
 */
class NetworkRequestEventTests {

	private static NetworkRequestEvent newEvent() {
		return NetworkRequestEvent.standalone(TaskRequest.ofStage(CompletableFuture::new)
			.endpointUrl("https://api.example.com/items")
			.method("POST")
			.headers(Map.of("Authorization", "Bearer secret-value"))
			.payload(Map.of("name", "x"))
			.numApiTokensNeeded(12)
			.metadata(Map.of("task", 7))
			.build());
	}

	@Test
	void snapshotMasksMetadataValuesOfSensitiveKeys() {
		NetworkRequestEvent event = NetworkRequestEvent.standalone(TaskRequest.ofStage(CompletableFuture::new)
			.metadata(Map.of("api_key", "sk-secret", "tenant", "t1"))
			.build());

		assertThat(event.snapshot().metadata()).containsEntry("api_key", Redactor.MASK).containsEntry("tenant", "t1");
		assertThat(event.snapshot().toString()).doesNotContain("sk-secret");
		assertThat(event.getMetadata()).as("the caller's own view").containsEntry("api_key", "sk-secret");
	}

	@Test
	void resultDescribesItselfWithoutSecrets() {
		CallResult result = new CallResult(200, Map.of("Set-Cookie", "sid=sk-secret", "ETag", "v1"),
				"{\"token\":\"sk-secret\"}");

		assertThat(result.toString()).doesNotContain("sk-secret").contains("ETag=v1", "body=String");
	}

	@Test
	void newEventIsPendingWithIdAndCreationTime() {
		NetworkRequestEvent event = newEvent();

		assertThat(event.getStatus()).isEqualTo(RequestStatus.PENDING);
		assertThat(event.getRequestId()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
		assertThat(event.getUpdatedAt()).isEqualTo(event.getCreatedAt());
		assertThat(event.getMetadata()).containsEntry("task", 7);
		assertThat(event.getNumApiTokensNeeded()).isEqualTo(12);
		assertThat(event.getHeaders()).containsEntry("Authorization", Redactor.MASK);
		assertThat(newEvent().getRequestId()).isNotEqualTo(event.getRequestId());
	}

	@Test
	void timestampsAreSetOnTheWayToCompletion() {
		NetworkRequestEvent event = newEvent();

		event.updateStatus(RequestStatus.QUEUED);
		event.updateStatus(RequestStatus.PROCESSING);
		event.updateStatus(RequestStatus.CALLING);
		event.setResult(200, Map.of("Set-Cookie", "id=1"), "done");

		assertThat(event.getQueuedAt()).isNotNull();
		assertThat(event.getProcessingStartedAt()).isAfterOrEqualTo(event.getQueuedAt());
		assertThat(event.getCallStartedAt()).isAfterOrEqualTo(event.getProcessingStartedAt());
		assertThat(event.getCompletedAt()).isAfterOrEqualTo(event.getCallStartedAt());
		assertThat(event.getUpdatedAt()).isEqualTo(event.getCompletedAt());
		assertThat(event.getResponseHeaders()).containsEntry("Set-Cookie", Redactor.MASK);
		assertThat(event.completion()).isCompletedWithValue(event);
	}

	@Test
	void snapshotTakenLaterShowsTheStateOfItsMoment() {
		NetworkRequestEvent event = newEvent();
		event.updateStatus(RequestStatus.QUEUED);
		Supplier<RequestSnapshot> whenQueued = event.snapshotLater();
		event.updateStatus(RequestStatus.PROCESSING);
		event.updateStatus(RequestStatus.CALLING);
		event.addLog("sent");
		Supplier<RequestSnapshot> whenCalling = event.snapshotLater();
		event.setResult(200, Map.of("Set-Cookie", "id=1"), "done");

		RequestSnapshot queued = whenQueued.get();
		assertThat(queued.status()).isEqualTo(RequestStatus.QUEUED);
		assertThat(queued.queuedAt()).isEqualTo(event.getQueuedAt()).isEqualTo(queued.updatedAt());
		assertThat(queued.processingStartedAt()).isNull();
		assertThat(queued.completedAt()).isNull();
		assertThat(queued.responseStatusCode()).isNull();
		assertThat(queued.logs()).isEmpty();
		RequestSnapshot calling = whenCalling.get();
		assertThat(calling.status()).isEqualTo(RequestStatus.CALLING);
		assertThat(calling.callStartedAt()).isEqualTo(event.getCallStartedAt()).isEqualTo(calling.updatedAt());
		assertThat(calling.completedAt()).isNull();
		assertThat(calling.logs()).containsExactly("sent");
		assertThat(whenCalling.get()).as("built once").isSameAs(calling);
		RequestSnapshot completed = event.snapshot();
		assertThat(completed.status()).isEqualTo(RequestStatus.COMPLETED);
		assertThat(completed.completedAt()).isEqualTo(event.getCompletedAt()).isEqualTo(completed.updatedAt());
		assertThat(completed.createdAt()).isEqualTo(event.getCreatedAt());
		assertThat(completed.queuedAt()).isEqualTo(event.getQueuedAt());
		assertThat(completed.processingStartedAt()).isEqualTo(event.getProcessingStartedAt());
		assertThat(completed.responseStatusCode()).isEqualTo(200);
		assertThat(completed.responseHeaders()).containsEntry("Set-Cookie", Redactor.MASK);
		assertThat(completed.headers()).containsEntry("Authorization", Redactor.MASK);
		assertThat(completed.requestId()).isEqualTo(queued.requestId()).isEqualTo(event.getRequestId());
	}

	@Test
	void everyAwaitingCallerGetsItsOwnFuture() {
		NetworkRequestEvent event = newEvent();
		CompletableFuture<NetworkRequestEvent> cancelledByItsCaller = event.completion();
		List<CompletableFuture<NetworkRequestEvent>> others = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			others.add(event.completion());
		}
		AtomicReference<NetworkRequestEvent> emitted = new AtomicReference<>();
		event.toMono().subscribe(emitted::set);

		cancelledByItsCaller.cancel(false);
		event.updateStatus(RequestStatus.QUEUED);
		event.updateStatus(RequestStatus.PROCESSING);
		event.updateStatus(RequestStatus.CALLING);
		event.setResult(200, null, "done");

		assertThat(others).allSatisfy((future) -> assertThat(future).isCompletedWithValue(event));
		assertThat(cancelledByItsCaller).isCancelled();
		assertThat(emitted).hasValue(event);
		assertThat(event.completion()).as("asked for after the end").isCompletedWithValue(event);
	}

	@Test
	void requestIdIsStableAndCanonical() {
		NetworkRequestEvent event = newEvent();
		String id = event.getRequestId();

		assertThat(event.getRequestId()).isEqualTo(id);
		assertThat(UUID.fromString(id).toString()).isEqualTo(id);
		assertThat(event.hasRequestId(UUID.fromString(id))).isTrue();
		assertThat(event.toString()).contains(id);
		assertThat(event.snapshot().requestId()).isEqualTo(id);
	}

	@Test
	void invalidTransitionsAreRefused() {
		NetworkRequestEvent event = newEvent();

		assertThatIllegalStateException().isThrownBy(() -> event.updateStatus(RequestStatus.CALLING))
			.withMessageContaining("cannot move from PENDING to CALLING");
		assertThatIllegalStateException().isThrownBy(() -> event.setResult(200, null, null));
		event.setError(new IllegalArgumentException("bad"));
		assertThatIllegalStateException().isThrownBy(() -> event.updateStatus(RequestStatus.QUEUED));
		assertThatIllegalStateException().isThrownBy(() -> event.updateStatus(RequestStatus.CANCELLED));
		assertThat(event.getStatus()).isEqualTo(RequestStatus.FAILED);
		assertThat(event.getErrorType()).isEqualTo(IllegalArgumentException.class.getName());
		assertThat(event.cancel()).isFalse();
	}

	@Test
	void concurrentTerminalChangesHaveExactlyOneWinner() throws Exception {
		for (int round = 0; round < 200; round++) {
			NetworkRequestEvent event = newEvent();
			event.updateStatus(RequestStatus.QUEUED);
			event.updateStatus(RequestStatus.PROCESSING);
			event.updateStatus(RequestStatus.CALLING);
			ExecutorService pool = Executors.newFixedThreadPool(3);
			CountDownLatch go = new CountDownLatch(1);
			List<Future<Boolean>> outcomes = new ArrayList<>();
			outcomes.add(pool.submit(() -> attempt(go, () -> event.setResult(200, null, null))));
			outcomes.add(pool.submit(() -> attempt(go, () -> event.setError(new RuntimeException("x")))));
			outcomes.add(pool.submit(() -> attempt(go, () -> {
				if (!event.cancel()) {
					throw new IllegalStateException("lost");
				}
			})));
			go.countDown();
			int winners = 0;
			for (Future<Boolean> outcome : outcomes) {
				winners += outcome.get(10, TimeUnit.SECONDS) ? 1 : 0;
			}
			pool.shutdown();
			assertThat(winners).isEqualTo(1);
			assertThat(event.isTerminal()).isTrue();
		}
	}

	private static boolean attempt(CountDownLatch go, Runnable change) throws InterruptedException {
		go.await();
		try {
			change.run();
			return true;
		}
		catch (IllegalStateException ex) {
			return false;
		}
	}

}
