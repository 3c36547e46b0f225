package io.lionfuncs.reliability;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Times the reliability test classes and prints, once the whole test run is over, one
 * {@code [reliability] total} line with the time they took together, so that a build log
 * shows what the suite costs.
 */
class SuiteDuration implements BeforeAllCallback, AfterAllCallback {

	private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
		.create(SuiteDuration.class);

	@Override
	public void beforeAll(ExtensionContext context) {
		context.getStore(NAMESPACE).put("start", System.nanoTime());
	}

	@Override
	public void afterAll(ExtensionContext context) {
		long elapsed = System.nanoTime() - context.getStore(NAMESPACE).get("start", Long.class);
		// the root store is closed when the whole run ends: that is when the total is printed
		context.getRoot()
			.getStore(NAMESPACE)
			.computeIfAbsent(Total.class, (key) -> new Total(), Total.class)
			.add(context.getRequiredTestClass().getSimpleName(), elapsed);
	}

	/**
	 * The time of every class, printed when closed.
	 */
	static final class Total implements AutoCloseable {

		private static final Logger logger = LoggerFactory.getLogger("io.lionfuncs.reliability");

		private final AtomicLong nanos = new AtomicLong();

		private final AtomicInteger classes = new AtomicInteger();

		void add(String testClass, long elapsedNanos) {
			this.nanos.addAndGet(elapsedNanos);
			this.classes.incrementAndGet();
		}

		@Override
		public void close() {
			logger.info("[reliability] total: classes={} elapsed={}", this.classes.get(),
					String.format(Locale.ROOT, "%.1fs", this.nanos.get() / 1e9));
		}

	}

}
