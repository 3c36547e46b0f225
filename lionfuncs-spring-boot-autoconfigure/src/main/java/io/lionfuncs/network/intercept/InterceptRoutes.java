package io.lionfuncs.network.intercept;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The routes of intercepted requests to executors: the most specific route (the longest
 * base-URL path) among those matching a request governs it; a request no route matches is
 * left alone.
 */
public final class InterceptRoutes {

	private static final InterceptRoutes NONE = new InterceptRoutes(List.of());

	private final List<InterceptRoute> routes;

	private InterceptRoutes(List<InterceptRoute> routes) {
		List<InterceptRoute> sorted = new ArrayList<>(routes);
		sorted.sort(Comparator.comparingInt(InterceptRoute::specificity).reversed());
		this.routes = List.copyOf(sorted);
	}

	/**
	 * The given routes.
	 * @param routes the routes
	 * @return the routes
	 */
	public static InterceptRoutes of(List<InterceptRoute> routes) {
		return routes.isEmpty() ? NONE : new InterceptRoutes(routes);
	}

	/**
	 * No routes: nothing is governed.
	 * @return the empty routes
	 */
	public static InterceptRoutes none() {
		return NONE;
	}

	/**
	 * The route governing a request.
	 * @param uri the request's URI
	 * @return the route, or {@code null} when the request is not governed
	 */
	public @Nullable InterceptRoute find(URI uri) {
		for (InterceptRoute route : this.routes) {
			if (route.matches(uri)) {
				return route;
			}
		}
		return null;
	}

	public List<InterceptRoute> routes() {
		return this.routes;
	}

	public boolean isEmpty() {
		return this.routes.isEmpty();
	}

	@Override
	public String toString() {
		return "InterceptRoutes" + this.routes;
	}

}
