package io.lionfuncs.autoconfigure;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import io.lionfuncs.event.EventHandler;
import io.lionfuncs.event.EventHandlerFactory;
import io.lionfuncs.event.EventManager;
import io.lionfuncs.event.UnknownEventHandlerException;
import io.lionfuncs.event.handler.WebhookEventHandler;
import io.lionfuncs.event.handler.WebhookEventHandlerFactory;
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

	private static final int MAX_SPOOL_CANDIDATES = 20;

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
		EventManager manager = EventManager.builder()
			.name(this.applicationName)
			.spoolDirectory(spoolDirectory())
			.environment(this.environment)
			.factory(EventHandlerFactory.of(WebhookEventHandler.NAME,
					(config) -> new WebhookEventHandlerFactory(WebhookEventHandler.NAME, webhookClient())
						.create(config)))
			.build();
		LionfuncsProperties.Events.Logging logging = this.properties.getLogging();
		if (logging.isEnabled()) {
			manager.addHandler("logging", logging.getLogger(), logging.getLevel());
		}
		LionfuncsProperties.Events.File file = this.properties.getFile();
		if (file.isEnabled()) {
			if (file.getDirectory() == null) {
				throw new InvalidLionfuncsPropertyException("lionfuncs.events.file.directory", null,
						"the directory events are written to (the file handler is enabled)");
			}
			manager.addHandler("file", file.getDirectory().toString());
		}
		LionfuncsProperties.Events.Webhook webhook = this.properties.getWebhook();
		if (webhook.isEnabled()) {
			String url = webhook.getUrl();
			if (url == null || !(url.startsWith("http://") || url.startsWith("https://"))) {
				throw new InvalidLionfuncsPropertyException("lionfuncs.events.webhook.url", url,
						"the http:// or https:// URL events are posted to (the webhook handler is enabled)");
			}
			manager.addHandler("webhook", url, "timeout=" + webhook.getTimeout().toMillis() + "ms");
		}
		handlerBeans.forEach(manager::addHandler);
		String variable = this.properties.getHandlersEnvVariable();
		try {
			manager.loadHandlersFromEnv(variable);
		}
		catch (UnknownEventHandlerException ex) {
			throw new InvalidLionfuncsPropertyException("environment variable " + variable,
					this.environment.apply(variable), "handlers among " + manager.getFactoryNames()
							+ " only, as name=config|name2=config (or set lionfuncs.events.handlers-env-variable)",
					ex);
		}
		return manager;
	}

	private synchronized @Nullable WebClient webhookClient() {
		if (!this.webhookClientResolved) {
			this.sharedWebhookClient = this.webhookClient.get();
			this.webhookClientResolved = true;
		}
		return this.sharedWebhookClient;
	}

	/**
	 * The configured spool directory or, by default, the first directory under
	 * {@code java.io.tmpdir} that no other event manager holds: two contexts of one
	 * application (or two tests) never share a spool, and a restarted application takes
	 * over the spool its predecessor left behind.
	 */
	private Path spoolDirectory() {
		if (this.properties.getSpoolDirectory() != null) {
			return this.properties.getSpoolDirectory();
		}
		Path base = EventManager.defaultSpoolDirectory(this.applicationName);
		for (int i = 1; i <= MAX_SPOOL_CANDIDATES; i++) {
			Path candidate = (i == 1) ? base : base.resolveSibling(base.getFileName() + "-" + i);
			if (isFree(candidate)) {
				return candidate;
			}
		}
		return base.resolveSibling(base.getFileName() + "-" + ProcessHandle.current().pid());
	}

	private static boolean isFree(Path directory) {
		try {
			Files.createDirectories(directory);
			try (FileChannel channel = FileChannel.open(directory.resolve(".lock"), StandardOpenOption.CREATE,
					StandardOpenOption.WRITE)) {
				FileLock lock = channel.tryLock();
				if (lock == null) {
					return false;
				}
				lock.release();
				return true;
			}
		}
		catch (OverlappingFileLockException ex) {
			return false;
		}
		catch (IOException ex) {
			return false;
		}
	}

}
