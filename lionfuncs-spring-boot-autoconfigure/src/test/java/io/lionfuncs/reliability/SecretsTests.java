package io.lionfuncs.reliability;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import io.lionfuncs.autoconfigure.event.RequestStatusChangedEvent;
import io.lionfuncs.event.Event;
import io.lionfuncs.event.EventHandler;
import io.lionfuncs.event.EventJson;
import io.lionfuncs.event.EventManager;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.NetworkRequestEvent;
import io.lionfuncs.network.RequestStatus;
import io.lionfuncs.network.client.ApiClientException;
import io.lionfuncs.network.client.ApiRequest;
import io.lionfuncs.network.client.ApiResponse;
import io.lionfuncs.network.client.AsyncApiClient;
import io.lionfuncs.reliability.Upstream.Received;
import io.lionfuncs.reliability.Upstream.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import reactor.netty.http.server.HttpServerRequest;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.client.WebClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * A running application whose client sends {@code Authorization}, {@code X-Api-Key} and
 * a cookie (and meets a {@code Set-Cookie}, a secret query parameter, user info in the
 * base URL, a webhook URL with a token, secret metadata and a secret payload) runs a
 * workload that succeeds, fails in every way and is spooled; then every output is
 * collected (the whole log at TRACE, the endpoints, the events of every handler
 * including file, webhook and spool, event dumps, exception messages and stack traces,
 * {@code toString}s) and no secret value may appear in any of them.
 */
@ExtendWith({ OutputCaptureExtension.class, SuiteDuration.class })
class SecretsTests {

	private static final String AUTHORIZATION = "AUTH-SECRET-1111";

	private static final String API_KEY = "XKEY-SECRET-2222";

	private static final String COOKIE = "COOKIE-SECRET-3333";

	private static final String SET_COOKIE = "SETCOOKIE-SECRET-4444";

	private static final String QUERY = "QUERY-SECRET-5555";

	private static final String USER_INFO = "USERINFO-SECRET-6666";

	private static final String WEBHOOK_TOKEN = "HOOK-SECRET-7777";

	private static final String PAYLOAD = "PAYLOAD-SECRET-8888";

	private static final String METADATA = "METADATA-SECRET-9999";

	private static final String PER_REQUEST = "PERREQUEST-SECRET-0000";

	private static final List<String> SECRETS = List.of(AUTHORIZATION, API_KEY, COOKIE, SET_COOKIE, QUERY, USER_INFO,
			WEBHOOK_TOKEN, PAYLOAD, METADATA, PER_REQUEST);

	private static final Duration PATIENCE = Duration.ofSeconds(20);

	@TempDir
	Path temp;

	private final Map<String, String> outputs = new LinkedHashMap<>();

