package io.lionfuncs.event.handler;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

import io.lionfuncs.event.Event;
import io.lionfuncs.event.EventDeliveryException;
import io.lionfuncs.event.EventHandler;
import io.lionfuncs.event.EventJson;
import org.jspecify.annotations.Nullable;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

import org.springframework.format.datetime.standard.DurationFormatterUtils;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.reactive.function.client.WebClientResponseException;

/**
 * POSTs each event, in e3's JSON layout ({@code {"data": …, "attachments": …,
 * "closed": …}}), to a URL through Spring's {@link WebClient}, with a timeout per
 * attempt and retries with backoff for connection failures, timeouts, {@code 408},
 * {@code 429} and {@code 5xx}. Any answer other than {@code 2xx} is a failure
 * ({@link EventDeliveryException}). The {@code Idempotency-Key} header carries the
 * event's uid so that the receiver can drop the duplicates that at-least-once delivery
 * allows.
 * <p>
 * Configuration string: {@code <url>[,timeout=<duration>][,retries=<n>][,concurrency=<n>]},
 * for example {@code https://hooks.example.com/events,timeout=5s,retries=2}; with
 * {@code concurrency} above 1, the {@link io.lionfuncs.event.EventManager} posts that
 * many events at once, without waiting for each (see {@link Builder#concurrency}).
 * Messages and {@link #toString()} show the URL's scheme, host and port only, since
 * webhook URLs often carry a secret in their path or query.
 * <p>
 * {@link #sendEvent} blocks until the receiver answered; call it from a thread that may
 * block. {@link #sendEventAsync} does not block.
 */
public final class WebhookEventHandler implements EventHandler {

	/** The name of the handler and its factory. */
	public static final String NAME = "webhook";

	/** The default timeout of one attempt. */
	public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

	/** The default number of retries after a failed attempt. */
	public static final int DEFAULT_MAX_RETRIES = 2;

	/** The default delay before the first retry. */
	public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofMillis(500);

	private final String name;

	private final WebClient webClient;

	private final URI url;

	private final Duration timeout;

	private final int maxRetries;

	private final Duration retryBackoff;

	private final int concurrency;

	private WebhookEventHandler(Builder builder) {
		this.name = builder.name;
		this.webClient = (builder.webClient != null) ? builder.webClient : WebClient.create();
		this.url = Objects.requireNonNull(builder.url, "url");
		this.timeout = builder.timeout;
		this.maxRetries = builder.maxRetries;
		this.retryBackoff = builder.retryBackoff;
		this.concurrency = builder.concurrency;
	}

	/**
	 * Starts building a handler.
	 * @param url where to POST events, {@code http} or {@code https}
	 * @return a builder
	 */
	public static Builder builder(URI url) {
		return new Builder(url);
	}

	/**
	 * Creates a handler from its configuration string.
	 * @param config {@code <url>[,timeout=<duration>][,retries=<n>][,concurrency=<n>]}
	 * @param webClient the client, or {@code null} for {@link WebClient#create()}
	 * @return the handler
	 */
	public static WebhookEventHandler fromConfig(String config, @Nullable WebClient webClient) {
		return fromConfig(NAME, config, webClient);
	}

	static WebhookEventHandler fromConfig(String name, String config, @Nullable WebClient webClient) {
		if (config.isBlank()) {
			throw new IllegalArgumentException("A webhook event handler needs a URL");
		}
		List<String> urlParts = new ArrayList<>();
		Duration timeout = DEFAULT_TIMEOUT;
		int retries = DEFAULT_MAX_RETRIES;
		int concurrency = 1;
		String[] parts = config.split(",", -1);
		urlParts.add(parts[0]);
		for (int i = 1; i < parts.length; i++) {
			String part = parts[i].strip();
			String lower = part.toLowerCase(Locale.ROOT);
			if (lower.startsWith("timeout=")) {
				timeout = parseDuration(part.substring("timeout=".length()));
			}
			else if (lower.startsWith("retries=")) {
				retries = parseWholeNumber(part.substring("retries=".length()), "retries");
			}
			else if (lower.startsWith("concurrency=")) {
				concurrency = parseWholeNumber(part.substring("concurrency=".length()), "concurrency");
			}
			else {
				// a comma that belongs to the URL
				urlParts.add(parts[i]);
			}
		}
		return builder(parseUrl(String.join(",", urlParts).strip())).name(name)
			.webClient(webClient)
			.timeout(timeout)
			.maxRetries(retries)
			.concurrency(concurrency)
			.build();
	}

