package io.lionfuncs.autoconfigure;

import org.springframework.boot.autoconfigure.condition.ConditionMessage;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.ConfigurationPropertyState;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when the default client is configured: some {@code lionfuncs.client.*}
 * property is set, normally {@code lionfuncs.client.base-url}. Without any, there is no
 * default client; with some but no base URL, creating the client fails and names the key.
 *
 * @since 0.1.0
 */
class OnDefaultClientCondition extends SpringBootCondition {

	static final String PREFIX = "lionfuncs.client";

	private static final ConfigurationPropertyName NAME = ConfigurationPropertyName.of(PREFIX);

	@Override
	public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
		ConditionMessage.Builder message = ConditionMessage.forCondition("Default lionfuncs client");
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(context.getEnvironment())) {
			if (source.containsDescendantOf(NAME) == ConfigurationPropertyState.PRESENT) {
				return ConditionOutcome.match(message.found("property").items(PREFIX + ".*"));
			}
		}
		return ConditionOutcome.noMatch(message.because("lionfuncs.client.base-url is not set"));
	}

}
