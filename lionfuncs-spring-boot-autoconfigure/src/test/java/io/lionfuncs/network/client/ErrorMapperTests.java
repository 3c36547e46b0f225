package io.lionfuncs.network.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import io.lionfuncs.network.Redactor;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import org.junit.jupiter.api.Test;
import reactor.netty.channel.AbortedException;
import reactor.netty.http.client.PrematureCloseException;
import reactor.netty.internal.shaded.reactor.pool.PoolAcquirePendingLimitException;
import reactor.netty.internal.shaded.reactor.pool.PoolAcquireTimeoutException;
import reactor.netty.internal.shaded.reactor.pool.PoolShutdownException;

import org.springframework.core.ResolvableType;
import org.springframework.core.codec.DecodingException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.UnsupportedMediaTypeException;
import org.springframework.web.reactive.function.client.WebClientRequestException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Tests for {@link ErrorMapper} on failures that a loopback server cannot produce on
 * demand.
 */
class ErrorMapperTests {

	private static final Duration TIMEOUT = Duration.ofSeconds(10);

	private final ErrorMapper mapper = new ErrorMapper(Redactor.defaults(), Clock.systemUTC());

	private final ExchangeDetails request = ExchangeDetails.request("POST", "https://api.example.com/v1/chat");

	@Test
	void connectTimeoutIsATimeoutThatNeverReachedTheServer() {
		ApiClientException ex = this.mapper.forFailure(
				wrapped(new ConnectTimeoutException("connection timed out: api.example.com/10.0.0.1:443")),
				this.request, TIMEOUT);

		assertThat(ex).isExactlyInstanceOf(ApiTimeoutException.class);
		assertThat(((ApiTimeoutException) ex).isConnectFailure()).isTrue();
		assertThat(ApiFailures.isRetryable(ex)).as("retryable even for POST").isTrue();
		assertThat(ex.getCause()).isInstanceOf(ConnectTimeoutException.class);
	}

	@Test
	void readTimeoutIsATimeoutAfterSending() {
		ApiClientException ex = this.mapper.forFailure(wrapped(ReadTimeoutException.INSTANCE), this.request, TIMEOUT);

		assertThat(ex).isExactlyInstanceOf(ApiTimeoutException.class);
		assertThat(((ApiTimeoutException) ex).isConnectFailure()).isFalse();
	}

	@Test
	void operatorTimeoutNamesTheTimeout() {
		ApiClientException ex = this.mapper.forFailure(new TimeoutException("Did not observe any item"), this.request,
				TIMEOUT);

		assertThat(ex).isExactlyInstanceOf(ApiTimeoutException.class);
		assertThat(ex.getMessage()).isEqualTo("POST https://api.example.com/v1/chat got no response within PT10S");
	}

	@Test
	void aPoolRefusingOrTimingOutARequestMeansItWasNotSent() {
		ApiClientException refused = this.mapper.forFailure(wrapped(new PoolAcquirePendingLimitException(32)),
				this.request, TIMEOUT);
		ApiClientException waited = this.mapper
			.forFailure(wrapped(new PoolAcquireTimeoutException(Duration.ofSeconds(10))), this.request, TIMEOUT);
		ApiClientException shutDown = this.mapper.forFailure(wrapped(new PoolShutdownException()), this.request,
				TIMEOUT);

		assertThat(refused).isExactlyInstanceOf(ApiConnectionException.class);
		assertThat(refused.getMessage())
			.isEqualTo("POST https://api.example.com/v1/chat was not sent: the connection pool refused it "
					+ "(PoolAcquirePendingLimitException)");
		assertThat(waited).isExactlyInstanceOf(ApiTimeoutException.class);
		assertThat(shutDown).isExactlyInstanceOf(ApiConnectionException.class);
		for (ApiClientException ex : List.of(refused, waited, shutDown)) {
			assertThat(((ApiConnectionException) ex).isConnectFailure()).isTrue();
			assertThat(ApiFailures.isRetryable(ex)).as("retryable even for POST").isTrue();
		}
	}

