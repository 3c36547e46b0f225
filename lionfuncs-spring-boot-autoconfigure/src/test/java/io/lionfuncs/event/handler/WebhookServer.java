package io.lionfuncs.event.handler;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import io.lionfuncs.event.Event;
import io.lionfuncs.event.EventJson;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A real HTTP server on loopback that answers webhook calls with a settable status and
 * records the events it was sent.
 */
final class WebhookServer implements AutoCloseable {

	private final MockWebServer server = new MockWebServer();

	private final AtomicInteger status = new AtomicInteger(200);

	/** Every request's event, in arrival order. */
	final List<Event> received = new CopyOnWriteArrayList<>();

	/** The uids of events answered with a 2xx, in arrival order. */
	final List<String> accepted = new CopyOnWriteArrayList<>();

	/** The Idempotency-Key header of every request. */
	final List<String> idempotencyKeys = new CopyOnWriteArrayList<>();

	WebhookServer() throws IOException {
		this.server.setDispatcher(new Dispatcher() {

			@Override
			public MockResponse dispatch(RecordedRequest request) {
				int code = WebhookServer.this.status.get();
				Event event = EventJson.defaults().read(request.getBody().toByteArray(), "request");
				WebhookServer.this.received.add(event);
				WebhookServer.this.idempotencyKeys.add(request.getHeaders().get("Idempotency-Key"));
				if (code >= 200 && code < 300) {
					WebhookServer.this.accepted.add(event.getUid());
				}
				return new MockResponse.Builder().code(code).build();
			}

		});
		this.server.start();
	}

	void answer(int code) {
		this.status.set(code);
	}

	URI url(String path) {
		return this.server.url(path).uri();
	}

	MockWebServer server() {
		return this.server;
	}

	int requestCount() {
		return this.server.getRequestCount();
	}

	@Override
	public void close() {
		this.server.close();
	}

}
