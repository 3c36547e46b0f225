package io.lionfuncs.event;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link Backoff}, on times passed in.
 */
class BackoffTests {

	private final Backoff backoff = new Backoff(10, 40);

	@Test
	void delayDoublesUpToTheMaximumAndResetsAfterASuccess() {
		assertThat(this.backoff.remaining(0)).isLessThanOrEqualTo(0);

		this.backoff.failed(0);
		assertThat(this.backoff.remaining(0)).isEqualTo(10);
		this.backoff.failed(10);
		assertThat(this.backoff.remaining(10)).isEqualTo(20);
		this.backoff.failed(30);
		this.backoff.failed(70);
		assertThat(this.backoff.remaining(70)).as("at most the maximum").isEqualTo(40);

		this.backoff.succeeded();
		assertThat(this.backoff.remaining(70)).isLessThanOrEqualTo(0);
		this.backoff.failed(100);
		assertThat(this.backoff.remaining(100)).isEqualTo(10);
	}

	@Test
	void failuresOfAttemptsMadeTogetherCountOnce() {
		this.backoff.failed(0);
		this.backoff.failed(1);
		this.backoff.failed(2);

		assertThat(this.backoff.remaining(2)).isEqualTo(8);
	}

	@Test
	void resetLetsTheNextAttemptGoNow() {
		this.backoff.failed(0);

		this.backoff.reset();

		assertThat(this.backoff.remaining(0)).isLessThanOrEqualTo(0);
	}

}
