package io.lionfuncs.event;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link SpoolIndex}: bounded, oldest first, with entries left on disk found
 * by the next scan.
 */
class SpoolIndexTests {

	private final SpoolIndex index = new SpoolIndex(3);

	@Test
	void keepsTheOldestEntriesUpToItsLimit() {
		for (long seq : new long[] { 5, 1, 4, 2 }) {
			this.index.add(seq, file(seq));
		}

		assertThat(drain()).containsExactly(1L, 2L, 4L);
		assertThat(this.index.needsScan()).isTrue();
		assertThat(this.index.hasBacklog()).isTrue();
	}

	@Test
	void newerEntryThanAnIncompleteIndexIsLeftOnDisk() {
		this.index.load(scan(10, 1, 2, 3));
		this.index.add(4, file(4));
		this.index.add(0, file(0));

		assertThat(this.index.oldest().getKey()).isZero();
		assertThat(drain()).containsExactly(0L, 1L, 2L);
		assertThat(this.index.needsScan()).isTrue();
	}

	@Test
	void scanRefillsAndKeepsEntriesAddedWhileScanning() {
		this.index.load(scan(5, 1, 2, 3));
		drain();
		this.index.beginScan();
		this.index.add(9, file(9));

		this.index.completeScan(scan(2, 7, 8));

		assertThat(drain()).containsExactly(7L, 8L, 9L);
		assertThat(this.index.hasBacklog()).isFalse();
	}

	@Test
	void failedScanLeavesTheIndexWaitingForTheNextOne() {
		this.index.load(scan(4, 1, 2, 3));
		drain();
		this.index.beginScan();

		this.index.completeScan(null);

		assertThat(this.index.needsScan()).isTrue();
	}

	private List<Long> drain() {
		List<Long> drained = new ArrayList<>();
		Map.Entry<Long, Path> oldest;
		while ((oldest = this.index.oldest()) != null) {
			drained.add(oldest.getKey());
			this.index.remove(oldest.getKey());
		}
		return drained;
	}

	private static EventSpool.Scan scan(long count, long... oldest) {
		List<EventSpool.Entry> entries = new ArrayList<>();
		for (long seq : oldest) {
			entries.add(new EventSpool.Entry(seq, file(seq)));
		}
		return new EventSpool.Scan(entries, count, oldest.length > 0 ? oldest[oldest.length - 1] : -1);
	}

	private static Path file(long seq) {
		return Path.of(seq + ".json");
	}

}