	@Test
	void noSecretReachesAnyOutput(CapturedOutput output) throws Exception {
		Figures figures = Figures.start("secrets");
		AtomicBoolean webhookUp = new AtomicBoolean();
		Path files = this.temp.resolve("events");
		Path spool = this.temp.resolve("spool");
		try (LoggerLevel lionfuncs = LoggerLevel.restoredAfterwards("io.lionfuncs");
				Upstream upstream = new Upstream("secrets-upstream", SecretsTests::reply);
				Upstream webhook = new Upstream("secrets-webhook",
						(request) -> webhookUp.get() ? Reply.status(200) : Reply.status(503))) {
			SpringApplication application = new SpringApplication(SecretsApplication.class);
			application.setWebApplicationType(WebApplicationType.REACTIVE);
			String base = upstream.baseUrl().replace("http://", "http://user:" + USER_INFO + "@") + "/v1";
			try (ConfigurableApplicationContext context = application.run("--server.port=0",
					"--spring.application.name=secrets", "--spring.main.banner-mode=off",
					"--logging.level.io.lionfuncs=TRACE", "--management.endpoints.web.exposure.include=*",
					"--management.endpoint.health.show-details=always", "--lionfuncs.client.base-url=" + base,
					"--lionfuncs.client.timeout=1s", "--lionfuncs.client.headers.Authorization=Bearer " + AUTHORIZATION,
					"--lionfuncs.client.headers.X-Api-Key=" + API_KEY,
					"--lionfuncs.client.headers.Cookie=session=" + COOKIE, "--lionfuncs.client.retry.max-retries=1",
					"--lionfuncs.client.retry.base-delay=10ms", "--lionfuncs.client.retry.max-delay=20ms",
					"--lionfuncs.client.circuit-breaker.failure-threshold=100",
					"--lionfuncs.executor.requests-rate=1000",
					"--lionfuncs.events.spool-directory=" + spool,
					"--lionfuncs.events.handler-statuses=QUEUED,PROCESSING,CALLING,COMPLETED,FAILED,CANCELLED",
					"--lionfuncs.events.logging.enabled=true", "--lionfuncs.events.file.enabled=true",
					"--lionfuncs.events.file.directory=" + files, "--lionfuncs.events.webhook.enabled=true",
					"--lionfuncs.events.webhook.url=" + webhook.baseUrl() + "/hooks/" + WEBHOOK_TOKEN)) {
				runWorkload(context, spool, files, webhook, webhookUp);
			}
			List<Received> calls = upstream.received();
			assertThat(calls).as("the secrets were sent").anySatisfy((call) -> {
				assertThat(call.headers().get("Authorization")).isEqualTo("Bearer " + AUTHORIZATION);
				assertThat(call.headers().get("X-Api-Key")).isEqualTo(API_KEY);
				assertThat(call.headers().get("Cookie")).isEqualTo("session=" + COOKIE);
			});
			assertThat(calls).anySatisfy((call) -> assertThat(call.uri()).contains(QUERY));
			assertThat(calls).anySatisfy((call) -> assertThat(new String(call.body(), StandardCharsets.UTF_8))
				.contains(PAYLOAD));
			List<Received> posted = webhook.received();
			assertThat(posted).as("events posted to the webhook").hasSizeGreaterThan(20);
			for (Received post : posted) {
				collect("webhook request " + post.uri().replace(WEBHOOK_TOKEN, "<token>") + " headers",
						post.headers().toString());
				collect("webhook request body", new String(post.body(), StandardCharsets.UTF_8));
			}
		}
		collect("log", output.getAll());
		assertThat(output.getAll()).as("the log covers the work").contains("lionfuncs.request", "/v1/fail");

		List<String> leaks = new ArrayList<>();
		for (String secret : SECRETS) {
			this.outputs.forEach((name, text) -> {
				int at = text.indexOf(secret);
				if (at >= 0) {
					leaks.add(secret + " in " + name + ": ..."
							+ text.substring(Math.max(0, at - 150), Math.min(text.length(), at + 60)) + "...");
				}
			});
		}
		assertThat(leaks).as("secrets found").isEmpty();
		figures.put("outputs", this.outputs.size())
			.put("characters", this.outputs.values().stream().mapToInt(String::length).sum())
			.put("secrets", SECRETS.size())
			.put("found", leaks.size())
			.report();
	}

