package io.lionfuncs.network;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import io.lionfuncs.network.limit.BucketView;
import io.lionfuncs.network.limit.TokenBucket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for the read-only views of an {@link Executor}: {@link ExecutorStats} and the
 * {@link BucketView}s, on virtual time.
 */
class ExecutorViewsTests {

	private final VirtualTime time = new VirtualTime();

	private Executor executor;

	@AfterEach
	void stop() {
		if (this.executor != null) {
			this.executor.stopAsync(false);
		}
	}

	private Executor start(ExecutorSettings.Builder settings) {
		this.executor = this.time.executor(settings.build()).build();
		this.executor.start();
		return this.executor;
	}

	@Test
	void bucketViewsReadTheBucketsButCannotChangeThem() {
		Executor executor = start(ExecutorSettings.builder().requestsRate(10).apiTokensRate(1000.0)
			.apiTokensPeriod(Duration.ofSeconds(1)));
		executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).numApiTokensNeeded(300).build());

		BucketView requests = executor.requestsBucket();
		BucketView apiTokens = executor.apiTokensBucket();
		assertThat(requests).isNotInstanceOf(TokenBucket.class);
		assertThat(apiTokens).isNotInstanceOf(TokenBucket.class);
		assertThat(requests.availableTokens()).isEqualTo(9);
		assertThat(apiTokens.availableTokens()).isEqualTo(700);
		assertThat(apiTokens.readAvailableTokens().toCompletableFuture().join()).isEqualTo(700);
		assertThat(requests.storeType()).isEqualTo(BucketView.LOCAL_STORE);
		assertThat(requests.sharedState()).isNull();
		assertThat(requests.isSynchronous()).isTrue();
		this.time.advance(Duration.ofMillis(100));
		assertThat(requests.availableTokens()).as("a live view").isEqualTo(10);
	}

	@Test
	void statsAreAPointInTimeViewWithSlotsAndBuckets() {
		Executor executor = start(ExecutorSettings.builder().requestsRate(10).concurrencyLimit(2));
		executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());
		executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());
		executor.submitTask(TaskRequest.ofStage(CompletableFuture::new).build());

		ExecutorStats stats = executor.stats();
		this.time.advance(Duration.ofSeconds(1));

		assertThat(stats.slots()).isEqualTo(new ExecutorStats.SlotStats(2, 2, 0));
		assertThat(stats.queueDepth()).isEqualTo(1);
		assertThat(stats.calling()).isEqualTo(2);
		assertThat(stats.requestsBucket().available()).as("taken when the view was made").isEqualTo(8);
		assertThat(stats.requestsBucket().store()).isEqualTo("local");
		assertThat(stats.requestsBucket().shared()).isNull();
		assertThat(stats.apiTokensBucket()).isNull();
		assertThat(executor.stats().requestsBucket().available()).isEqualTo(10);
	}

}
