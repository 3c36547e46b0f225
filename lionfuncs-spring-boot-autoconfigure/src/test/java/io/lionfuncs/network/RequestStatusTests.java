package io.lionfuncs.network;

import org.junit.jupiter.api.Test;

import static io.lionfuncs.network.RequestStatus.CALLING;
import static io.lionfuncs.network.RequestStatus.CANCELLED;
import static io.lionfuncs.network.RequestStatus.COMPLETED;
import static io.lionfuncs.network.RequestStatus.FAILED;
import static io.lionfuncs.network.RequestStatus.PENDING;
import static io.lionfuncs.network.RequestStatus.PROCESSING;
import static io.lionfuncs.network.RequestStatus.QUEUED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link RequestStatus}.
 */
class RequestStatusTests {

	@Test
	void statusesMoveForwardOneStepAtATime() {
		assertThat(PENDING.canMoveTo(QUEUED)).isTrue();
		assertThat(QUEUED.canMoveTo(PROCESSING)).isTrue();
		assertThat(PROCESSING.canMoveTo(CALLING)).isTrue();
		assertThat(CALLING.canMoveTo(COMPLETED)).isTrue();
		assertThat(PENDING.canMoveTo(PROCESSING)).isFalse();
		assertThat(QUEUED.canMoveTo(CALLING)).isFalse();
		assertThat(PROCESSING.canMoveTo(COMPLETED)).isFalse();
		assertThat(CALLING.canMoveTo(QUEUED)).isFalse();
		assertThat(QUEUED.canMoveTo(QUEUED)).isFalse();
	}

	@Test
	void everyActiveStatusMayFailOrBeCancelled() {
		for (RequestStatus status : new RequestStatus[] { PENDING, QUEUED, PROCESSING, CALLING }) {
			assertThat(status.canMoveTo(FAILED)).as(status + " -> FAILED").isTrue();
			assertThat(status.canMoveTo(CANCELLED)).as(status + " -> CANCELLED").isTrue();
			assertThat(status.isTerminal()).isFalse();
		}
	}

	@Test
	void nothingFollowsATerminalStatus() {
		for (RequestStatus terminal : new RequestStatus[] { COMPLETED, FAILED, CANCELLED }) {
			assertThat(terminal.isTerminal()).isTrue();
			for (RequestStatus next : RequestStatus.values()) {
				assertThat(terminal.canMoveTo(next)).as(terminal + " -> " + next).isFalse();
			}
		}
	}

}
