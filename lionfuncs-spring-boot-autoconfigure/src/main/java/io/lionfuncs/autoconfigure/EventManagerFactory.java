package io.lionfuncs.autoconfigure;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;

import io.lionfuncs.event.EventError;
import io.lionfuncs.event.EventHandler;
import io.lionfuncs.event.EventHandlerFactory;
import io.lionfuncs.event.EventManager;
import io.lionfuncs.event.UnknownEventHandlerException;
import io.lionfuncs.event.handler.WebhookEventHandler;
import io.lionfuncs.event.handler.WebhookEventHandlerFactory;
import io.lionfuncs.network.Redactor;
import org.jspecify.annotations.Nullable;

import org.springframework.web.reactive.function.client.WebClient;

/**
 * Builds the application's {@link EventManager} from {@link LionfuncsProperties}: the
 * built-in handlers enabled by properties, every {@link EventHandler} bean, and the
 * handlers named in the environment variable.
 *
 * @since 0.1.0
 */
class EventManagerFactory {

	private final LionfuncsProperties.Events properties;

	private final String applicationName;

	private final Function<String, @Nullable String> environment;

	private final Supplier<@Nullable WebClient> webhookClient;

	// The client all webhook handlers share, once one asked for it.
	private @Nullable WebClient sharedWebhookClient;

	private boolean webhookClientResolved;

	/**
	 * Creates a factory.
	 * @param properties the events properties
	 * @param applicationName the application's name, for the manager and its spool
	 * @param environment reads environment variables
	 * @param webhookClient supplies the client of webhook handlers, or {@code null} for
	 * the handler's default one; asked only when a webhook handler is created, so that an
	 * application without one never builds it
	 */
	EventManagerFactory(LionfuncsProperties.Events properties, String applicationName,
			Function<String, @Nullable String> environment, Supplier<@Nullable WebClient> webhookClient) {
		this.properties = properties;
		this.applicationName = applicationName;
		this.environment = environment;
		this.webhookClient = webhookClient;
	}

	EventManager create(List<EventHandler> handlerBeans) {
		EventManager.Builder builder = EventManager.builder().name(this.applicationName);
		Path configured = this.properties.getSpoolDirectory();
		if (configured != null) {
			builder.spoolDirectory(writableDirectory(configured, "lionfuncs.events.spool-directory",
					"for the events waiting for their handlers"));
		}
		else {
			builder.spoolDirectoryOrFreeSibling(defaultSpoolDirectory());
		}
		EventManager manager = builder.environment(this.environment)
			.factory(EventHandlerFactory.of(WebhookEventHandler.NAME,
					(config) -> new WebhookEventHandlerFactory(WebhookEventHandler.NAME, webhookClient())
						.create(config)))
			.build();
		LionfuncsProperties.Events.Logging logging = this.properties.getLogging();
		if (logging.isEnabled()) {
			addLoggingHandler(manager, logging);
		}
		LionfuncsProperties.Events.File file = this.properties.getFile();
		if (file.isEnabled()) {
			if (file.getDirectory() == null) {
				throw new InvalidLionfuncsPropertyException("lionfuncs.events.file.directory", null,
						"the directory events are written to (the file handler is enabled)");
			}
			Path directory = writableDirectory(file.getDirectory(), "lionfuncs.events.file.directory",
					"events are written to");
			manager.addHandler("file", directory.toString());
		}
		LionfuncsProperties.Events.Webhook webhook = this.properties.getWebhook();
		if (webhook.isEnabled()) {
			addWebhookHandler(manager, webhook);
		}
		handlerBeans.forEach(manager::addHandler);
		loadHandlersFromEnv(manager);
		return manager;
	}

	private static void addLoggingHandler(EventManager manager, LionfuncsProperties.Events.Logging logging) {
		String logger = logging.getLogger();
		if (logger == null || logger.isBlank() || logger.indexOf(',') >= 0 || logger.indexOf('|') >= 0) {
			throw new InvalidLionfuncsPropertyException("lionfuncs.events.logging.logger", logger,
					"a logger name without ',' or '|', such as lionfuncs.events");
		}
		try {
			manager.addHandler("logging", logger, logging.getLevel());
		}
		catch (EventError ex) {
			throw new InvalidLionfuncsPropertyException("lionfuncs.events.logging.level", logging.getLevel(),
					"a log level: TRACE, DEBUG, INFO, WARN, ERROR, or a Python level number such as 20", ex);
		}
	}

