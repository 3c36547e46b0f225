package io.lionfuncs.autoconfigure;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.BeanClassLoaderAware;
import org.springframework.boot.context.properties.ConfigurationPropertiesBindHandlerAdvisor;
import org.springframework.boot.context.properties.bind.AbstractBindHandler;
import org.springframework.boot.context.properties.bind.BindContext;
import org.springframework.boot.context.properties.bind.BindHandler;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.json.JsonParserFactory;
import org.springframework.boot.origin.Origin;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;

/**
 * Warns once at start-up about the properties under {@code lionfuncs.} that nothing
 * reads, such as {@code lionfuncs.executor.request-rate} for {@code requests-rate}: Spring
 * Boot ignores them silently. Applied to the binding of {@link LionfuncsProperties}, it
 * notes the names that binding reads and, when the binding ends, compares them with the
 * {@code lionfuncs.*} names of the environment, so that it costs no binding of its own.
 * A name the binding did not read is known still when the configuration metadata on the
 * class path documents it; the warning names the closest documented key (by edit
 * distance, ignoring case and dashes, so environment variables compare as well).
 *
 * @since 0.1.0
 */
class UnknownPropertiesCheck implements ConfigurationPropertiesBindHandlerAdvisor, BeanClassLoaderAware {

	private static final Logger logger = LoggerFactory.getLogger(UnknownPropertiesCheck.class);

	private static final ConfigurationPropertyName LIONFUNCS = ConfigurationPropertyName.of("lionfuncs");

	private static final String CLIENT = "lionfuncs.client.";

	private static final String EXECUTOR = "lionfuncs.executor.";

	private static final String CLIENTS = "lionfuncs.clients.";

	private static final List<String> METADATA = List.of("META-INF/spring-configuration-metadata.json",
			"META-INF/additional-spring-configuration-metadata.json");

	private final Environment environment;

	private final AtomicBoolean checked = new AtomicBoolean();

	private @Nullable ClassLoader classLoader = ClassUtils.getDefaultClassLoader();

	UnknownPropertiesCheck(Environment environment) {
		this.environment = environment;
	}

	@Override
	public void setBeanClassLoader(ClassLoader classLoader) {
		this.classLoader = classLoader;
	}

	@Override
	public BindHandler apply(BindHandler bindHandler) {
		return new AbstractBindHandler(bindHandler) {

			private final Set<String> bound = new HashSet<>();

			@Override
			public @Nullable Object onSuccess(ConfigurationPropertyName name, Bindable<?> target, BindContext context,
					Object result) {
				if (LIONFUNCS.isAncestorOf(name)) {
					this.bound.add(uniform(name));
				}
				return super.onSuccess(name, target, context, result);
			}

			@Override
			public void onFinish(ConfigurationPropertyName name, Bindable<?> target, BindContext context,
					@Nullable Object result) throws Exception {
				super.onFinish(name, target, context, result);
				if (LIONFUNCS.equals(name) && UnknownPropertiesCheck.this.checked.compareAndSet(false, true)) {
					warnAboutUnread(this.bound);
				}
			}

		};
	}

	private void warnAboutUnread(Set<String> bound) {
		if (this.environment instanceof ConfigurableEnvironment configurable) {
			String warning = warning(configurable, bound, this.classLoader);
			if (warning != null) {
				logger.warn(warning);
			}
		}
	}

	/**
	 * The warning about the {@code lionfuncs.*} properties of an environment that are
	 * neither read nor documented.
	 * @param environment the environment
	 * @param bound the names binding read, in uniform form
	 * @param classLoader where to find the configuration metadata
	 * @return the warning, or {@code null} when every property is known
	 */
	static @Nullable String warning(ConfigurableEnvironment environment, Set<String> bound,
			@Nullable ClassLoader classLoader) {
		Map<ConfigurationPropertyName, @Nullable Origin> configured = configured(environment);
		List<ConfigurationPropertyName> unread = configured.keySet()
			.stream()
			.filter((name) -> !bound.contains(uniform(name)))
			.toList();
		if (unread.isEmpty()) {
			return null;
		}
		Metadata metadata = Metadata.load(classLoader);
		List<String> unknown = new ArrayList<>();
		for (ConfigurationPropertyName name : unread) {
			if (!metadata.documents(uniform(name))) {
				unknown.add(describe(name, configured.get(name), metadata.closest(name)));
			}
		}
		if (unknown.isEmpty()) {
			return null;
		}
		return "Ignoring unknown configuration propert" + ((unknown.size() == 1) ? "y " : "ies ")
				+ String.join("; ", unknown);
	}

	private static String describe(ConfigurationPropertyName name, @Nullable Origin origin,
			@Nullable String closest) {
		StringBuilder description = new StringBuilder("'").append(name).append('\'');
		if (origin != null) {
			description.append(" (origin: ").append(origin).append(')');
		}
		String suggestion = (closest != null) ? ": did you mean '" + closest + "'?"
				: ": no lionfuncs property has a similar name";
		return description.append(suggestion).toString();
	}

