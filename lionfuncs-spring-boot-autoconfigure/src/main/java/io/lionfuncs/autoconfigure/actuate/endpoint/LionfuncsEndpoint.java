package io.lionfuncs.autoconfigure.actuate.endpoint;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestSnapshot;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * The {@code lionfuncs} endpoint: every executor's queue, slots, buckets, counts and
 * in-flight requests, plus the sections of the {@link LionfuncsEndpointContributor}s;
 * and one request by id. Read-only; never shows a secret, payload or body.
 *
 * @since 0.1.0
 */
@Endpoint(id = "lionfuncs")
public class LionfuncsEndpoint {

	private final List<Executor> executors;

	private final List<LionfuncsEndpointContributor> contributors;

	private final Clock clock;

	public LionfuncsEndpoint(List<Executor> executors, List<LionfuncsEndpointContributor> contributors) {
		this(executors, contributors, Clock.systemUTC());
	}

	LionfuncsEndpoint(List<Executor> executors, List<LionfuncsEndpointContributor> contributors, Clock clock) {
		this.executors = executors;
		this.contributors = contributors;
		this.clock = clock;
	}

	/**
	 * Every executor and contributed section.
	 * @return the endpoint's content
	 */
	@ReadOperation
	public Map<String, Object> lionfuncs() {
		Instant now = this.clock.instant();
		Map<String, ExecutorDescriptor> executors = new LinkedHashMap<>();
		for (Executor executor : this.executors) {
			executors.put(executor.getName(), ExecutorDescriptor.of(executor, now));
		}
		Map<String, Object> content = new LinkedHashMap<>();
		content.put("executors", executors);
		for (LionfuncsEndpointContributor contributor : this.contributors) {
			content.put(contributor.section(), contributor.describe());
		}
		return OperationResponseBody.of(content);
	}

	/**
	 * One request, waiting, queued, in flight or recently finished.
	 * @param requestId the request's id
	 * @return the request, or {@code null} (404) when no executor knows it
	 */
	@ReadOperation
	public @Nullable RequestSnapshot request(@Selector String requestId) {
		for (Executor executor : this.executors) {
			NetworkRequestEvent event = executor.find(requestId);
			if (event != null) {
				return event.snapshot();
			}
		}
		return null;
	}

}