	private void runWorkload(ConfigurableApplicationContext context, Path spool, Path files, Upstream webhook,
			AtomicBoolean webhookUp) throws Exception {
		AsyncApiClient client = context.getBean(AsyncApiClient.class);
		Executor executor = context.getBean(Executor.class);
		EventManager eventManager = context.getBean(EventManager.class);
		SecretsApplication application = context.getBean(SecretsApplication.class);
		WebClient actuator = WebClient.create("http://127.0.0.1:" + context.getEnvironment()
			.getProperty("local.server.port"));

		List<NetworkRequestEvent> events = new ArrayList<>();
		for (String path : List.of("/ok", "/ok", "/fail", "/unauthorized", "/limited", "/slow", "/reset")) {
			events.add(client.submitTask(executor, ApiRequest.get(path).param("api_key", QUERY).build()));
		}
		events.add(executor.submitTask(client
			.task(ApiRequest.get("/ok")
				.header("Authorization", "Bearer " + PER_REQUEST)
				.param("api_key", QUERY)
				.build())
			.metadata(Map.of("client", "default", "api_key", METADATA, "tenant", "t1"))
			.build()));
		events.add(client.submitTask(executor, ApiRequest.post("/ok").json(Map.of("password", PAYLOAD)).build()));
		events.add(client.submitTask(executor, ApiRequest.post("/fail").json(Map.of("password", PAYLOAD)).build()));

		// the endpoint while a request is in flight
		NetworkRequestEvent slow = events.get(5);
		await().atMost(PATIENCE).until(() -> slow.getStatus() == RequestStatus.CALLING);
		collect("endpoint while busy", get(actuator, "/actuator/lionfuncs"));
		collect("endpoint request in flight", get(actuator, "/actuator/lionfuncs/" + slow.getRequestId()));

		for (NetworkRequestEvent event : events) {
			event.completion().get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
		}
		assertThat(events).extracting(NetworkRequestEvent::getStatus)
			.contains(RequestStatus.COMPLETED, RequestStatus.FAILED);
		for (NetworkRequestEvent event : events) {
			collect("event " + event.getRequestId(), event.toString());
			collect("snapshot " + event.getRequestId(), event.snapshot().toString());
			collect("event details " + event.getRequestId(), event.getHeaders() + " " + event.getResponseHeaders()
					+ " " + event.getLogs() + " " + event.getErrorMessage() + " " + event.getErrorDetails() + " "
					+ event.getEndpointUrl());
			collect("endpoint request " + event.getRequestId(),
					get(actuator, "/actuator/lionfuncs/" + event.getRequestId()));
		}

		// calls made directly, their exceptions and responses
		for (String path : List.of("/fail", "/unauthorized", "/limited", "/slow", "/reset")) {
			Throwable failure = catchThrowable(
					() -> client.exchange(ApiRequest.get(path).param("api_key", QUERY).build()).block(PATIENCE));
			assertThat(failure).as(path).isInstanceOf(ApiClientException.class);
			ApiClientException exception = (ApiClientException) failure;
			collect("exception " + path,
					exception.getMessage() + " " + exception + " " + exception.details() + " "
							+ exception.responseHeaders() + " " + exception.responseBodyExcerpt() + " "
							+ stackTrace(exception));
		}
		ApiResponse<Object> ok = client.exchange(ApiRequest.get("/ok").param("api_key", QUERY).build()).block(PATIENCE);
		assertThat(ok.header("Set-Cookie")).as("the caller still gets its cookie").contains(SET_COOKIE);
		collect("response", ok.toString() + " " + ok.toCallResult());
		collect("toString", client + " " + client.getDefaultHeaders() + " " + executor + " " + executor.stats() + " "
				+ eventManager + " " + eventManager.getHandlers() + " " + eventManager.handlerStats());

		// the events every handler got, and the spool while the webhook is down
		await().atMost(PATIENCE).until(() -> countFiles(spool) > 0 && countFiles(files) > 0);
		collect("spool", readAll(spool));
		webhookUp.set(true);
		eventManager.retryNow();
		await().atMost(PATIENCE).until(() -> countFiles(spool.resolve("webhook")) == 0);
		collect("file handler", readAll(files));
		Path dumps = Files.createDirectories(this.temp.resolve("dumps"));
		for (Event event : application.handler.events) {
			collect("handler event", event.toString() + " " + event.asMap() + " "
					+ new String(EventJson.defaults().toJson(event), StandardCharsets.UTF_8));
			event.dump(dumps);
		}
		assertThat(application.handler.events).hasSizeGreaterThan(20);
		collect("dumps", readAll(dumps));
		for (RequestStatusChangedEvent event : application.statusChanges) {
			collect("application event", event.toString() + " " + event.getRequest());
		}
		assertThat(application.statusChanges).hasSizeGreaterThan(20);

		// the endpoints at rest
		collect("endpoint", get(actuator, "/actuator/lionfuncs"));
		for (String path : List.of("/actuator/health", "/actuator/configprops", "/actuator/env", "/actuator/metrics",
				"/actuator/metrics/lionfuncs.requests", "/actuator/metrics/http.client.requests",
				"/actuator/circuitbreakers", "/actuator/retries")) {
			collect("endpoint " + path, get(actuator, path));
		}
		assertThat(this.outputs.get("endpoint")).contains("\"executors\"", "\"eventHandlers\"");
	}

