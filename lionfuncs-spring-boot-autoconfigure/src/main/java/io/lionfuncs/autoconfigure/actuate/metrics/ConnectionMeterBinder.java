package io.lionfuncs.autoconfigure.actuate.metrics;

import java.util.List;

import io.lionfuncs.network.client.AsyncApiClient;
import io.lionfuncs.network.connection.ConnectionEvent.Closed;
import io.lionfuncs.network.connection.ConnectionTracker;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Meters of the HTTP connections of the lionfuncs clients whose connection events are
 * on, tagged {@code client}: connections busy and idle, requests waiting for a
 * connection, connections closed by {@code reason}, and bytes read and written. They
 * read the same counts as the {@code connections} section of the {@code lionfuncs}
 * endpoint. Tags are bounded: the client's name and the four close reasons.
 *
 * @since 0.1.0
 */
public class ConnectionMeterBinder implements MeterBinder {

	private final List<AsyncApiClient> clients;

	public ConnectionMeterBinder(List<AsyncApiClient> clients) {
		this.clients = clients;
	}

	@Override
	public void bindTo(MeterRegistry registry) {
		for (AsyncApiClient client : this.clients) {
			ConnectionTracker tracker = client.getConnectionTracker();
			if (tracker != null) {
				bind(registry, tracker, Tags.of("client", client.getName()));
			}
		}
	}

	private static void bind(MeterRegistry registry, ConnectionTracker tracker, Tags tags) {
		Gauge.builder("lionfuncs.connections.active", tracker, (t) -> t.stats().active())
			.tags(tags)
			.baseUnit("connections")
			.description("Connections busy with an exchange")
			.register(registry);
		Gauge.builder("lionfuncs.connections.idle", tracker, (t) -> t.stats().idle())
			.tags(tags)
			.baseUnit("connections")
			.description("Connections open and idle in the pool")
			.register(registry);
		Gauge.builder("lionfuncs.connections.pending", tracker, (t) -> t.stats().pendingAcquires())
			.tags(tags)
			.baseUnit("requests")
			.description("Requests waiting for a connection because the pool is at its maximum")
			.register(registry);
		for (Closed.Reason reason : Closed.Reason.values()) {
			FunctionCounter.builder("lionfuncs.connections.closed", tracker, (t) -> t.stats().closed().get(reason))
				.tags(tags.and("reason", reason.value()))
				.baseUnit("connections")
				.description("Connections closed, by reason")
				.register(registry);
		}
		FunctionCounter.builder("lionfuncs.connections.data.read", tracker, (t) -> t.stats().bytesRead())
			.tags(tags)
			.baseUnit("bytes")
			.description("Bytes read from the servers, on the wire")
			.register(registry);
		FunctionCounter.builder("lionfuncs.connections.data.written", tracker, (t) -> t.stats().bytesWritten())
			.tags(tags)
			.baseUnit("bytes")
			.description("Bytes written to the servers, on the wire")
			.register(registry);
	}

}
