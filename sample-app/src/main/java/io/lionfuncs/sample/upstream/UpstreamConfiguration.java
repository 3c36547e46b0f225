package io.lionfuncs.sample.upstream;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * Serves the fake upstream under {@code /upstream/**}: the chat-completions API and its
 * admin resource for limits and faults.
 */
@Configuration(proxyBeanMethods = false)
public class UpstreamConfiguration {

	@Bean
	FakeLlmUpstream fakeLlmUpstream(UpstreamProperties properties) {
		return new FakeLlmUpstream(properties);
	}

	@Bean
	RouterFunction<ServerResponse> upstreamRoutes(FakeLlmUpstream upstream) {
		return RouterFunctions.route()
			.POST("/upstream/v1/chat/completions", upstream::chatCompletions)
			.GET("/upstream/admin/faults", upstream::showFaults)
			.POST("/upstream/admin/faults", upstream::changeFaults)
			.DELETE("/upstream/admin/faults", upstream::resetFaults)
			.build();
	}

}
