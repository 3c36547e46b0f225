package io.lionfuncs.sample.upstream;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Serves the fake upstream under {@code /upstream/**}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(UpstreamProperties.class)
public class UpstreamConfiguration {

	@Bean
	FakeLlmUpstream fakeLlmUpstream(UpstreamProperties properties) {
		return new FakeLlmUpstream(properties);
	}

	@Bean
	RouterFunction<ServerResponse> upstreamRoutes(FakeLlmUpstream upstream) {
		return RouterFunctions.route()
			.POST("/upstream/v1/chat/completions", upstream::chatCompletions)
			.GET("/upstream/admin/faults", upstream::faults)
			.POST("/upstream/admin/faults", upstream::faults)
			.build();
	}

}
