package io.lionfuncs.network.intercept.langchain4j;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpClientBuilderLoader;
import io.lionfuncs.network.intercept.CallGovernor;
import org.jspecify.annotations.Nullable;

/**
 * An {@link HttpClientBuilder} whose clients are governed: give it to a LangChain4j model
 * ({@code OpenAiChatModel.builder().httpClientBuilder(governedHttpClientBuilder)}) and
 * each of the model's requests to the origin of a configured client waits for a lease of
 * that client's executor. The HTTP is done by the client LangChain4j would use anyway
 * ({@link HttpClientBuilderLoader#loadHttpClientBuilder()}, by default its JDK client).
 * <p>
 * LangChain4j does not honour {@code Retry-After} and its errors carry no headers; when
 * the underlying client is LangChain4j's JDK client, the governed client still sees the
 * headers of every response, so a 429 pauses the executor for as long as the provider
 * asked. A model builder asks for a new client each time; every client shares the
 * governor.
 */
public final class GovernedHttpClientBuilder implements HttpClientBuilder {

	private final CallGovernor governor;

	private final Supplier<HttpClientBuilder> delegateSupplier;

	private final ResponseHeadersCapture capture = new ResponseHeadersCapture();

	private @Nullable HttpClientBuilder delegate;

	/**
	 * A builder over LangChain4j's default client.
	 * @param governor the governor
	 */
	public GovernedHttpClientBuilder(CallGovernor governor) {
		this(governor, HttpClientBuilderLoader::loadHttpClientBuilder);
	}

	/**
	 * A builder over a client of your choice.
	 * @param governor the governor
	 * @param delegate supplies the builder of the client that makes the calls, asked once
	 * when first needed
	 */
	public GovernedHttpClientBuilder(CallGovernor governor, Supplier<HttpClientBuilder> delegate) {
		this.governor = Objects.requireNonNull(governor, "governor must not be null");
		this.delegateSupplier = Objects.requireNonNull(delegate, "delegate must not be null");
	}

	private synchronized HttpClientBuilder delegate() {
		HttpClientBuilder current = this.delegate;
		if (current == null) {
			current = this.capture.install(Objects.requireNonNull(this.delegateSupplier.get(), "delegate builder"));
			this.delegate = current;
		}
		return current;
	}

	@Override
	public @Nullable Duration connectTimeout() {
		return delegate().connectTimeout();
	}

	@Override
	public GovernedHttpClientBuilder connectTimeout(@Nullable Duration timeout) {
		delegate().connectTimeout(timeout);
		return this;
	}

	@Override
	public @Nullable Duration readTimeout() {
		return delegate().readTimeout();
	}

	@Override
	public GovernedHttpClientBuilder readTimeout(@Nullable Duration timeout) {
		delegate().readTimeout(timeout);
		return this;
	}

	@Override
	public HttpClient build() {
		return new GovernedHttpClient(delegate().build(), this.governor, this.capture);
	}

	@Override
	public String toString() {
		return "GovernedHttpClientBuilder[" + this.governor + "]";
	}

}
