package io.lionfuncs.network.limit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link ConcurrencyLimiter}.
 */
class ConcurrencyLimiterTests {

	@Test
	void slotsAreTakenUpToTheLimitAndGivenBack() {
		ConcurrencyLimiter limiter = new ConcurrencyLimiter(2);

		assertThat(limiter.tryAcquire()).isTrue();
		assertThat(limiter.tryAcquire()).isTrue();
		assertThat(limiter.tryAcquire()).isFalse();
		assertThat(limiter.available()).isZero();
		limiter.release();
		assertThat(limiter.inUse()).isEqualTo(1);
		assertThat(limiter.tryAcquire()).isTrue();
	}

	@Test
	void releasingMoreThanAcquiredIsAnError() {
		ConcurrencyLimiter limiter = new ConcurrencyLimiter(1);

		assertThatIllegalStateException().isThrownBy(limiter::release);
		assertThat(limiter.inUse()).isZero();
	}

	@Test
	void limitMustBePositive() {
		assertThatIllegalArgumentException().isThrownBy(() -> new ConcurrencyLimiter(0));
	}

}
