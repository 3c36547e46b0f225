package io.lionfuncs.network.client;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpHeaders;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RetryAfter}.
 */
class RetryAfterTests {

	private final Clock clock = Clock.fixed(Instant.parse("1994-11-06T08:49:30Z"), ZoneOffset.UTC);

	@Test
	void delaySecondsAreRead() {
		assertThat(RetryAfter.parse("120", this.clock)).isEqualTo(Duration.ofSeconds(120));
		assertThat(RetryAfter.parse(" 0 ", this.clock)).isEqualTo(Duration.ZERO);
		assertThat(RetryAfter.parse("1.5", this.clock)).isEqualTo(Duration.ofMillis(1500));
	}

	@Test
	void httpDatesInAllThreeFormatsAreMeasuredAgainstTheClock() {
		assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", this.clock)).isEqualTo(Duration.ofSeconds(7));
		assertThat(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", this.clock)).isEqualTo(Duration.ofSeconds(7));
		assertThat(RetryAfter.parse("Sun Nov  6 08:49:37 1994", this.clock)).isEqualTo(Duration.ofSeconds(7));
	}

	@Test
	void aDateInThePastMeansNoWait() {
		assertThat(RetryAfter.parse("Sun, 06 Nov 1994 08:00:00 GMT", this.clock)).isEqualTo(Duration.ZERO);
	}

	@Test
	void malformedOrMissingValuesGiveNoDelay() {
		assertThat(RetryAfter.parse(null, this.clock)).isNull();
		assertThat(RetryAfter.parse("", this.clock)).isNull();
		assertThat(RetryAfter.parse("soon", this.clock)).isNull();
		assertThat(RetryAfter.parse("-5", this.clock)).isNull();
		assertThat(RetryAfter.parse("12abc", this.clock)).isNull();
		assertThat(RetryAfter.parse("99999999999999999999999", this.clock)).isNull();
	}

	@Test
	void retryAfterMillisecondsTakePrecedence() {
		HttpHeaders headers = new HttpHeaders();
		headers.set(HttpHeaders.RETRY_AFTER, "2");
		headers.set("retry-after-ms", "1250");

		assertThat(RetryAfter.from(headers, this.clock)).isEqualTo(Duration.ofMillis(1250));
		headers.set("retry-after-ms", "junk");
		assertThat(RetryAfter.from(headers, this.clock)).isEqualTo(Duration.ofSeconds(2));
		assertThat(RetryAfter.from(new HttpHeaders(), this.clock)).isNull();
	}

}
