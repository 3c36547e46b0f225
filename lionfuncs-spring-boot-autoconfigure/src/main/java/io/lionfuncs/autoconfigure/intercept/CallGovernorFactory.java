package io.lionfuncs.autoconfigure.intercept;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.lionfuncs.autoconfigure.InvalidLionfuncsPropertyException;
import io.lionfuncs.autoconfigure.LionfuncsProperties;
import io.lionfuncs.network.Executor;
import io.lionfuncs.network.Redactor;
import io.lionfuncs.network.intercept.ApiTokenEstimator;
import io.lionfuncs.network.intercept.CallGovernor;
import io.lionfuncs.network.intercept.InterceptRoute;
import io.lionfuncs.network.intercept.InterceptRoutes;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.util.function.SingletonSupplier;

/**
 * Builds the {@link CallGovernor} of the application from {@link LionfuncsProperties}:
 * a route per configured client with a base URL and {@code intercept} on
 * ({@code lionfuncs.client} as {@code default}, each {@code lionfuncs.clients.<name>}) to
 * the executor of the same name, looked up on its first request.
 */
final class CallGovernorFactory {

	private static final Logger logger = LoggerFactory.getLogger(CallGovernorFactory.class);

	private CallGovernorFactory() {
	}

	static CallGovernor create(LionfuncsProperties properties, ApiTokenEstimator estimator,
			ObjectProvider<Executor> executors) {
		LionfuncsProperties.Intercept intercept = properties.getIntercept();
		Duration maxWait = intercept.getMaxWait();
		if (maxWait == null || maxWait.isNegative() || maxWait.isZero()) {
			throw new InvalidLionfuncsPropertyException("lionfuncs.intercept.max-wait", maxWait,
					"a duration greater than 0, such as 60s");
		}
		List<InterceptRoute> routes = new ArrayList<>();
		route(routes, "default", "lionfuncs.client", properties.getClient(), executors);
		for (Map.Entry<String, LionfuncsProperties.NamedClient> client : properties.getClients().entrySet()) {
			route(routes, client.getKey(), "lionfuncs.clients." + client.getKey(), client.getValue(), executors);
		}
		CallGovernor governor = CallGovernor.of(InterceptRoutes.of(routes), estimator, maxWait);
		if (!routes.isEmpty()) {
			logger.debug("Governing the requests other HTTP clients send to {}", routes);
		}
		return governor;
	}

	static ApiTokenEstimator estimator(LionfuncsProperties properties) {
		Long fallback = properties.getIntercept().getDefaultApiTokens();
		if (fallback != null && fallback < 0) {
			throw new InvalidLionfuncsPropertyException("lionfuncs.intercept.default-api-tokens", fallback,
					"0 or more API tokens, or no value for none");
		}
		return ApiTokenEstimator.ofJsonBody((fallback != null) ? fallback : 0);
	}

	private static void route(List<InterceptRoute> routes, String name, String prefix, LionfuncsProperties.Client client,
			ObjectProvider<Executor> executors) {
		String baseUrl = client.getBaseUrl();
		if (baseUrl == null || baseUrl.isBlank() || !client.isIntercept()) {
			return;
		}
		try {
			routes.add(InterceptRoute.of(name, baseUrl, executor(name, executors)));
		}
		catch (IllegalArgumentException ex) {
			throw new InvalidLionfuncsPropertyException(prefix + ".base-url", Redactor.defaults().url(baseUrl),
					"an absolute http:// or https:// URL with a host, such as https://api.example.com/v1", ex);
		}
	}

	private static Supplier<Executor> executor(String name, ObjectProvider<Executor> executors) {
		return SingletonSupplier.of(() -> {
			@Nullable Executor found = executors.orderedStream()
				.filter((executor) -> executor.getName().equals(name))
				.findFirst()
				.orElse(null);
			if (found == null) {
				throw new IllegalStateException("No lionfuncs executor named '" + name
						+ "' to govern the requests to the base URL of client '" + name + "'");
			}
			return found;
		});
	}

}
