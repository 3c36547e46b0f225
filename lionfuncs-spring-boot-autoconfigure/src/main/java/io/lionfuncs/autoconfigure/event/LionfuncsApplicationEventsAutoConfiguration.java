package io.lionfuncs.autoconfigure.event;

import io.lionfuncs.autoconfigure.LionfuncsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsClientAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsClients;
import io.lionfuncs.autoconfigure.LionfuncsProperties;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.client.AsyncApiClient;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Auto-configuration for the application events of lionfuncs: the status changes of
 * every executor's requests as {@link RequestStatusChangedEvent}s and its pauses as
 * {@link ExecutorPausedEvent}s (unless
 * {@code lionfuncs.events.publish-application-events} is {@code false}), and the
 * connection events of every client as {@link ConnectionLifecycleEvent}s (when
 * {@code lionfuncs.connections.publish-application-events} is {@code true}).
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = { LionfuncsAutoConfiguration.class, LionfuncsClientAutoConfiguration.class })
@ConditionalOnClass(Executor.class)
@ConditionalOnBooleanProperty(name = "lionfuncs.enabled", matchIfMissing = true)
@ConditionalOnBean(LionfuncsProperties.class)
public final class LionfuncsApplicationEventsAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "lionfuncs.events.publish-application-events", matchIfMissing = true)
	ApplicationEventPublishingListener lionfuncsApplicationEventPublishingListener(ApplicationEventPublisher publisher,
			LionfuncsProperties properties) {
		return new ApplicationEventPublishingListener(publisher, properties.getEvents().getApplicationEventStatuses());
	}

	@Bean
	@ConditionalOnMissingBean
	@ConditionalOnBooleanProperty(name = "lionfuncs.events.publish-application-events", matchIfMissing = true)
	ApplicationEventPausePublisher lionfuncsApplicationEventPausePublisher(ApplicationEventPublisher publisher) {
		return new ApplicationEventPausePublisher(publisher);
	}

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnClass(AsyncApiClient.class)
	@ConditionalOnBean(LionfuncsClients.class)
	@ConditionalOnBooleanProperty("lionfuncs.connections.publish-application-events")
	static class ConnectionEventsConfiguration {

		@Bean
		@ConditionalOnMissingBean
		ConnectionEventPublishingListener lionfuncsConnectionEventPublishingListener(
				ApplicationEventPublisher publisher) {
			return new ConnectionEventPublishingListener(publisher);
		}

	}

}
