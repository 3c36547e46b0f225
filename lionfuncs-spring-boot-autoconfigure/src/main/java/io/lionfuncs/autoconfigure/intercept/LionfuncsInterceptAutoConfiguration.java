package io.lionfuncs.autoconfigure.intercept;

import io.lionfuncs.autoconfigure.LionfuncsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsNamedClientsAutoConfiguration;
import io.lionfuncs.autoconfigure.LionfuncsProperties;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.intercept.ApiTokenEstimator;
import io.lionfuncs.network.intercept.CallGovernor;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Auto-configuration of the {@link CallGovernor} that the adapters of other HTTP clients
 * share ({@code lionfuncs.intercept.*}): requests to the base URL of a configured client
 * take a lease of that client's executor, their API tokens estimated by the
 * {@link ApiTokenEstimator} bean (by default from the JSON body).
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = { LionfuncsAutoConfiguration.class, LionfuncsNamedClientsAutoConfiguration.class })
@ConditionalOnClass({ CallGovernor.class, JsonMapper.class })
@ConditionalOnBooleanProperty(name = "lionfuncs.enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(name = "lionfuncs.intercept.enabled", matchIfMissing = true)
@ConditionalOnBean(LionfuncsProperties.class)
public final class LionfuncsInterceptAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	ApiTokenEstimator lionfuncsApiTokenEstimator(LionfuncsProperties properties) {
		return CallGovernorFactory.estimator(properties);
	}

	@Bean
	@ConditionalOnMissingBean
	CallGovernor lionfuncsCallGovernor(LionfuncsProperties properties, ApiTokenEstimator apiTokenEstimator,
			ObjectProvider<Executor> executors) {
		return CallGovernorFactory.create(properties, apiTokenEstimator, executors);
	}

}
