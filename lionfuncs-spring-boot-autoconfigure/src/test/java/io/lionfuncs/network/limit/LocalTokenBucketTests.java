package io.lionfuncs.network.limit;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.github.bucket4j.TimeMeter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * Tests for {@link LocalTokenBucket} on a manual clock.
 */
class LocalTokenBucketTests {

	private final AtomicLong nanos = new AtomicLong();

	private final TimeMeter clock = new TimeMeter() {

		@Override
		public long currentTimeNanos() {
			return LocalTokenBucketTests.this.nanos.get();
		}

		@Override
		public boolean isWallClockBased() {
			return false;
		}

	};

	@Test
	void reservationTakesTokensAtOnceAndReportsTheWait() {
		LocalTokenBucket bucket = new LocalTokenBucket(new BucketSettings(2, 10, Duration.ofSeconds(1)), this.clock);

		assertThat(bucket.reserve(1)).isZero();
		assertThat(bucket.reserve(1)).isZero();
		assertThat(bucket.reserve(1)).isEqualTo(Duration.ofMillis(100).toNanos());
		assertThat(bucket.reserve(1)).isEqualTo(Duration.ofMillis(200).toNanos());
		assertThat(bucket.availableTokens()).isEqualTo(-2);
	}

	@Test
	void refundGivesTokensBackUpToTheCapacity() {
		LocalTokenBucket bucket = new LocalTokenBucket(new BucketSettings(5, 5, Duration.ofSeconds(1)), this.clock);
		bucket.reserve(5);
		bucket.reserve(3);

		bucket.refund(3);
		assertThat(bucket.availableTokens()).isZero();
		bucket.refund(50);
		assertThat(bucket.availableTokens()).isEqualTo(5);
	}

	@Test
	void forcedConsumptionPutsTheBucketInDebt() {
		LocalTokenBucket bucket = new LocalTokenBucket(new BucketSettings(100, 100, Duration.ofSeconds(1)),
				this.clock);

		bucket.forceConsume(250);

		assertThat(bucket.availableTokens()).isEqualTo(-150);
		assertThat(bucket.reserve(10)).isEqualTo(Duration.ofMillis(1600).toNanos());
	}

	@Test
	void refillIsContinuousAndCappedAtTheCapacity() {
		LocalTokenBucket bucket = new LocalTokenBucket(new BucketSettings(10, 10, Duration.ofSeconds(1)), this.clock);
		bucket.reserve(10);

		this.nanos.set(Duration.ofMillis(350).toNanos());
		assertThat(bucket.availableTokens()).isEqualTo(3);
		this.nanos.set(Duration.ofSeconds(60).toNanos());
		assertThat(bucket.availableTokens()).isEqualTo(10);
	}

	@Test
	void fractionalRatesKeepTheirContinuousRate() {
		LocalTokenBucket bucket = new LocalTokenBucket(new BucketSettings(1, 2.5, Duration.ofSeconds(1)), this.clock);
		bucket.reserve(1);

		assertThat(bucket.reserve(1)).isEqualTo(Duration.ofMillis(400).toNanos());
		assertThat(LocalTokenBucket.bandwidth(new BucketSettings(1, 0.0001, Duration.ofSeconds(1)))
			.getRefillPeriodNanos()).isEqualTo(Duration.ofSeconds(10_000).toNanos());
	}

	@Test
	void invalidShapesAreRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> new BucketSettings(0, 1, Duration.ofSeconds(1)))
			.withMessageContaining("capacity");
		assertThatIllegalArgumentException().isThrownBy(() -> new BucketSettings(1, -1, Duration.ofSeconds(1)))
			.withMessageContaining("rate");
		assertThatIllegalArgumentException().isThrownBy(() -> new BucketSettings(1, 1, Duration.ZERO))
			.withMessageContaining("period");
		assertThatIllegalArgumentException().isThrownBy(() -> new BucketSettings(1, 2e9, Duration.ofSeconds(1)))
			.withMessageContaining("1 token per nanosecond");
	}

	@Test
	void boundOfAWindowIsCapacityPlusRefill() {
		BucketSettings settings = new BucketSettings(200, 200, Duration.ofSeconds(1));

		assertThat(settings.maxTokensIn(Duration.ofSeconds(1))).isEqualTo(400);
		assertThat(settings.tokensPerSecond()).isEqualTo(200);
	}

}
