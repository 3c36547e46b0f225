package io.lionfuncs.autoconfigure;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.origin.Origin;
import org.springframework.core.Ordered;
import org.springframework.core.ResolvableType;
import org.springframework.core.convert.ConversionFailedException;
import org.springframework.util.ClassUtils;

/**
 * Explains a value under {@code lionfuncs.} that cannot be bound, such as
 * {@code submit-timeout: 5parsecs} or {@code api-tokens-rate: lots}, the way
 * {@link InvalidLionfuncsPropertyFailureAnalyzer} explains the starter's own checks:
 * the key, the value, where it was set, and what a valid value looks like. Ordered
 * before Spring Boot's generic analysis of binding failures.
 *
 * @since 0.1.0
 */
class LionfuncsBindFailureAnalyzer extends AbstractFailureAnalyzer<BindException> implements Ordered {

	private static final ConfigurationPropertyName LIONFUNCS = ConfigurationPropertyName.of("lionfuncs");

	@Override
	public int getOrder() {
		return Ordered.HIGHEST_PRECEDENCE;
	}

	@Override
	protected @Nullable FailureAnalysis analyze(Throwable rootFailure, BindException cause) {
		if (!LIONFUNCS.isAncestorOf(cause.getName()) || cause.getCause() instanceof BindValidationException
				|| cause.getCause() instanceof UnboundConfigurationPropertiesException) {
			return null;
		}
		ConfigurationProperty property = cause.getProperty();
		String key = ((property != null) ? property.getName() : cause.getName()).toString();
		Object value = (property != null) ? property.getValue() : null;
		Origin origin = (property != null && property.getOrigin() != null) ? property.getOrigin() : cause.getOrigin();
		Expected expected = expected(cause);
		StringBuilder description = new StringBuilder("Invalid value '").append(value)
			.append("' for configuration property '")
			.append(key)
			.append("'");
		if (origin != null) {
			description.append(" (origin: ").append(origin).append(')');
		}
		description.append(": ").append(reason(cause, expected)).append('.');
		String action = "Update your application's configuration: set '" + key + "' to " + expected.fix() + ".";
		return new FailureAnalysis(description.toString(), action, cause);
	}

	private String reason(BindException cause, Expected expected) {
		if (findCause(cause, ConversionFailedException.class) != null) {
			return "it is not " + expected.what();
		}
		Throwable root = cause;
		while (root.getCause() != null) {
			root = root.getCause();
		}
		return "it could not be bound (" + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
	}

	/**
	 * What the property takes, from the type it binds to: the element type for a list, a
	 * set or the values of a map.
	 */
	private static Expected expected(BindException cause) {
		ResolvableType type = cause.getTarget().getType();
		Class<?> target = type.resolve(Object.class);
		if (Collection.class.isAssignableFrom(target)) {
			Expected element = expected(type.asCollection().resolveGeneric(0));
			return new Expected("a comma-separated list of " + element.what(),
					"a comma-separated list of " + element.fix());
		}
		if (Map.class.isAssignableFrom(target)) {
			return expected(type.asMap().resolveGeneric(1));
		}
		return expected(target);
	}

	private static Expected expected(@Nullable Class<?> type) {
		if (type == null) {
			return new Expected("a valid value", "a valid value");
		}
		Class<?> target = ClassUtils.resolvePrimitiveIfNecessary(type);
		if (target == Duration.class) {
			return new Expected("a duration",
					"a duration such as 500ms, 5s, 2m or 1h (units ns, us, ms, s, m, h, d; a number alone means "
							+ "milliseconds)");
		}
		if (target == Double.class || target == Float.class) {
			return new Expected("a number", "a number such as 10 or 2.5");
		}
		if (target == Integer.class || target == Long.class || target == Short.class) {
			return new Expected("a whole number", "a whole number such as 10");
		}
		if (target == Boolean.class) {
			return new Expected("true or false", "true or false");
		}
		if (target.isEnum()) {
			String values = Arrays.stream(target.getEnumConstants())
				.map((constant) -> ((Enum<?>) constant).name())
				.collect(Collectors.joining(", "));
			return new Expected("one of " + values, "one of " + values + " (in any case, '-' for '_')");
		}
		if (target == Path.class) {
			return new Expected("a path", "a file system path");
		}
		return new Expected("a " + target.getSimpleName(), "a valid " + target.getSimpleName());
	}

	private record Expected(String what, String fix) {

	}

}
