package io.lionfuncs.network.intercept.langchain4j;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.jdk.JdkHttpClientBuilder;
import org.jspecify.annotations.Nullable;

import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Sees the status and headers of every response of LangChain4j's JDK client, which
 * LangChain4j's own errors do not carry: the JDK {@link HttpClient} it builds is wrapped,
 * and each response is recorded in the slot of the governed call that sent it (opened on
 * the sending thread). Other clients are left alone: their errors then give the status
 * only.
 */
final class ResponseHeadersCapture {

	private static final boolean JDK_CLIENT_PRESENT = ClassUtils.isPresent(
			"dev.langchain4j.http.client.jdk.JdkHttpClientBuilder", ResponseHeadersCapture.class.getClassLoader());

	private static final ThreadLocal<Slot> CURRENT = new ThreadLocal<>();

	/**
	 * Wraps the JDK client the builder makes, if it is LangChain4j's JDK builder.
	 * @return the builder
	 */
	HttpClientBuilder install(HttpClientBuilder builder) {
		if (JDK_CLIENT_PRESENT) {
			Jdk.install(builder);
		}
		return builder;
	}

	/**
	 * Opens the slot of a call on this thread: responses to the requests sent from it
	 * until {@link #close} are recorded there.
	 */
	Slot open() {
		Slot slot = new Slot();
		CURRENT.set(slot);
		return slot;
	}

	void close() {
		CURRENT.remove();
	}

	/**
	 * What the JDK client received for a governed call.
	 */
	static final class Slot {

		private volatile int statusCode = -1;

		private volatile Map<String, String> headers = Map.of();

		void record(int statusCode, HttpHeaders headers) {
			Map<String, String> single = new LinkedHashMap<>();
			for (Map.Entry<String, List<String>> header : headers.map().entrySet()) {
				single.put(header.getKey(), String.join(", ", header.getValue()));
			}
			this.headers = single;
			this.statusCode = statusCode;
		}

		/**
		 * The headers of the response of the given status, if one was recorded.
		 */
		Map<String, String> headersOf(int statusCode) {
			return (this.statusCode == statusCode) ? this.headers : Map.of();
		}

	}

	/**
	 * Everything that touches LangChain4j's JDK client, loaded only when it is present.
	 */
	private static final class Jdk {

		static void install(HttpClientBuilder builder) {
			if (builder instanceof JdkHttpClientBuilder jdk) {
				HttpClient.Builder given = jdk.httpClientBuilder();
				jdk.httpClientBuilder(new RecordingBuilder((given != null) ? given : HttpClient.newBuilder()));
			}
		}

	}

	/**
	 * A JDK client builder whose clients record their responses.
	 */
	private static final class RecordingBuilder implements HttpClient.Builder {

		private final HttpClient.Builder builder;

		RecordingBuilder(HttpClient.Builder builder) {
			this.builder = builder;
		}

		@Override
		public HttpClient.Builder cookieHandler(CookieHandler cookieHandler) {
			this.builder.cookieHandler(cookieHandler);
			return this;
		}

		@Override
		public HttpClient.Builder connectTimeout(Duration duration) {
			this.builder.connectTimeout(duration);
			return this;
		}

		@Override
		public HttpClient.Builder sslContext(SSLContext sslContext) {
			this.builder.sslContext(sslContext);
			return this;
		}

		@Override
		public HttpClient.Builder sslParameters(SSLParameters sslParameters) {
			this.builder.sslParameters(sslParameters);
			return this;
		}

		@Override
		public HttpClient.Builder executor(Executor executor) {
			this.builder.executor(executor);
			return this;
		}

		@Override
		public HttpClient.Builder followRedirects(HttpClient.Redirect policy) {
			this.builder.followRedirects(policy);
			return this;
		}

		@Override
		public HttpClient.Builder version(HttpClient.Version version) {
			this.builder.version(version);
			return this;
		}

		@Override
		public HttpClient.Builder priority(int priority) {
			this.builder.priority(priority);
			return this;
		}

