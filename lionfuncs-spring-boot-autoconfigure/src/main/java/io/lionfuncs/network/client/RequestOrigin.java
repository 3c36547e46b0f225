package io.lionfuncs.network.client;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

import org.jspecify.annotations.Nullable;
import reactor.core.publisher.Mono;

import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import org.springframework.web.util.UriUtils;

/**
 * Where a client's requests may go: the scheme, host and port of its base URL, and paths
 * under the base URL's path. It judges the final {@link URI} a request is sent to (after
 * template expansion and encoding), never the template, so that no path or variable
 * value ({@code //host/x}, {@code \\host}, {@code ..}, {@code %2e%2e}, an absolute URL)
 * can send the client's credentials anywhere else.
 * <p>
 * Every request URI must also be absolute {@code http} or {@code https} with a host (the
 * form Reactor Netty sends as it is: a relative one would go to {@code localhost:80}),
 * carry no fragment, no user info other than the base URL's, and a path without dot
 * segments or backslashes, raw or percent-encoded, and without empty segments. Without a
 * base URL there is no origin to hold requests to, and only these rules apply.
 */
final class RequestOrigin {

	/** Rounds of percent-decoding looked through, for servers that decode more than once. */
	private static final int DECODING_ROUNDS = 3;

	private final @Nullable URI base;

	private final String basePath;

	private RequestOrigin(@Nullable URI base) {
		this.base = base;
		String path = (base != null && base.getRawPath() != null) ? base.getRawPath() : "";
		this.basePath = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
	}

	/**
	 * The origin of a base URL.
	 * @param baseUrl the client's base URL, or {@code null} for none
	 * @return the origin
	 * @throws IllegalArgumentException if the base URL is not an absolute {@code http} or
	 * {@code https} URL with a host
	 */
	static RequestOrigin of(@Nullable String baseUrl) {
		if (baseUrl == null) {
			return new RequestOrigin(null);
		}
		URI base = null;
		try {
			base = new URI(baseUrl);
		}
		catch (URISyntaxException ex) {
			// refused below
		}
		if (base == null || !isHttp(base) || base.getHost() == null || base.getRawFragment() != null) {
			throw new IllegalArgumentException("baseUrl must be an absolute http:// or https:// URL with a host and "
					+ "without fragment, such as https://api.example.com/v1");
		}
		return new RequestOrigin(base);
	}

	/**
	 * Checks the URI a request is about to be sent to.
	 * @param uri the final URI
	 * @param method the request's method, for the message
	 * @param described the request's URI template as recorded, for the message
	 * @return the URI
	 * @throws ApiClientException when the URI leaves the origin or breaks a rule
	 */
	URI check(URI uri, String method, String described) {
		String problem = problem(uri);
		if (problem != null) {
			throw new ApiClientException(method + " " + described + " was refused before sending: " + problem,
					ExchangeDetails.request(method, described), null);
		}
		return uri;
	}

	/**
	 * The same check on the request as WebClient hands it to the connector, after every
	 * filter: nothing may redirect it elsewhere.
	 * @return the filter
	 */
	ExchangeFilterFunction asFilter() {
		return (request, next) -> {
			String problem = problem(request.url());
			if (problem == null) {
				return next.exchange(request);
			}
			String method = request.method().name();
			return Mono.error(new ApiClientException(method + " request was refused before sending: " + problem,
					ExchangeDetails.request(method, "(rewritten by a filter)"), null));
		};
	}

	private @Nullable String problem(URI uri) {
		if (!uri.isAbsolute() || uri.isOpaque() || !isHttp(uri) || uri.getHost() == null) {
			return "its URI is not an absolute http:// or https:// URL with a host"
					+ ((this.base != null) ? " under the base URL (start the template with '/')" : "");
		}
		if (uri.getRawFragment() != null) {
			return "its URI has a fragment ('#'), which is never sent";
		}
		URI base = this.base;
		if (base != null && !sameOrigin(uri, base)) {
			return "its URI leads to another origin than the base URL's " + origin(base);
		}
		if (!Objects.equals(uri.getRawUserInfo(), (base != null) ? base.getRawUserInfo() : null)) {
			return "its URI carries user info (credentials) of its own";
		}
		String path = (uri.getRawPath() != null) ? uri.getRawPath() : "";
		if (base != null && !path.equals(this.basePath) && !path.startsWith(this.basePath + "/")) {
			return "its path is not under the base URL's path '" + this.basePath + "/'";
		}
		if (base == null && !path.isEmpty() && !path.startsWith("/")) {
			return "its path is not absolute";
		}
		return pathProblem(path.substring((base != null) ? this.basePath.length() : 0));
	}

	/**
	 * Checks the part of the raw path below the base path, segment by segment, as a
	 * server that decodes before it normalises would see it.
	 */
	private static @Nullable String pathProblem(String rawPath) {
		String[] segments = rawPath.split("/", -1);
		for (int i = 1; i < segments.length; i++) {
			String segment = segments[i];
			if (segment.isEmpty() && i < segments.length - 1) {
				return "its path has an empty segment ('//')";
			}
			String decoded = segment;
			for (int round = 0; round <= DECODING_ROUNDS; round++) {
				if (decoded.indexOf('\\') >= 0) {
					return "its path has a backslash";
				}
				for (String part : decoded.split("/", -1)) {
					// "..;x" too: some servers drop path parameters before they normalise
					String name = part.split(";", 2)[0];
					if (name.equals(".") || name.equals("..")) {
						return "its path has a dot segment ('.' or '..')";
					}
				}
				String next = decode(decoded);
				if (next == null || next.equals(decoded)) {
					break;
				}
				decoded = next;
			}
		}
		return null;
	}

	private static @Nullable String decode(String text) {
		if (text.indexOf('%') < 0) {
			return text;
		}
		try {
			return UriUtils.decode(text, StandardCharsets.UTF_8);
		}
		catch (IllegalArgumentException ex) {
			return null;
		}
	}

	private static boolean sameOrigin(URI uri, URI base) {
		return scheme(uri).equals(scheme(base)) && uri.getHost().equalsIgnoreCase(base.getHost())
				&& port(uri) == port(base);
	}

	private static boolean isHttp(URI uri) {
		String scheme = scheme(uri);
		return scheme.equals("http") || scheme.equals("https");
	}

	private static String scheme(URI uri) {
		return (uri.getScheme() != null) ? uri.getScheme().toLowerCase(Locale.ROOT) : "";
	}

	private static int port(URI uri) {
		if (uri.getPort() != -1) {
			return uri.getPort();
		}
		return scheme(uri).equals("https") ? 443 : 80;
	}

	private static String origin(URI base) {
		return scheme(base) + "://" + base.getHost() + ":" + port(base);
	}

}
