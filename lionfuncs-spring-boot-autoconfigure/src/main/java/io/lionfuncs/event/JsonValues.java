package io.lionfuncs.event;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

/**
 * Turns any value stored in an {@link Event} into the plain JSON model that reading a
 * JSON file gives back: {@code null}, {@link String}, {@link Boolean}, {@link Integer}
 * (or {@link Long}, {@link BigInteger} when larger), {@link Double}, and unmodifiable
 * {@link Map} (string keys, insertion order) and {@link List}. Normalising on the way in
 * is what makes {@code dump → load → asMap} an identity.
 */
final class JsonValues {

	/**
	 * How deeply a value may nest. Two levels less than {@link EventJson}'s default
	 * depth limit, because a value sits inside the document object and its
	 * {@code data} object, so whatever an event holds can be loaded back.
	 */
	static final int MAX_DEPTH = EventJson.DEFAULT_MAX_DEPTH - 2;

	private static final BigInteger INT_MIN = BigInteger.valueOf(Integer.MIN_VALUE);

	private static final BigInteger INT_MAX = BigInteger.valueOf(Integer.MAX_VALUE);

	private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);

	private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

	private JsonValues() {
	}

	static @Nullable Object normalize(@Nullable Object value) {
		return normalize(value, 0, MAX_DEPTH);
	}

	/**
	 * Normalises what a JSON parser produced, whose depth the parser has already
	 * limited.
	 */
	static Map<String, @Nullable Object> normalizeParsed(Map<?, ?> map) {
		@SuppressWarnings("unchecked")
		Map<String, @Nullable Object> result = (Map<String, @Nullable Object>) normalize(map, 0, Integer.MAX_VALUE);
		return result;
	}

	private static @Nullable Object normalize(@Nullable Object value, int depth, int maxDepth) {
		if (value == null || value instanceof String || value instanceof Boolean) {
			return value;
		}
		if (value instanceof Number number) {
			return number(number);
		}
		if (value instanceof CharSequence || value instanceof Character || value instanceof Enum<?>) {
			return (value instanceof Enum<?> constant) ? constant.name() : value.toString();
		}
		if (value instanceof Instant instant) {
			return DateTimeFormatter.ISO_INSTANT.format(instant);
		}
		if (value instanceof TemporalAccessor || value instanceof java.time.Duration
				|| value instanceof java.time.Period || value instanceof java.util.UUID
				|| value instanceof java.nio.file.Path || value instanceof java.net.URI
				|| value instanceof java.net.URL) {
			return value.toString();
		}
		if (value instanceof byte[] bytes) {
			return Base64.getEncoder().encodeToString(bytes);
		}
		if (value instanceof Optional<?> optional) {
			return normalize(optional.orElse(null), depth, maxDepth);
		}
		if (depth >= maxDepth) {
			throw new IllegalArgumentException("Event data nests deeper than " + maxDepth + " levels");
		}
		if (value instanceof Map<?, ?> map) {
			Map<String, @Nullable Object> result = new LinkedHashMap<>(Math.max(4, map.size() * 2));
			map.forEach((key, entry) -> {
				if (key == null) {
					throw new IllegalArgumentException("Event data maps need non-null keys");
				}
				result.put(key.toString(), normalize(entry, depth + 1, maxDepth));
			});
			return Collections.unmodifiableMap(result);
		}
		if (value instanceof Iterable<?> iterable) {
			List<@Nullable Object> result = new ArrayList<>();
			iterable.forEach((element) -> result.add(normalize(element, depth + 1, maxDepth)));
			return Collections.unmodifiableList(result);
		}
		if (value instanceof Object[] array) {
			List<@Nullable Object> result = new ArrayList<>(array.length);
			for (Object element : array) {
				result.add(normalize(element, depth + 1, maxDepth));
			}
			return Collections.unmodifiableList(result);
		}
		if (value.getClass().isArray()) {
			int length = java.lang.reflect.Array.getLength(value);
			List<@Nullable Object> result = new ArrayList<>(length);
			for (int i = 0; i < length; i++) {
				result.add(normalize(java.lang.reflect.Array.get(value, i), depth + 1, maxDepth));
			}
			return Collections.unmodifiableList(result);
		}
		return normalize(convert(value), depth + 1, maxDepth);
	}

	private static Object number(Number number) {
		if (number instanceof Integer) {
			return number;
		}
		if (number instanceof Short || number instanceof Byte || number instanceof AtomicInteger) {
			return number.intValue();
		}
		if (number instanceof Long || number instanceof AtomicLong) {
			long value = number.longValue();
			return (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) ? (Object) (int) value : (Object) value;
		}
		if (number instanceof BigInteger big) {
			return integral(big);
		}
		if (number instanceof Double || number instanceof Float) {
			double value = (number instanceof Float) ? Double.parseDouble(number.toString()) : number.doubleValue();
			return finite(value);
		}
		if (number instanceof BigDecimal decimal) {
			return finite(decimal.doubleValue());
		}
		// other Number types (LongAdder, DoubleAdder, ...): go through their text
		BigDecimal decimal = new BigDecimal(number.toString());
		return (decimal.scale() <= 0) ? integral(decimal.toBigIntegerExact()) : finite(decimal.doubleValue());
	}

	private static Object integral(BigInteger value) {
		if (value.compareTo(INT_MIN) >= 0 && value.compareTo(INT_MAX) <= 0) {
			return value.intValue();
		}
		if (value.compareTo(LONG_MIN) >= 0 && value.compareTo(LONG_MAX) <= 0) {
			return value.longValue();
		}
		return value;
	}

	private static Double finite(double value) {
		if (Double.isNaN(value) || Double.isInfinite(value)) {
			throw new IllegalArgumentException("JSON has no representation for " + value);
		}
		return value;
	}

	/**
	 * Converts another object (a record, a bean) with Jackson, without any polymorphic
	 * typing; falls back to its {@code toString()} when Jackson cannot describe it.
	 */
	private static @Nullable Object convert(Object value) {
		try {
			Object converted = Mapper.INSTANCE.convertValue(value, Object.class);
			return (converted != value) ? converted : value.toString();
		}
		catch (RuntimeException ex) {
			return value.toString();
		}
	}

	/** Holder so that the mapper is built on first use only. */
	private static final class Mapper {

		static final JsonMapper INSTANCE = JsonMapper.builder().build();

	}

}
