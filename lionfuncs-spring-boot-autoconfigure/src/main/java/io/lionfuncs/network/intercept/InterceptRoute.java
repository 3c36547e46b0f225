package io.lionfuncs.network.intercept;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Supplier;

import io.lionfuncs.network.Executor;

/**
 * Requests governed by one executor: those whose scheme, host and port are those of a
 * base URL and whose path lies under the base URL's path ({@code https://api.example.com/v1}
 * covers {@code /v1} and {@code /v1/chat}, not {@code /v10} nor {@code /v2}).
 */
public final class InterceptRoute {

	private final String name;

	private final String baseUrl;

	private final String scheme;

	private final String host;

	private final int port;

	private final String pathPrefix;

	private final Supplier<Executor> executor;

	private InterceptRoute(String name, String baseUrl, Supplier<Executor> executor) {
		this.name = Objects.requireNonNull(name, "name must not be null");
		this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl must not be null");
		this.executor = Objects.requireNonNull(executor, "executor must not be null");
		URI uri;
		try {
			uri = new URI(baseUrl);
		}
		catch (Exception ex) {
			throw new IllegalArgumentException("Not a base URL: " + baseUrl, ex);
		}
		String scheme = (uri.getScheme() != null) ? uri.getScheme().toLowerCase(Locale.ROOT) : null;
		if (scheme == null || uri.getHost() == null || !(scheme.equals("http") || scheme.equals("https"))) {
			throw new IllegalArgumentException("Not an absolute http:// or https:// URL with a host: " + baseUrl);
		}
		this.scheme = scheme;
		this.host = host(uri);
		this.port = port(scheme, uri.getPort());
		this.pathPrefix = trimSlashes(normalizedPath(uri));
	}

	/**
	 * A route to an executor.
	 * @param name the name of the client whose base URL this is
	 * @param baseUrl the base URL
	 * @param executor supplies the executor, looked up on the first governed request
	 * @return the route
	 * @throws IllegalArgumentException if the base URL is not an absolute http(s) URL
	 */
	public static InterceptRoute of(String name, String baseUrl, Supplier<Executor> executor) {
		return new InterceptRoute(name, baseUrl, executor);
	}

	public String name() {
		return this.name;
	}

	public String baseUrl() {
		return this.baseUrl;
	}

	/**
	 * The executor governing the route's requests.
	 * @return the executor
	 */
	public Executor executor() {
		return this.executor.get();
	}

	/**
	 * Whether the request goes to this route's origin, under its path.
	 * @param uri the request's URI
	 * @return whether the route governs it
	 */
	public boolean matches(URI uri) {
		String scheme = uri.getScheme();
		if (scheme == null || !scheme.equalsIgnoreCase(this.scheme) || uri.getHost() == null) {
			return false;
		}
		if (!host(uri).equals(this.host) || port(this.scheme, uri.getPort()) != this.port) {
			return false;
		}
		if (this.pathPrefix.isEmpty()) {
			return true;
		}
		String path = trimSlashes(normalizedPath(uri));
		return path.equals(this.pathPrefix) || path.startsWith(this.pathPrefix + "/");
	}

	/**
	 * How many path characters the route covers: the longest wins among routes that match.
	 */
	int specificity() {
		return this.pathPrefix.length();
	}

	private static String host(URI uri) {
		String host = Objects.requireNonNull(uri.getHost()).toLowerCase(Locale.ROOT);
		return (host.endsWith(".")) ? host.substring(0, host.length() - 1) : host;
	}

	private static int port(String scheme, int port) {
		if (port != -1) {
			return port;
		}
		return scheme.equalsIgnoreCase("https") ? 443 : 80;
	}

	private static String normalizedPath(URI uri) {
		String path = uri.normalize().getPath();
		return (path != null) ? path : "";
	}

	private static String trimSlashes(String path) {
		int start = 0;
		int end = path.length();
		while (start < end && path.charAt(start) == '/') {
			start++;
		}
		while (end > start && path.charAt(end - 1) == '/') {
			end--;
		}
		return path.substring(start, end);
	}

	@Override
	public String toString() {
		return "InterceptRoute[" + this.name + " -> " + this.scheme + "://" + this.host + ":" + this.port + "/"
				+ this.pathPrefix + "]";
	}

}
