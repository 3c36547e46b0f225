package io.lionfuncs.sample.upstream;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Settings of the embedded fake upstream.
 */
@ConfigurationProperties("sample.upstream")
public class UpstreamProperties {

	/**
	 * Requests per second the fake upstream accepts before answering 429.
	 */
	private int requestsPerSecond = 20;

	/**
	 * API tokens per minute the fake upstream accepts before answering 429.
	 */
	private long tokensPerMinute = 120_000;

	/**
	 * Share of requests answered with a 503, between 0 and 1.
	 */
	private double errorRate;

	/**
	 * Time taken to answer each request.
	 */
	private Duration latency = Duration.ofMillis(150);

	/**
	 * Time between the chunks of a streamed answer.
	 */
	private Duration chunkDelay = Duration.ofMillis(50);

	/**
	 * Content chunks of a streamed answer, before its final chunks.
	 */
	private int streamChunks = 20;

	public Duration getChunkDelay() {
		return this.chunkDelay;
	}

	public void setChunkDelay(Duration chunkDelay) {
		this.chunkDelay = chunkDelay;
	}

	public int getStreamChunks() {
		return this.streamChunks;
	}

	public void setStreamChunks(int streamChunks) {
		this.streamChunks = streamChunks;
	}

	public int getRequestsPerSecond() {
		return this.requestsPerSecond;
	}

	public void setRequestsPerSecond(int requestsPerSecond) {
		this.requestsPerSecond = requestsPerSecond;
	}

	public long getTokensPerMinute() {
		return this.tokensPerMinute;
	}

	public void setTokensPerMinute(long tokensPerMinute) {
		this.tokensPerMinute = tokensPerMinute;
	}

	public double getErrorRate() {
		return this.errorRate;
	}

	public void setErrorRate(double errorRate) {
		this.errorRate = errorRate;
	}

	public Duration getLatency() {
		return this.latency;
	}

	public void setLatency(Duration latency) {
		this.latency = latency;
	}

}
