package io.lionfuncs.autoconfigure.intercept;

import io.lionfuncs.autoconfigure.LionfuncsClientCustomizer;
import io.lionfuncs.network.intercept.CallGovernor;
import io.lionfuncs.network.intercept.spring.GoverningExchangeFilterFunction;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.http.codec.CodecCustomizer;
import org.springframework.boot.webclient.WebClientCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.client.ExchangeStrategies;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Auto-configuration that governs every {@link WebClient} built from Spring Boot's
 * {@code WebClient.Builder}: a {@link GoverningExchangeFilterFunction} makes each request
 * to a configured client's base URL wait, without blocking, for a lease of that client's
 * executor, held until the response body ends. The lionfuncs clients, built from a clone
 * of the same builder, run under their executors already and are left out.
 *
 * @since 0.1.0
 */
@AutoConfiguration(after = LionfuncsInterceptAutoConfiguration.class)
@ConditionalOnClass({ WebClient.class, WebClientCustomizer.class, CodecCustomizer.class,
		GoverningExchangeFilterFunction.class })
@ConditionalOnBean(CallGovernor.class)
public final class LionfuncsWebClientInterceptAutoConfiguration {

	@Bean
	@ConditionalOnMissingBean
	GoverningExchangeFilterFunction lionfuncsExchangeFilterFunction(CallGovernor callGovernor,
			ObjectProvider<CodecCustomizer> codecCustomizers) {
		// The codecs Boot gives its WebClient.Builder, to encode request bodies ahead.
		ExchangeStrategies strategies = ExchangeStrategies.builder()
			.codecs((codecs) -> codecCustomizers.orderedStream().forEach((customizer) -> customizer.customize(codecs)))
			.build();
		return new GoverningExchangeFilterFunction(callGovernor, strategies);
	}

	@Bean
	@ConditionalOnMissingBean(name = "lionfuncsWebClientCustomizer")
	WebClientCustomizer lionfuncsWebClientCustomizer(GoverningExchangeFilterFunction filter) {
		return (builder) -> builder.filters((filters) -> {
			if (!filters.contains(filter)) {
				filters.add(filter);
			}
		});
	}

	@Bean
	@ConditionalOnMissingBean(name = "lionfuncsClientInterceptExclusion")
	LionfuncsClientCustomizer lionfuncsClientInterceptExclusion() {
		// A lionfuncs client already runs its calls under its executor: a lease on top
		// would count each call twice and could wait for a slot it holds itself.
		return (name, builder) -> builder.webClientCustomizer((webClient) -> webClient
			.filters((filters) -> filters.removeIf(GoverningExchangeFilterFunction.class::isInstance)));
	}

}