	@Test
	void unknownHostAndRefusedConnectionsAreConnectFailures() {
		assertThat(this.mapper.forFailure(wrapped(new UnknownHostException("nowhere.invalid")), this.request, TIMEOUT))
			.isExactlyInstanceOf(ApiConnectionException.class)
			.satisfies((ex) -> assertThat(((ApiConnectionException) ex).isConnectFailure()).isTrue());
		assertThat(this.mapper.forFailure(wrapped(new ConnectException("Connection refused")), this.request, TIMEOUT))
			.satisfies((ex) -> assertThat(((ApiConnectionException) ex).isConnectFailure()).isTrue());
	}

	@Test
	void prematureCloseIsAConnectionFailureAfterSending() {
		ApiClientException ex = this.mapper.forFailure(
				wrapped(PrematureCloseException.TEST_EXCEPTION), this.request,
				TIMEOUT);

		assertThat(ex).isExactlyInstanceOf(ApiConnectionException.class);
		assertThat(((ApiConnectionException) ex).isConnectFailure()).isFalse();
		assertThat(ApiFailures.isRetryable(ex)).as("a POST may have been processed").isFalse();
	}

	@Test
	void webClientsWrapperWithTheRequestHeadersIsNotKept() {
		ApiClientException ex = this.mapper.forFailure(wrapped(new IOException("Connection reset by peer")), this.request,
				TIMEOUT);

		assertThat(ex.getCause()).isExactlyInstanceOf(IOException.class);
		assertThat(ex.getMessage()).isEqualTo("POST https://api.example.com/v1/chat failed: IOException: Connection reset by peer");
	}

	@Test
	void codecMessagesStayOutOfTheMessage() {
		ApiClientException ex = this.mapper.forFailure(new DecodingException("JSON decoding error: 'sk-secret'"),
				this.request, TIMEOUT);

		assertThat(ex).isExactlyInstanceOf(ApiClientException.class);
		assertThat(ex.getMessage()).doesNotContain("sk-secret");
	}

	@Test
	void unreadableContentTypeNamesTheTypeAndTheWantedBody() {
		ApiClientException ex = this.mapper.forFailure(
				new UnsupportedMediaTypeException(MediaType.TEXT_HTML, List.of(MediaType.APPLICATION_JSON),
						ResolvableType.forClass(Map.class)),
				this.request, TIMEOUT);

		assertThat(ex).isExactlyInstanceOf(ApiClientException.class);
		assertThat(ex.getMessage()).isEqualTo("POST https://api.example.com/v1/chat returned content type text/html, "
				+ "which cannot be read as java.util.Map<?, ?>");
	}

	@Test
	void anythingElseIsAnApiClientExceptionNamingOnlyTheType() {
		ApiClientException ex = this.mapper.forFailure(new IllegalStateException("token=sk-secret"), this.request,
				TIMEOUT);

		assertThat(ex).isExactlyInstanceOf(ApiClientException.class);
		assertThat(ex.getMessage()).isEqualTo("POST https://api.example.com/v1/chat failed: IllegalStateException");
	}

	@Test
	void connectionClosedBeforeTheRequestWasWrittenWasProvablyNotSent() {
		ApiClientException ex = this.mapper.forFailure(wrapped(AbortedException.beforeSend()), this.request, TIMEOUT);

		assertThat(ex).isExactlyInstanceOf(ApiConnectionException.class);
		assertThat(((ApiConnectionException) ex).isConnectFailure()).isTrue();
		assertThat(ApiFailures.isRetryable(ex)).as("retryable even for POST").isTrue();
		assertThat(ex.getMessage())
			.isEqualTo("POST https://api.example.com/v1/chat was not sent: the connection closed first");
	}

	@Test
	void connectionAbortedOtherwiseMayHaveBeenSent() {
		ApiClientException ex = this.mapper.forFailure(wrapped(new AbortedException("Connection reset")),
				this.request, TIMEOUT);

		assertThat(ex).isExactlyInstanceOf(ApiConnectionException.class);
		assertThat(((ApiConnectionException) ex).isConnectFailure()).isFalse();
		assertThat(ApiFailures.isRetryable(ex)).as("not retried for POST").isFalse();
	}

	private static WebClientRequestException wrapped(Throwable cause) {
		HttpHeaders headers = new HttpHeaders();
		headers.setBearerAuth("sk-secret");
		return new WebClientRequestException(cause, HttpMethod.POST, URI.create("https://api.example.com/v1/chat"),
				headers);
	}

}