	private static void addWebhookHandler(EventManager manager, LionfuncsProperties.Events.Webhook webhook) {
		String url = webhook.getUrl();
		if (!isHttpUrl(url)) {
			throw new InvalidLionfuncsPropertyException("lionfuncs.events.webhook.url", withoutPath(url),
					"the http:// or https:// URL events are posted to (the webhook handler is enabled)");
		}
		Duration timeout = webhook.getTimeout();
		if (timeout == null || timeout.isNegative() || timeout.isZero()) {
			throw new InvalidLionfuncsPropertyException("lionfuncs.events.webhook.timeout", timeout,
					"a positive duration, such as 5s");
		}
		int concurrency = webhook.getConcurrency();
		if (concurrency < 1 || concurrency > 256) {
			throw new InvalidLionfuncsPropertyException("lionfuncs.events.webhook.concurrency", concurrency,
					"a whole number from 1 to 256 (1 posts the events one after the other, in publication order)");
		}
		manager.addHandler("webhook", url, "timeout=" + timeout.toMillis() + "ms", "concurrency=" + concurrency);
	}

	/**
	 * Loads the handlers named in the environment variable. Failures name the handlers,
	 * never their configurations, which may hold a webhook's secret URL.
	 */
	private void loadHandlersFromEnv(EventManager manager) {
		String variable = this.properties.getHandlersEnvVariable();
		String format = " (format name=config|name2=config, or set lionfuncs.events.handlers-env-variable)";
		try {
			manager.loadHandlersFromEnv(variable);
		}
		catch (UnknownEventHandlerException ex) {
			throw new InvalidLionfuncsPropertyException("environment variable " + variable,
					printable(ex.getHandlerName()), "handlers among " + manager.getFactoryNames() + " only" + format,
					ex);
		}
		catch (EventError ex) {
			throw new InvalidLionfuncsPropertyException("environment variable " + variable,
					handlerNames(this.environment.apply(variable)), "a valid configuration for each handler ("
							+ ex.getMessage() + ")" + format,
					ex);
		}
	}

	private static List<String> handlerNames(@Nullable String handlerConfig) {
		List<String> names = new ArrayList<>();
		if (handlerConfig != null) {
			for (String entry : handlerConfig.split("\\|")) {
				String name = entry.split("=", 2)[0].strip();
				if (!name.isEmpty()) {
					names.add(printable(name));
				}
			}
		}
		return names;
	}

	private static String printable(String text) {
		StringBuilder result = new StringBuilder();
		text.codePoints()
			.limit(80)
			.forEach((c) -> result
				.append(Character.isISOControl(c) ? String.format("\\u%04x", c) : Character.toString(c)));
		return result.toString();
	}

	/**
	 * The URL up to its host and port: a webhook's path or query often holds a secret.
	 */
	private static @Nullable String withoutPath(@Nullable String url) {
		if (url == null) {
			return null;
		}
		int scheme = url.indexOf("://");
		int authorityStart = (scheme >= 0) ? scheme + 3 : 0;
		for (int i = authorityStart; i < url.length(); i++) {
			char c = url.charAt(i);
			if (c == '/' || c == '?' || c == '#') {
				return Redactor.defaults().url(url.substring(0, i)) + "/…";
			}
		}
		return Redactor.defaults().url(url);
	}

	private static boolean isHttpUrl(@Nullable String url) {
		if (url == null) {
			return false;
		}
		try {
			URI uri = new URI(url);
			String scheme = (uri.getScheme() != null) ? uri.getScheme().toLowerCase(Locale.ROOT) : "";
			return (scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null;
		}
		catch (URISyntaxException ex) {
			return false;
		}
	}

	/**
	 * Creates the directory if needed and checks that it can be written to, so that a
	 * wrong path stops start-up instead of failing every event later.
	 */
	private static Path writableDirectory(Path directory, String property, String purpose) {
		try {
			Files.createDirectories(directory);
		}
		catch (IOException | RuntimeException ex) {
			throw new InvalidLionfuncsPropertyException(property, directory,
					"a writable directory " + purpose + " (it cannot be created: " + ex + ")", ex);
		}
		if (!Files.isDirectory(directory) || !Files.isWritable(directory)) {
			throw new InvalidLionfuncsPropertyException(property, directory,
					"a writable directory " + purpose + " (this one cannot be written to)");
		}
		return directory;
	}

	private synchronized @Nullable WebClient webhookClient() {
		if (!this.webhookClientResolved) {
			this.sharedWebhookClient = this.webhookClient.get();
			this.webhookClientResolved = true;
		}
		return this.sharedWebhookClient;
	}

	/**
	 * The default spool directory:
	 * {@code <java.io.tmpdir>/lionfuncs-events/<application name>[-<server.port>]}. The
	 * port tells apart replicas of one application on a host and stays the same across
	 * their restarts, so that a restarted replica sends what it left behind; without a
	 * fixed port (a random one, no web server) the name alone. The event manager locks
	 * the directory at its start, and uses a free {@code -2}, {@code -3}, … sibling
	 * while another running process holds it.
	 */
	private Path defaultSpoolDirectory() {
		String port = this.environment.apply("server.port");
		String identity = this.applicationName;
		if (port != null && port.strip().matches("[1-9][0-9]{0,4}")) {
			identity += "-" + port.strip();
		}
		return EventManager.defaultSpoolDirectory(identity);
	}

}
