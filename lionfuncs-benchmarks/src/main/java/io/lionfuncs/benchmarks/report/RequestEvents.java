package io.lionfuncs.benchmarks.report;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

import io.lionfuncs.event.Event;

/**
 * Events shaped like those the executors publish ({@code lionfuncs.request}: a terminal
 * change of a call, with its timings), about 700 bytes of JSON each.
 */
final class RequestEvents {

	private RequestEvents() {
	}

	static Event terminal(int index) {
		Instant created = Instant.now();
		String requestId = UUID.randomUUID().toString();
		Map<String, Object> data = new LinkedHashMap<>();
		data.put("request_id", requestId);
		data.put("executor", "default");
		data.put("status", "COMPLETED");
		data.put("previous_status", "CALLING");
		data.put("method", "POST");
		data.put("endpoint_url", "https://api.example.com/v1/chat/completions");
		data.put("status_code", 200);
		data.put("api_tokens_needed", 400 + index % 100);
		data.put("api_tokens_used", 380 + index % 90);
		data.put("created_at", created.toString());
		data.put("queued_at", created.toString());
		data.put("processing_started_at", created.plusMillis(3).toString());
		data.put("call_started_at", created.plusMillis(4).toString());
		data.put("completed_at", created.plusMillis(154).toString());
		data.put("queue_wait_ms", 3);
		data.put("call_duration_ms", 150);
		data.put("total_duration_ms", 154);
		data.put("metadata", Map.of("client", "default", "tenant", "t" + (index % 7)));
		Event event = Event.builder("lionfuncs.request").uid(requestId + "-completed").putAll(data).build();
		event.close();
		return event;
	}

}