	private static Reply reply(HttpServerRequest request) {
		String path = request.path();
		Map<String, String> cookie = Map.of("Set-Cookie", "sid=" + SET_COOKIE + "; Path=/; HttpOnly");
		if (path.endsWith("ok")) {
			return Reply.ok().withHeaders(cookie);
		}
		if (path.endsWith("fail")) {
			return Reply.status(500).withHeaders(cookie);
		}
		if (path.endsWith("unauthorized")) {
			return Reply.status(401).withHeaders(Map.of("WWW-Authenticate", "Bearer error=\"invalid_token\""));
		}
		if (path.endsWith("limited")) {
			return Reply.status(429).withHeaders(Map.of("Retry-After", "0"));
		}
		if (path.endsWith("slow")) {
			return Reply.ok().after(Duration.ofSeconds(2));
		}
		return path.endsWith("reset") ? Reply.reset() : Reply.status(404);
	}

	private void collect(String name, String text) {
		this.outputs.merge(name, text, (a, b) -> a + "\n" + b);
	}

	private static String get(WebClient actuator, String path) {
		// any status: health may be DOWN for components that are not part of this test
		String body = actuator.get()
			.uri(path)
			.exchangeToMono((response) -> response.bodyToMono(String.class))
			.block(PATIENCE);
		assertThat(body).as(path).isNotBlank();
		return body;
	}

	private static String stackTrace(Throwable failure) {
		StringWriter trace = new StringWriter();
		failure.printStackTrace(new PrintWriter(trace));
		return trace.toString();
	}

	private static long countFiles(Path directory) {
		return files(directory).size();
	}

	private static String readAll(Path directory) {
		StringBuilder all = new StringBuilder();
		for (Path file : files(directory)) {
			try {
				all.append(file.getFileName()).append('\n').append(Files.readString(file)).append('\n');
			}
			catch (NoSuchFileException ex) {
				// delivered and deleted meanwhile
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}
		return all.toString();
	}

	/**
	 * The regular files under a directory (except the spool's lock), listed again when
	 * one is deleted during the walk: the handlers keep working meanwhile.
	 */
	private static List<Path> files(Path directory) {
		for (int attempt = 0;; attempt++) {
			if (!Files.isDirectory(directory)) {
				return List.of();
			}
			try (Stream<Path> paths = Files.walk(directory)) {
				return paths.filter(Files::isRegularFile).filter((file) -> !file.endsWith(".lock")).toList();
			}
			catch (IOException | UncheckedIOException ex) {
				if (attempt == 10) {
					throw new IllegalStateException("Cannot list " + directory, ex);
				}
			}
		}
	}

	@Configuration(proxyBeanMethods = false)
	@EnableAutoConfiguration
	static class SecretsApplication {

		final CollectingHandler handler = new CollectingHandler();

		final List<RequestStatusChangedEvent> statusChanges = new CopyOnWriteArrayList<>();

		@Bean
		CollectingHandler collectingHandler() {
			return this.handler;
		}

		@Bean
		ApplicationListener<RequestStatusChangedEvent> statusChanges() {
			return this.statusChanges::add;
		}

	}

	/**
	 * An event handler bean that keeps what it is sent.
	 */
	static class CollectingHandler implements EventHandler {

		final List<Event> events = new CopyOnWriteArrayList<>();

		@Override
		public String getName() {
			return "collector";
		}

		@Override
		public boolean sendEvent(Event event) {
			this.events.add(event);
			return true;
		}

	}

}