	private static URI parseUrl(String text) {
		try {
			return new URI(text);
		}
		catch (URISyntaxException ex) {
			throw new IllegalArgumentException("The webhook URL is not a valid URI (" + ex.getReason() + ")");
		}
	}

	private static Duration parseDuration(String text) {
		try {
			return DurationFormatterUtils.detectAndParse(text.strip());
		}
		catch (RuntimeException ex) {
			throw new IllegalArgumentException("Invalid webhook timeout '" + text + "'; use for example 5s or PT5S");
		}
	}

	private static int parseWholeNumber(String text, String what) {
		try {
			return Integer.parseInt(text.strip());
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException("Invalid webhook " + what + " '" + text + "'; use a whole number");
		}
	}

	@Override
	public String getName() {
		return this.name;
	}

	public Duration getTimeout() {
		return this.timeout;
	}

	public int getMaxRetries() {
		return this.maxRetries;
	}

	@Override
	public boolean sendEvent(Event event) {
		try {
			return Boolean.TRUE.equals(post(event).block(overallTimeout()));
		}
		catch (EventDeliveryException ex) {
			throw ex;
		}
		catch (RuntimeException ex) {
			// block()'s own timeout
			throw failure(ex);
		}
	}

	/**
	 * {@inheritDoc}
	 * <p>
	 * Never blocks: the POST runs on the client's event loop, and cancelling the stage
	 * cancels it.
	 */
	@Override
	public CompletionStage<Boolean> sendEventAsync(Event event) {
		try {
			return post(event).toFuture();
		}
		catch (RuntimeException ex) {
			return CompletableFuture.failedFuture(ex);
		}
	}

	/**
	 * {@inheritDoc}
	 * @return the configured concurrency: 1 sends the events one after the other, in
	 * publication order
	 */
	@Override
	public int maxInFlight() {
		return this.concurrency;
	}

	private Mono<Boolean> post(Event event) {
		byte[] body = EventJson.defaults().toJson(event);
		return this.webClient.post()
			.uri(this.url)
			.contentType(MediaType.APPLICATION_JSON)
			.header("Idempotency-Key", event.getUid())
			.bodyValue(body)
			.retrieve()
			.toBodilessEntity()
			.timeout(this.timeout)
			.retryWhen(Retry.backoff(this.maxRetries, this.retryBackoff)
				.maxBackoff(this.timeout)
				.filter(WebhookEventHandler::isRetryable)
				.onRetryExhaustedThrow((spec, signal) -> signal.failure()))
			.map(this::taken)
			.onErrorMap((ex) -> !(ex instanceof EventDeliveryException), this::failure);
	}

	private boolean taken(ResponseEntity<Void> response) {
		HttpStatusCode status = response.getStatusCode();
		if (!status.is2xxSuccessful()) {
			throw new EventDeliveryException("Webhook " + describeUrl() + " answered " + status.value());
		}
		return true;
	}

	/**
	 * A failure without the URL: WebClient's exceptions, and the checkpoints Reactor
	 * attaches to their causes, name the full URL, whose path or query often holds the
	 * webhook's secret, so none is kept.
	 */
	private EventDeliveryException failure(Throwable ex) {
		if (ex instanceof WebClientResponseException response) {
			return new EventDeliveryException(
					"Webhook " + describeUrl() + " answered " + response.getStatusCode().value());
		}
		Throwable cause = Exceptions.unwrap(ex);
		if (cause instanceof WebClientRequestException && cause.getCause() != null) {
			cause = cause.getCause();
		}
		return new EventDeliveryException("Webhook " + describeUrl() + " did not take the event: "
				+ ((cause instanceof TimeoutException) ? "no answer within " + this.timeout : describe(cause)));
	}

	private static String describe(Throwable failure) {
		String message = failure.getMessage();
		return failure.getClass().getSimpleName() + ((message != null) ? ": " + message : "");
	}

	private Duration overallTimeout() {
		// every attempt, every backoff (each at most the timeout), and a margin
		return this.timeout.multipliedBy(2L * this.maxRetries + 1).plusSeconds(1);
	}

	private static boolean isRetryable(Throwable failure) {
		if (failure instanceof WebClientResponseException response) {
			int status = response.getStatusCode().value();
			return status == 408 || status == 429 || status >= 500;
		}
		return failure instanceof WebClientRequestException || failure instanceof TimeoutException;
	}

	private String describeUrl() {
		return this.url.getScheme() + "://" + this.url.getHost() + ((this.url.getPort() >= 0) ? ":" + this.url.getPort() : "");
	}

