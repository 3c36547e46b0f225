package io.lionfuncs.autoconfigure;

import java.util.function.Supplier;

import io.lionfuncs.event.EventHandler;
import io.lionfuncs.event.EventManager;
import io.lionfuncs.event.request.ExecutorPauseEventPublisher;
import io.lionfuncs.event.request.RequestEventPublisher;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Auto-configuration for the {@link EventManager}: every {@link EventHandler} bean, the
 * built-in handlers enabled under {@code lionfuncs.events.*} and those named in the
 * {@code E3_EVENT_HANDLERS} environment variable; terminal request changes are sent to
 * it as {@code lionfuncs.request} events, and executor pauses as
 * {@code lionfuncs.executor.paused} events.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = LionfuncsAutoConfiguration.class,
		afterName = "org.springframework.boot.webclient.autoconfigure.WebClientAutoConfiguration")
@ConditionalOnClass({ EventManager.class, JsonMapper.class, WebClient.class })
@ConditionalOnBooleanProperty(name = "lionfuncs.enabled", matchIfMissing = true)
@ConditionalOnBean(LionfuncsProperties.class)
public final class LionfuncsEventsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	EventManager lionfuncsEventManager(LionfuncsProperties properties, Environment environment,
			ObjectProvider<EventHandler> handlers, ObjectProvider<WebClient.Builder> webClientBuilder) {
		String applicationName = environment.getProperty("spring.application.name", "application");
		Supplier<@Nullable WebClient> webhookClient = () -> {
			WebClient.Builder builder = webClientBuilder.getIfAvailable();
			return (builder != null) ? builder.build() : null;
		};
		return new EventManagerFactory(properties.getEvents(), applicationName, environment::getProperty,
				webhookClient)
			.create(handlers.orderedStream().toList());
	}

	@Bean
	@ConditionalOnMissingBean
	EventManagerLifecycle lionfuncsEventManagerLifecycle(EventManager eventManager) {
		return new EventManagerLifecycle(eventManager);
	}

	@Bean
	@ConditionalOnMissingBean
	RequestEventPublisher lionfuncsRequestEventPublisher(EventManager eventManager, LionfuncsProperties properties) {
		return new RequestEventPublisher(eventManager, properties.getEvents().getHandlerStatuses());
	}

	@Bean
	@ConditionalOnMissingBean
	ExecutorPauseEventPublisher lionfuncsExecutorPauseEventPublisher(EventManager eventManager) {
		return new ExecutorPauseEventPublisher(eventManager);
	}

}
