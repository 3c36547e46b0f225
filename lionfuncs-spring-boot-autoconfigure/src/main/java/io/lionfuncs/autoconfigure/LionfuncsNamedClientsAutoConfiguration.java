package io.lionfuncs.autoconfigure;

import io.lionfuncs.network.Executor;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

/**
 * Auto-configuration for the clients under {@code lionfuncs.clients.<name>}, each with
 * its own executor. Runs after the default beans are defined, so that named beans never
 * make the defaults back off.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = { LionfuncsAutoConfiguration.class, LionfuncsClientAutoConfiguration.class })
@ConditionalOnClass(Executor.class)
@ConditionalOnBooleanProperty(name = "lionfuncs.enabled", matchIfMissing = true)
@ConditionalOnBean(LionfuncsExecutorFactory.class)
@Import(NamedClientsRegistrar.class)
public final class LionfuncsNamedClientsAutoConfiguration {

	@Configuration(proxyBeanMethods = false)
	@ConditionalOnBean(LionfuncsClientFactory.class)
	@Import(NamedClientsRegistrar.Clients.class)
	static class NamedApiClientsConfiguration {

	}

}