		@Override
		public HttpClient.Builder proxy(ProxySelector proxySelector) {
			this.builder.proxy(proxySelector);
			return this;
		}

		@Override
		public HttpClient.Builder authenticator(Authenticator authenticator) {
			this.builder.authenticator(authenticator);
			return this;
		}

		@Override
		public HttpClient build() {
			return new RecordingClient(this.builder.build());
		}

	}

	/**
	 * A JDK client that records each response in the slot of the thread that sent it.
	 */
	private static final class RecordingClient extends HttpClient {

		private final HttpClient client;

		RecordingClient(HttpClient client) {
			this.client = client;
		}

		@Override
		public Optional<CookieHandler> cookieHandler() {
			return this.client.cookieHandler();
		}

		@Override
		public Optional<Duration> connectTimeout() {
			return this.client.connectTimeout();
		}

		@Override
		public Redirect followRedirects() {
			return this.client.followRedirects();
		}

		@Override
		public Optional<ProxySelector> proxy() {
			return this.client.proxy();
		}

		@Override
		public SSLContext sslContext() {
			return this.client.sslContext();
		}

		@Override
		public SSLParameters sslParameters() {
			return this.client.sslParameters();
		}

		@Override
		public Optional<Authenticator> authenticator() {
			return this.client.authenticator();
		}

		@Override
		public Version version() {
			return this.client.version();
		}

		@Override
		public Optional<Executor> executor() {
			return this.client.executor();
		}

		@Override
		public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
				throws IOException, InterruptedException {
			Slot slot = CURRENT.get();
			HttpResponse<T> response = this.client.send(request, handler);
			record(slot, response);
			return response;
		}

		@Override
		public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
				HttpResponse.BodyHandler<T> handler) {
			Slot slot = CURRENT.get();
			return this.client.sendAsync(request, handler).whenComplete((response, ex) -> record(slot, response));
		}

		@Override
		public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request,
				HttpResponse.BodyHandler<T> handler, HttpResponse.@Nullable PushPromiseHandler<T> pushPromiseHandler) {
			Slot slot = CURRENT.get();
			return this.client.sendAsync(request, handler, pushPromiseHandler)
				.whenComplete((response, ex) -> record(slot, response));
		}

		// Java 21 added the client's life cycle, with defaults that never terminate: pass
		// it on to the real client (these methods override on 21 and later).

		public void shutdown() {
			lifecycle("shutdown");
		}

		public void shutdownNow() {
			lifecycle("shutdownNow");
		}

		public boolean isTerminated() {
			return Boolean.TRUE.equals(lifecycle("isTerminated"));
		}

		public boolean awaitTermination(Duration duration) throws InterruptedException {
			Method method = ReflectionUtils.findMethod(HttpClient.class, "awaitTermination", Duration.class);
			if (method == null) {
				return true;
			}
			try {
				return Boolean.TRUE.equals(method.invoke(this.client, duration));
			}
			catch (InvocationTargetException ex) {
				if (ex.getCause() instanceof InterruptedException interrupted) {
					throw interrupted;
				}
				ReflectionUtils.rethrowRuntimeException(ex.getCause());
				return false;
			}
			catch (IllegalAccessException ex) {
				throw new IllegalStateException(ex);
			}
		}

		public void close() {
			if (this.client instanceof AutoCloseable closeable) {
				try {
					closeable.close();
				}
				catch (Exception ex) {
					ReflectionUtils.rethrowRuntimeException(ex);
				}
			}
		}

		private @Nullable Object lifecycle(String name) {
			Method method = ReflectionUtils.findMethod(HttpClient.class, name);
			return (method != null) ? ReflectionUtils.invokeMethod(method, this.client) : Boolean.TRUE;
		}

		private static void record(@Nullable Slot slot, @Nullable HttpResponse<?> response) {
			if (slot != null && response != null) {
				slot.record(response.statusCode(), response.headers());
			}
		}

	}

}