	private static Map<ConfigurationPropertyName, @Nullable Origin> configured(ConfigurableEnvironment environment) {
		Map<ConfigurationPropertyName, @Nullable Origin> configured = new LinkedHashMap<>();
		for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
			if (source instanceof IterableConfigurationPropertySource iterable) {
				iterable.filter(LIONFUNCS::isAncestorOf).forEach((name) -> {
					if (!configured.containsKey(name)) {
						ConfigurationProperty property = source.getConfigurationProperty(name);
						configured.put(name, (property != null) ? property.getOrigin() : null);
					}
				});
			}
		}
		return configured;
	}

	/**
	 * A name in lower case without dashes, so that {@code requests-rate},
	 * {@code requestsRate} and {@code REQUESTSRATE} compare equal.
	 */
	static String uniform(ConfigurationPropertyName name) {
		StringBuilder uniform = new StringBuilder();
		for (int i = 0; i < name.getNumberOfElements(); i++) {
			if (i > 0) {
				uniform.append('.');
			}
			uniform.append(name.getElement(i, Form.UNIFORM));
		}
		return uniform.toString();
	}

	static String uniform(String name) {
		return uniform(ConfigurationPropertyName.of(name));
	}

	static int distance(String a, String b) {
		int[] previous = new int[b.length() + 1];
		int[] current = new int[b.length() + 1];
		for (int j = 0; j <= b.length(); j++) {
			previous[j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			current[0] = i;
			for (int j = 1; j <= b.length(); j++) {
				int substitution = previous[j - 1] + ((a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1);
				current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
			}
			int[] swap = previous;
			previous = current;
			current = swap;
		}
		return previous[b.length()];
	}

	/**
	 * The {@code lionfuncs.*} keys the configuration metadata documents.
	 */
	private static final class Metadata {

		// documented keys, as written and in uniform form
		private final Map<String, String> keys = new LinkedHashMap<>();

		// keys of map type: anything below them is documented
		private final Set<String> mapKeys = new HashSet<>();

		static Metadata load(@Nullable ClassLoader classLoader) {
			Metadata metadata = new Metadata();
			if (classLoader == null) {
				return metadata;
			}
			for (String location : METADATA) {
				try {
					Enumeration<URL> resources = classLoader.getResources(location);
					while (resources.hasMoreElements()) {
						metadata.read(resources.nextElement());
					}
				}
				catch (IOException | RuntimeException ex) {
					logger.debug("Could not read the configuration metadata {}", location, ex);
				}
			}
			return metadata;
		}

		private void read(URL resource) throws IOException {
			String json;
			try (InputStream in = resource.openStream()) {
				json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
			}
			Object properties = JsonParserFactory.getJsonParser().parseMap(json).get("properties");
			if (!(properties instanceof List<?> list)) {
				return;
			}
			for (Object property : list) {
				if (property instanceof Map<?, ?> map && map.get("name") instanceof String name
						&& name.startsWith("lionfuncs.")) {
					// named clients are checked against the client and executor keys instead
					if (name.equals(CLIENTS.substring(0, CLIENTS.length() - 1))) {
						continue;
					}
					String uniform = uniform(name);
					if (String.valueOf(map.get("type")).startsWith("java.util.Map")) {
						this.mapKeys.add(uniform);
					}
					this.keys.put(name, uniform);
				}
			}
		}

		boolean documents(String uniform) {
			if (this.keys.containsValue(uniform)) {
				return true;
			}
			for (String mapKey : this.mapKeys) {
				if (uniform.startsWith(mapKey + ".")) {
					return true;
				}
			}
			return false;
		}

		/**
		 * The documented key nearest to a name, for a named client those of
		 * {@code lionfuncs.client} and {@code lionfuncs.executor} under its name.
		 */
		@Nullable String closest(ConfigurationPropertyName name) {
			String uniform = uniform(name);
			Map<String, String> candidates = this.keys;
			String clientsPrefix = uniform(CLIENTS.substring(0, CLIENTS.length() - 1)) + ".";
			if (uniform.startsWith(clientsPrefix) && name.getNumberOfElements() > 3) {
				candidates = namedClientKeys(name.getElement(2, Form.ORIGINAL));
			}
			String closest = null;
			int best = Math.max(2, uniform.length() / 6) + 1;
			for (Map.Entry<String, String> candidate : candidates.entrySet()) {
				int distance = distance(uniform, candidate.getValue());
				if (distance < best) {
					best = distance;
					closest = candidate.getKey();
				}
			}
			return closest;
		}

		private Map<String, String> namedClientKeys(String client) {
			Map<String, String> keys = new LinkedHashMap<>();
			this.keys.keySet().forEach((key) -> {
				String rest = key.startsWith(CLIENT) ? key.substring(CLIENT.length())
						: key.startsWith(EXECUTOR) ? "executor." + key.substring(EXECUTOR.length()) : null;
				if (rest != null) {
					String named = CLIENTS + client + "." + rest;
					keys.put(named, uniform(named));
				}
			});
			return keys;
		}

	}

}
