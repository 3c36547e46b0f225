package io.lionfuncs.network.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.QueueDispatcher;
import mockwebserver3.RecordedRequest;

/**
 * Serves queued responses and records when each request arrived, so that tests can
 * compare the gaps between attempts against lower bounds.
 */
final class RecordingDispatcher extends Dispatcher {

	private final QueueDispatcher queue = new QueueDispatcher();

	private final List<Long> arrivals = new CopyOnWriteArrayList<>();

	private volatile Consumer<RecordedRequest> onArrival = (request) -> {
	};

	RecordingDispatcher() {
		this.queue.setFailFast(new MockResponse.Builder().code(599).body("no response queued").build());
	}

	void enqueue(MockResponse response) {
		this.queue.enqueue(response);
	}

	void onArrival(Consumer<RecordedRequest> onArrival) {
		this.onArrival = onArrival;
	}

	@Override
	public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
		this.arrivals.add(System.nanoTime());
		this.onArrival.accept(request);
		return this.queue.dispatch(request);
	}

	int count() {
		return this.arrivals.size();
	}

	/**
	 * The time between the arrival of request {@code index - 1} and request
	 * {@code index}.
	 */
	Duration gapBefore(int index) {
		return Duration.ofNanos(this.arrivals.get(index) - this.arrivals.get(index - 1));
	}

	@Override
	public void close() {
		this.queue.close();
	}

}
