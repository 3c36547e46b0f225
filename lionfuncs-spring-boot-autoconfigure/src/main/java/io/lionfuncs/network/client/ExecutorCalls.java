package io.lionfuncs.network.client;

import java.util.Map;
import java.util.function.Supplier;

import io.lionfuncs.network.CallResult;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.ResponseObserver;
import io.lionfuncs.network.TaskRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Signal;

/**
 * Everything an {@link AsyncApiClient} knows about the {@link Executor}: the task it
 * hands an executor for a request (or the lease it takes for a stream), and the report of each attempt's response to the
 * executor running the call, so that a 429 pauses the executor's other calls while this
 * one waits to retry.
 */
final class ExecutorCalls {

	private static final Logger logger = LoggerFactory.getLogger(ExecutorCalls.class);

	private final String clientName;

	private final RequestEncoder encoder;

	ExecutorCalls(String clientName, RequestEncoder encoder) {
		this.clientName = clientName;
		this.encoder = encoder;
	}

	/**
	 * A task that makes the call when the executor lets it leave, its writes paced
	 * ({@link WritePacer}) when the client paces them.
	 * @param request the request
	 * @param call sends the request, retries included
	 * @return a task builder
	 */
	TaskRequest.Builder task(ApiRequest request, Supplier<Mono<CallResult>> call) {
		return TaskRequest.ofMono(() -> call.get().contextWrite(WritePacer::paced))
			.endpointUrl(this.encoder.describe(request.uriTemplate()))
			.method(request.method().name())
			.headers(this.encoder.recordedHeaders(request))
			.payload(request.payload())
			.metadata(Map.of("client", this.clientName));
	}

	/**
	 * A lease for a streamed request, its event marked as a stream.
	 * @param request the request
	 * @return a lease request builder
	 */
	TaskRequest.Builder streamLease(ApiRequest request) {
		return TaskRequest.lease()
			.endpointUrl(this.encoder.describe(request.uriTemplate()))
			.method(request.method().name())
			.headers(this.encoder.recordedHeaders(request))
			.payload(request.payload())
			.metadata(Map.of("client", this.clientName, ApiStream.METADATA_KEY, true));
	}

	Mono<NetworkRequestEvent> submit(Executor executor, TaskRequest.Builder task) {
		return executor.submit(task.build());
	}

	NetworkRequestEvent submitTask(Executor executor, TaskRequest.Builder task) {
		return executor.submitTask(task.build());
	}

	/**
	 * Tells the executor running this call, if any, of one attempt's response.
	 * @param signal the attempt's outcome
	 */
	void reportAttempt(Signal<? extends ApiResponse<?>> signal) {
		if (!signal.isOnNext() && !signal.isOnError()) {
			return;
		}
		ResponseObserver observer = ResponseObserver.from(signal.getContextView());
		if (observer == null) {
			return;
		}
		try {
			ApiResponse<?> response = signal.get();
			if (response != null) {
				observer.onResponse(response.status(), response.toCallResult().headers());
			}
			else if (signal.getThrowable() instanceof ApiClientException failure && failure.statusCode() != null) {
				observer.onResponse(failure.statusCode(), failure.responseHeaders());
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Client '{}': the executor's response observer failed", this.clientName, ex);
		}
	}

}
