package io.lionfuncs.event.handler;

import java.util.Objects;

import io.lionfuncs.event.EventHandler;
import io.lionfuncs.event.EventHandlerFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.web.reactive.function.client.WebClient;

/**
 * Creates {@link WebhookEventHandler webhook handlers} from
 * {@code <url>[,timeout=<duration>][,retries=<n>][,concurrency=<n>]}. Registered as
 * {@value WebhookEventHandler#NAME} through {@code META-INF/services} (with
 * {@link WebClient#create()}); register one with a configured client to replace it.
 */
public final class WebhookEventHandlerFactory implements EventHandlerFactory {

	private final String name;

	private final @Nullable WebClient webClient;

	/** The factory named {@value WebhookEventHandler#NAME}, with a default client. */
	public WebhookEventHandlerFactory() {
		this(WebhookEventHandler.NAME, null);
	}

	/**
	 * A factory whose handlers use a given client.
	 * @param name the name of the factory and its handlers
	 * @param webClient the client, or {@code null} for {@link WebClient#create()}
	 */
	public WebhookEventHandlerFactory(String name, @Nullable WebClient webClient) {
		this.name = Objects.requireNonNull(name, "name");
		this.webClient = webClient;
	}

	@Override
	public String getName() {
		return this.name;
	}

	@Override
	public EventHandler create(String config) {
		return WebhookEventHandler.fromConfig(this.name, config, this.webClient);
	}

}