	/**
	 * {@inheritDoc}
	 * @return {@code <url>,timeout=<duration>,retries=<n>}, and
	 * {@code ,concurrency=<n>} when it is not 1
	 */
	@Override
	public String encodeConfig() {
		long millis = this.timeout.toMillis();
		String timeoutText = (millis % 1000 == 0) ? (millis / 1000) + "s" : millis + "ms";
		return this.url + ",timeout=" + timeoutText + ",retries=" + this.maxRetries
				+ ((this.concurrency != 1) ? ",concurrency=" + this.concurrency : "");
	}

	@Override
	public String toString() {
		return "WebhookEventHandler[name=" + this.name + ", url=" + describeUrl() + "/…, timeout=" + this.timeout
				+ ", maxRetries=" + this.maxRetries + ", concurrency=" + this.concurrency + "]";
	}

	/**
	 * Builds a {@link WebhookEventHandler}.
	 */
	public static final class Builder {

		private final URI url;

		private String name = NAME;

		private @Nullable WebClient webClient;

		private Duration timeout = DEFAULT_TIMEOUT;

		private int maxRetries = DEFAULT_MAX_RETRIES;

		private Duration retryBackoff = DEFAULT_RETRY_BACKOFF;

		private int concurrency = 1;

		private Builder(URI url) {
			Objects.requireNonNull(url, "url");
			String scheme = (url.getScheme() != null) ? url.getScheme().toLowerCase(Locale.ROOT) : "";
			if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
				throw new IllegalArgumentException("A webhook URL must be an absolute http or https URL with a host");
			}
			if (url.toString().indexOf('|') >= 0) {
				throw new IllegalArgumentException("A webhook URL must not contain '|'");
			}
			this.url = url;
		}

		/**
		 * Sets the handler's name.
		 * @param name the name (default {@value WebhookEventHandler#NAME})
		 * @return this builder
		 */
		public Builder name(String name) {
			this.name = Objects.requireNonNull(name, "name");
			return this;
		}

		/**
		 * Sets the client, for example one built from Spring Boot's
		 * {@code WebClient.Builder} so that calls are observed.
		 * @param webClient the client, or {@code null} for {@link WebClient#create()}
		 * @return this builder
		 */
		public Builder webClient(@Nullable WebClient webClient) {
			this.webClient = webClient;
			return this;
		}

		/**
		 * Sets the timeout of one attempt.
		 * @param timeout the timeout (default 5 s)
		 * @return this builder
		 */
		public Builder timeout(Duration timeout) {
			Objects.requireNonNull(timeout, "timeout");
			if (timeout.isNegative() || timeout.isZero()) {
				throw new IllegalArgumentException("The webhook timeout must be positive");
			}
			this.timeout = timeout;
			return this;
		}

		/**
		 * Sets how many times a failed attempt is retried.
		 * @param maxRetries the retries, 0 to 10 (default 2)
		 * @return this builder
		 */
		public Builder maxRetries(int maxRetries) {
			if (maxRetries < 0 || maxRetries > 10) {
				throw new IllegalArgumentException("The webhook retries must be between 0 and 10, got " + maxRetries);
			}
			this.maxRetries = maxRetries;
			return this;
		}

		/**
		 * Sets the delay before the first retry; it doubles for each further one, with
		 * jitter, up to the timeout.
		 * @param retryBackoff the delay (default 500 ms)
		 * @return this builder
		 */
		public Builder retryBackoff(Duration retryBackoff) {
			Objects.requireNonNull(retryBackoff, "retryBackoff");
			if (retryBackoff.isNegative() || retryBackoff.isZero()) {
				throw new IllegalArgumentException("The webhook retry backoff must be positive");
			}
			this.retryBackoff = retryBackoff;
			return this;
		}

		/**
		 * Sets how many events may be posted at once by the
		 * {@link io.lionfuncs.event.EventManager}. With more than one, a receiver is kept
		 * up with at the rate its concurrency allows, and events may arrive out of
		 * publication order (de-duplicate and order by the event's data, not by arrival).
		 * @param concurrency the events in flight, 1 to 256 (default 1: one after the
		 * other, in publication order)
		 * @return this builder
		 */
		public Builder concurrency(int concurrency) {
			if (concurrency < 1 || concurrency > 256) {
				throw new IllegalArgumentException(
						"The webhook concurrency must be between 1 and 256, got " + concurrency);
			}
			this.concurrency = concurrency;
			return this;
		}

		/**
		 * Builds the handler.
		 * @return the handler
		 */
		public WebhookEventHandler build() {
			return new WebhookEventHandler(this);
		}

	}

}
